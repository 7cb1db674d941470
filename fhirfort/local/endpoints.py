"""What the local target publishes to its users: endpoints.json and the machine's /etc/hosts block."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fhirfort.local.lab import PUBLIC_NAME, Lab
from fhirfort.local.paths import LabPaths
from fhirfort.spec import Spec

HOSTS_FILE = Path("/etc/hosts")
BEGIN = "# BEGIN fhirfort local target (managed by make up; removed by make down)"
END = "# END fhirfort local target"


def render_endpoints(lab: Lab, s: Spec, paths: LabPaths, edge: str = "edge") -> dict[str, Any]:
    base = f"https://{PUBLIC_NAME}{s.identity.fhir_base_path}"
    hosts = {h.name: str(h.address) for h in lab.hosts}
    hosts[PUBLIC_NAME] = str(lab.host(edge).address)
    return {
        "target": "local",
        "fhir_base_url": base,
        "smart_config_url": f"{base}/.well-known/smart-configuration",
        "ca_cert": str((paths.pki / "ca.crt").resolve()),
        "hosts": hosts,
        "inventory": str(paths.inventory.resolve()),
        "controller_address": str(lab.controller_address),
    }


def write_endpoints(lab: Lab, s: Spec, paths: LabPaths) -> Path:
    paths.endpoints.write_text(json.dumps(render_endpoints(lab, s, paths), indent=2) + "\n")
    return paths.endpoints


def render_hosts_block(lab: Lab, edge: str = "edge") -> str:
    return f"{BEGIN}\n{lab.host(edge).address}\t{PUBLIC_NAME}\n{END}\n"


def strip_block(text: str) -> str:
    out: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        if line.rstrip("\n") == BEGIN:
            inside = True
            continue
        if inside and line.rstrip("\n") == END:
            inside = False
            continue
        if not inside:
            out.append(line)
    return "".join(out)


def set_hosts_block(block: str | None, hosts_file: Path = HOSTS_FILE) -> bool:
    """Replace (or with None remove) the kit's block in place; True when the file changed.

    Written in place (not renamed over) because /etc/hosts may be a bind mount."""
    text = hosts_file.read_text()
    new = strip_block(text)
    if block:
        if new and not new.endswith("\n"):
            new += "\n"
        new += block
    if new == text:
        return False
    with hosts_file.open("w") as fh:
        fh.write(new)
    return True
