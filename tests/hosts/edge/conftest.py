"""testinfra connection to the edge host of the local target (tests/hosts/conftest.py skips without `make up`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="module")
def edge(lab_host: Callable[[str], Any]) -> Any:
    return lab_host("edge")
