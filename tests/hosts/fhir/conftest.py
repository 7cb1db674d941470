"""testinfra connection to the fhir host of the local target (tests/hosts/conftest.py skips without `make up`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="module")
def fhir_host(lab_host: Callable[[str], Any]) -> Any:
    return lab_host("fhir")
