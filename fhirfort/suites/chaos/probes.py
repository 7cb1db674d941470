"""Is a service back and serving? One probe per kind, each a real request, each bounded in time."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from fhirfort.local.paths import LabPaths
from fhirfort.suites.lab import Endpoints, LabError, exec_in, leader

IDP_NAME = "idp.fhirfort.internal"


def fhir_read(session: requests.Session, ep: Endpoints) -> bool:
    """A FHIR read by id through the edge (edge, HAPI and PostgreSQL all on the path)."""
    try:
        r = session.get(f"{ep.fhir_base_url}/Patient/p-obrien", timeout=5)
    except requests.RequestException:
        return False
    return r.status_code == 200


# The readiness endpoint of each JVM service, asked from the instance's own network namespace (unit -> (service
# name of its certificate, spec service of the port, path)). The other units have no readiness of their own:
# their service probe is their readiness.
READINESS = {
    "fhirfort-fhir-server": ("fhir.fhirfort.internal", "fhir_https", "/actuator/health/readiness"),
    "keycloak": (IDP_NAME, "idp_management", "/health/ready"),
}


def instance_ready(unit: str, host: str, address: str, ep: Endpoints, paths: LabPaths) -> bool | None:
    """Whether this instance of the unit answers its own readiness check (None: the unit has none)."""
    from fhirfort.spec import spec

    if unit not in READINESS:
        return None
    name, service, path = READINESS[unit]
    port = spec().port(service)
    return _curl_ok(host, f"https://{name}:{port}{path}", f"{name}:{port}:{address}", ep, paths)


def _curl_ok(netns_host: str | None, url: str, resolve: str, ep: Endpoints, paths: LabPaths) -> bool:
    """One bounded HTTPS GET with the machine's curl, on the machine (None) or inside a lab host's network
    namespace: answered 200?"""
    cmd: list[str] = []
    if netns_host is not None:
        try:
            cmd = ["nsenter", "-t", str(leader(netns_host, paths)), "-n"]
        except LabError:
            return False
    cmd += ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "4"]
    cmd += ["--cacert", str(ep.ca_cert), "--resolve", resolve, url]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=8, check=False)
    except subprocess.TimeoutExpired:
        return False
    return res.stdout.strip() == "200"


def idp_discovery(ep: Endpoints, paths: LabPaths, realm: str) -> bool:
    """Keycloak's OpenID discovery document as clients get it, from the machine through the edge (which fails
    over to a standby instance)."""
    url = f"https://{ep.public_name}/realms/{realm}/.well-known/openid-configuration"
    return _curl_ok(None, url, f"{ep.public_name}:{ep.port}:{ep.edge_address}", ep, paths)


@dataclass
class LogDelivery:
    """End-to-end log delivery: `logger` markers on a client host must reach /var/log/remote/<host>/ on logs."""

    paths: LabPaths
    client: str = "edge"
    sent: list[str] = field(default_factory=list)

    def send(self) -> str | None:
        marker = f"fhirfort-chaos-{uuid.uuid4().hex[:16]}"
        try:
            res = exec_in(self.client, ["logger", "-t", "fhirfort-chaos", marker], timeout=5, paths=self.paths)
        except LabError:
            return None
        if res.returncode != 0:
            return None
        self.sent.append(marker)
        return marker

    def delivered(self, markers: list[str] | None = None) -> list[str]:
        """The markers found in the logs host's store for the client (grep inside the logs host)."""
        want = markers if markers is not None else self.sent
        if not want:
            return []
        pattern = "|".join(want)
        try:
            res = exec_in(
                "logs",
                ["sh", "-c", f"grep -rhoE '{pattern}' /var/log/remote/{self.client}/ 2>/dev/null | sort -u"],
                timeout=10,
                paths=self.paths,
            )
        except LabError:
            return []
        return [ln for ln in res.stdout.split() if ln in want]

    def probe(self) -> bool:
        self.send()
        return bool(self.delivered())


def poll(
    check: Callable[[], bool], budget_s: float, cap_s: float, interval_s: float = 0.5
) -> tuple[bool, float | None]:
    """Poll `check` until it passes or `cap_s` elapses; (passed within budget, seconds to the first pass)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < cap_s:
        if check():
            took = time.monotonic() - t0
            return took <= budget_s, took
        time.sleep(interval_s)
    return False, None
