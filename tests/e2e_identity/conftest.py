"""Fixtures of the identity tier's end-to-end tests (SMART App Launch and Backend Services against Keycloak).

Route: through the edge (https://fhir.fhirfort.test, FLOW-01) when the edge serves the identity tier
(edge_waf_idp_enabled); until then straight to Keycloak on the app tier through a forwarder whose outgoing
connections start in the edge host's network namespace (FLOW-04: only the edge may reach Keycloak's 8444).
Skipped without the lab (`make up`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import yaml

from fhirfort.local import smart_client
from fhirfort.local.paths import LabPaths

FORWARDER = Path(__file__).with_name("netns_forward.py")


@dataclass
class Idp:
    target: smart_client.Target
    route: str
    fhir_base_url: str
    secrets: dict[str, str]
    edge_url: str

    def session(self) -> requests.Session:
        return self.target.session()

    @property
    def issuer(self) -> str:
        return self.target.issuer

    @property
    def token_url(self) -> str:
        return self.target.token_url

    @property
    def auth_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/auth"

    @property
    def logout_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/logout"


def _edge_serves_idp(target: smart_client.Target) -> bool:
    try:
        resp = target.session().get(f"{target.issuer}/.well-known/openid-configuration", timeout=10)
    except requests.RequestException:
        return False
    return resp.status_code == 200


def _direct_target(paths: LabPaths) -> tuple[smart_client.Target, subprocess.Popen[str]]:
    """Keycloak itself (not through the edge's locations), reached from the edge host's namespace: the only
    place outside the idp host that the flow matrix lets reach it."""
    from fhirfort.local import hostlab

    leader = hostlab.leader_pid("edge", paths)
    if leader is None:
        pytest.skip("the lab is not up (edge host not running): run `make up`")
    direct = smart_client.local_target("direct", paths)
    ((key, r),) = direct.routes.items()
    proc = subprocess.Popen(
        [sys.executable, str(FORWARDER), str(leader), r.address, str(r.port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    direct.routes[key] = smart_client.Route("127.0.0.1", port, r.tls_name)
    try:
        ok = direct.session().get(f"{direct.issuer}/.well-known/openid-configuration", timeout=30).status_code
    except requests.RequestException as exc:
        proc.terminate()
        pytest.skip(f"Keycloak is not reachable from the edge host: {exc}")
    if ok != 200:
        proc.terminate()
        pytest.skip(f"Keycloak's realm {direct.realm} is not served (HTTP {ok}): converge the identity role")
    return direct, proc


def _stop(proc: subprocess.Popen[str] | None) -> None:
    if proc is not None:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def idp_direct() -> Iterator[Idp]:
    """Keycloak reached directly (admin API included), for tests that must change or read realm settings."""
    paths = LabPaths.default()
    if not paths.endpoints.exists() or not paths.secrets_file.exists():
        pytest.skip("no local target (build/local/endpoints.json or secrets missing): run `make up`")
    endpoints = json.loads(paths.endpoints.read_text())
    secret_values = yaml.safe_load(paths.secrets_file.read_text()) or {}
    target, proc = _direct_target(paths)
    fhir = urlsplit(endpoints["fhir_base_url"])
    yield Idp(target, "direct", endpoints["fhir_base_url"], secret_values, f"{fhir.scheme}://{fhir.netloc}")
    _stop(proc)


@pytest.fixture(scope="session")
def idp() -> Iterator[Idp]:
    paths = LabPaths.default()
    if not paths.endpoints.exists() or not paths.secrets_file.exists():
        pytest.skip("no local target (build/local/endpoints.json or secrets missing): run `make up`")
    endpoints = json.loads(paths.endpoints.read_text())
    secret_values = yaml.safe_load(paths.secrets_file.read_text()) or {}
    edge = smart_client.local_target("edge", paths)
    proc = None
    if _edge_serves_idp(edge):
        target, route = edge, "edge"
    else:
        target, proc = _direct_target(paths)
        route = "direct (via the edge host's namespace)"
    fhir = urlsplit(endpoints["fhir_base_url"])
    yield Idp(target, route, endpoints["fhir_base_url"], secret_values, f"{fhir.scheme}://{fhir.netloc}")
    _stop(proc)


@pytest.fixture(scope="session")
def spec_identity() -> dict:
    """Expected values: spec/identity.yaml (token lifetimes, assertion bound, realm)."""
    return yaml.safe_load((Path(__file__).resolve().parents[2] / "spec" / "identity.yaml").read_text())


@pytest.fixture(scope="session")
def backend_key():
    return smart_client.ensure_key()


class TotpClock(dict):
    """When the sample user's last TOTP code was submitted (Keycloak takes a code once per 30 s window).

    Kept in a file under build/local/run/, not in memory: tests/e2e_identity and tests/e2e_smart both log the
    sample user in, each through its own conftest (so its own fixture instance), and must see one clock.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def __getitem__(self, key: str) -> float | None:
        try:
            return float(self.path.read_text())
        except (OSError, ValueError):
            return None

    def __setitem__(self, key: str, value: float | None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("" if value is None else repr(value))


@pytest.fixture(scope="session")
def totp_clock() -> TotpClock:
    """When the last TOTP code was submitted, shared by every test module and process (see TotpClock)."""
    return TotpClock(LabPaths.default().run / "totp-last")
