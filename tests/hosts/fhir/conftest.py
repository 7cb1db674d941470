"""testinfra connections to every fhir instance of the local target: the primary and its local replicas
(tests/hosts/conftest.py skips without `make up`). Each test of the group runs once per instance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fhirfort.spec import spec

INSTANCES = [(name, str(address)) for name, address in spec().topology.instances("fhir")]


@pytest.fixture(scope="module", params=INSTANCES, ids=[name for name, _ in INSTANCES])
def fhir_instance(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(host name, address) of the instance under test."""
    return request.param


@pytest.fixture(scope="module")
def fhir_host(lab_host: Callable[[str], Any], fhir_instance: tuple[str, str]) -> Any:
    return lab_host(fhir_instance[0])
