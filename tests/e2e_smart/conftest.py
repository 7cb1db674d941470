"""Fixtures of the SMART resource-server e2e tests: tokens from the lab's Keycloak, requests through the edge.

FHIR requests go to the public base URL pinned to the edge (FLOW-01), as a client would. Tokens come from the
identity tier (tests/e2e_identity fixtures: through the edge when it serves /realms/, else via the edge host's
namespace). Skipped without the lab; the tests that need the SMART jar skip when /.well-known/smart-configuration
is not served yet (the fhir_server role must render fhirfort.smart.* first).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from e2e_identity.conftest import backend_key, idp, spec_identity, totp_clock  # noqa: F401

from fhirfort.local import smart_client

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = ROOT / "build" / "local" / "endpoints.json"


class Fhir:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.session = smart_client.local_target("edge").session()
        self.session.headers["Accept"] = "application/fhir+json"

    def get(self, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        time.sleep(0.03)  # the edge's rate limit
        headers = dict(kw.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("https://") else f"{self.base}/{path.lstrip('/')}"
        return self.session.get(url, headers=headers, timeout=60, **kw)

    def send(self, method: str, path: str, token: str | None, body: Any = None) -> requests.Response:
        time.sleep(0.03)
        headers = {"Content-Type": "application/fhir+json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(
            method, f"{self.base}/{path.lstrip('/')}", headers=headers, data=json.dumps(body), timeout=60
        )


@pytest.fixture(scope="session")
def fhir() -> Fhir:
    if not ENDPOINTS.exists():
        pytest.skip("no local target: run `make up`")
    base = json.loads(ENDPOINTS.read_text())["fhir_base_url"]
    f = Fhir(base)
    try:
        resp = f.get(".well-known/smart-configuration")
    except requests.RequestException as exc:
        pytest.skip(f"the edge is not reachable: {exc}")
    if resp.status_code != 200:
        pytest.skip(f"the FHIR server does not serve SMART discovery yet (HTTP {resp.status_code}): deploy the jar")
    return f


def _token(idp: Any, scope: str) -> str:  # noqa: F811
    key = smart_client.ensure_key()
    assertion = smart_client.client_assertion(key, smart_client.DEFAULT_CLIENT_ID, idp.target.token_url)
    resp = smart_client.request_token(idp.session(), idp.target.token_url, assertion, scope)
    if resp.status_code != 200:
        pytest.skip(f"no backend token for {scope!r} (HTTP {resp.status_code}): {resp.text[:200]}")
    return str(resp.json()["access_token"])


@pytest.fixture(scope="session")
def system_token(idp: Any) -> str:  # noqa: F811
    return _token(idp, "system/*.rs")


@pytest.fixture(scope="session")
def system_write_token(idp: Any) -> str:  # noqa: F811
    return _token(idp, "system/*.cruds")


@pytest.fixture(scope="session")
def audit_token(idp: Any) -> str:  # noqa: F811
    return _token(idp, "system/AuditEvent.rs")


@pytest.fixture(scope="session")
def patient_tokens(idp: Any, totp_clock: dict) -> Iterator[dict[str, Any]]:  # noqa: F811
    """A patient-context token of the sample user (password + TOTP through the login pages)."""
    try:
        from e2e_identity.test_app_launch import login
    except ImportError as exc:
        pytest.skip(f"app launch helpers unavailable: {exc}")
    # The sample user's TOTP clock is shared with tests/e2e_identity through a file (TotpClock), so this login
    # never reuses a code of a window the identity tests already spent.
    yield login(idp, totp_clock, scope="openid fhirUser launch/patient patient/*.rs")


def origin(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}"


@pytest.fixture(scope="session")
def patient_writer(idp: Any, totp_clock: dict) -> Iterator[dict[str, Any]]:  # noqa: F811
    """The sample user signed in asking for everything an app may ask: patient writes, and user/ scopes that reach
    every patient and the audit trail (which a patient must not get)."""
    try:
        from e2e_identity.test_app_launch import login
    except ImportError as exc:
        pytest.skip(f"app launch helpers unavailable: {exc}")
    yield login(idp, totp_clock, scope="openid fhirUser launch/patient patient/*.cruds user/*.cruds user/AuditEvent.rs")
