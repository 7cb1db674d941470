"""testinfra hosts of the local target, from build/local/inventory.yml (skipped without `make up`).

Fixtures shared by every host group:
  lab_host(name) -> a testinfra host (ansible backend, sudo), cached per session
  lab_host_names  -> the spec's host roles that the inventory has
  spec_data(name) -> a spec file (spec/<name>.yaml) as plain data: the expected values of the host tests
  in_container(host) -> whether the host shares the machine's kernel (kernel controls are skipped there)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "build" / "local" / "inventory.yml"
SPEC_DIR = ROOT / "spec"
CONTAINER_TYPES = ("systemd-nspawn", "container", "docker", "lxc", "podman")


@cache
def load_spec(name: str) -> dict[str, Any]:
    return yaml.safe_load((SPEC_DIR / f"{name}.yaml").read_text())


def inventory_hosts() -> list[str]:
    """Every host name of the generated inventory (empty without one)."""
    if not INVENTORY.exists():
        return []
    names: list[str] = []

    def walk(group: dict[str, Any]) -> None:
        names.extend((group.get("hosts") or {}).keys())
        for child in (group.get("children") or {}).values():
            walk(child or {})

    walk((yaml.safe_load(INVENTORY.read_text()) or {}).get("all") or {})
    return names


def spec_hosts() -> list[str]:
    """The spec's host roles (tiers.yaml `hosts`), the names the lab gives its hosts."""
    return list(load_spec("tiers")["hosts"])


def all_instances() -> list[str]:
    """Every lab host name: each role's primary and its local replicas."""
    from fhirfort.spec import spec

    return [name for role in spec().topology.hosts for name, _ in spec().topology.instances(role)]


@cache
def _testinfra_host(name: str) -> Any:
    # testinfra's ansible backend runs ansible-inventory: use the one of this interpreter's venv
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    import testinfra

    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}", sudo=True)


@pytest.fixture(scope="session")
def lab_host() -> Callable[[str], Any]:
    if not INVENTORY.exists():
        pytest.skip("no local target: build/local/inventory.yml is missing (run `make up`)")

    def _get(name: str) -> Any:
        if name not in inventory_hosts():
            pytest.skip(f"host {name} is not in {INVENTORY.relative_to(ROOT)}")
        return _testinfra_host(name)

    return _get


@pytest.fixture(scope="session")
def lab_host_names() -> list[str]:
    if not INVENTORY.exists():
        pytest.skip("no local target: build/local/inventory.yml is missing (run `make up`)")
    return [h for h in all_instances() if h in inventory_hosts()]


@pytest.fixture(scope="session")
def spec_data() -> Callable[[str], dict[str, Any]]:
    return load_spec


@pytest.fixture(scope="session")
def in_container() -> Callable[[Any], bool]:
    """in_container(host): the host shares the machine's kernel (systemd records it in /run/systemd/container)."""

    def _check(host: Any) -> bool:
        f = host.file("/run/systemd/container")
        return f.exists and f.content_string.strip() in CONTAINER_TYPES

    return _check
