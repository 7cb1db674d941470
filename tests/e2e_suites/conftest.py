"""Short forms of `make attack`, `make tlsscan` and `make secrets-scan` against the running local target."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = ROOT / "build" / "local" / "endpoints.json"


@pytest.fixture(scope="session")
def lab_up() -> dict:
    if not ENDPOINTS.exists() or not (ROOT / "build" / "local" / "LAB_READY").exists():
        pytest.skip("no local target (make up)")
    if os.geteuid() != 0:
        pytest.skip("reading the hosts' logs and namespaces needs root")
    return json.loads(ENDPOINTS.read_text())
