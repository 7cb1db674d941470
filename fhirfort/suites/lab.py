"""What the suites need from the local target: endpoints.json, the edge address, and commands inside a host.

Commands inside a lab host use `nsenter` into the host's namespaces (root on the machine; the hosts are
unregistered systemd-nspawn containers, see fhirfort/local/hostlab.py). `net_only=True` enters only the
network namespace, so a machine tool (e.g. testssl) runs with the host's addresses and firewall.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fhirfort.local.paths import LabPaths


class LabError(RuntimeError):
    """The local target is not there or a command inside a host could not run."""


@dataclass(frozen=True)
class Endpoints:
    fhir_base_url: str
    ca_cert: Path
    hosts: dict[str, str]
    raw: dict[str, Any]

    @property
    def public_name(self) -> str:
        return urlsplit(self.fhir_base_url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.fhir_base_url).port or 443

    @property
    def base_path(self) -> str:
        return urlsplit(self.fhir_base_url).path.rstrip("/")

    @property
    def edge_address(self) -> str:
        return self.hosts.get(self.public_name) or self.hosts["edge"]


def load_endpoints(paths: LabPaths | None = None) -> Endpoints:
    paths = paths or LabPaths.default()
    if not paths.endpoints.exists():
        raise LabError(f"{paths.endpoints} is missing: bring the local target up first (make up)")
    data = json.loads(paths.endpoints.read_text())
    return Endpoints(
        fhir_base_url=str(data["fhir_base_url"]).rstrip("/"),
        ca_cert=Path(data["ca_cert"]),
        hosts={str(k): str(v) for k, v in data.get("hosts", {}).items()},
        raw=data,
    )


def host_names(paths: LabPaths | None = None) -> list[str]:
    """The lab's host roles that have a pid file (edge, fhir, idp, db, logs)."""
    paths = paths or LabPaths.default()
    return sorted(p.stem for p in paths.run.glob("*.pid") if paths.machine(p.stem).is_dir())


def leader(host: str, paths: LabPaths | None = None) -> int:
    from fhirfort.local import hostlab

    pid = hostlab.leader_pid(host, paths or LabPaths.default())
    if pid is None:
        raise LabError(f"lab host {host} is not running")
    return pid


def exec_in(
    host: str,
    cmd: list[str],
    *,
    timeout: float = 60,
    net_only: bool = False,
    paths: LabPaths | None = None,
    text: bool = True,
) -> subprocess.CompletedProcess[Any]:
    """Run `cmd` inside lab host `host` (all namespaces, or only its network namespace)."""
    pid = leader(host, paths)
    ns = ["-n"] if net_only else ["-a"]
    try:
        return subprocess.run(
            ["nsenter", "-t", str(pid), *ns, *cmd], capture_output=True, text=text, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"{host}: {' '.join(cmd[:3])}... timed out after {timeout:.0f} s") from exc
