"""testinfra connection to the edge host of the local target (skipped without `make up`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
INVENTORY = ROOT / "build" / "local" / "inventory.yml"


def lab_host(name: str):
    if not INVENTORY.exists():
        pytest.skip("no local target: build/local/inventory.yml is missing (run `make up`)")
    # testinfra's ansible backend runs ansible-inventory: use the one of this interpreter's venv
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    import testinfra

    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}", sudo=True)


@pytest.fixture(scope="module")
def edge():
    return lab_host("edge")
