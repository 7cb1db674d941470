"""Shared fixtures of the policy tests: the pack's policy objects, imported without starting the pack."""

from __future__ import annotations

from typing import Any

import pytest

from fhirfort.compliance.evaluator import load_policies


@pytest.fixture(scope="session")
def policies() -> dict[str, Any]:
    return {p.name: p for p in load_policies()}
