"""End-to-end fixtures: everything goes through the edge, as a client would, using build/local/endpoints.json."""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from fhirfort.local import smart_client

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = ROOT / "build" / "local" / "endpoints.json"


@pytest.fixture(scope="session")
def endpoints() -> dict:
    if not ENDPOINTS.exists():
        pytest.skip("no local target: build/local/endpoints.json is missing (run `make up`)")
    return json.loads(ENDPOINTS.read_text())


@pytest.fixture(scope="session", autouse=True)
def _lab_names(endpoints: dict) -> Iterator[None]:
    """Resolve the lab's names (endpoints.json `hosts`) without touching the machine's resolver."""
    names = {k: v for k, v in endpoints.get("hosts", {}).items() if "." in k}
    original = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return original(names.get(host, host), *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    yield
    socket.getaddrinfo = original


@pytest.fixture(scope="session")
def base_url(endpoints: dict) -> str:
    return endpoints["fhir_base_url"].rstrip("/")


@pytest.fixture(scope="session")
def origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="session")
def edge_name(base_url: str) -> str:
    return urlsplit(base_url).hostname or ""


@pytest.fixture(scope="session")
def edge_address(endpoints: dict, edge_name: str) -> str:
    return endpoints["hosts"].get(edge_name, endpoints["hosts"]["edge"])


@pytest.fixture(scope="session")
def ca_cert(endpoints: dict) -> str:
    return endpoints["ca_cert"]


WRITE_SCOPE = "system/*.cruds"


def token_exp(token: str) -> int:
    """The `exp` claim of a JWT (not verified: only to know when to fetch a new one)."""
    part = token.split(".")[1]
    return int(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))).get("exp", 0))


class Fhir:
    """A FHIR client session verified by the kit CA; pauses briefly so the edge's rate limit is not hit.

    The FHIR server enforces SMART on FHIR: every request carries a backend-services token of the kit's backend
    client (`scope`, default system/*.cruds), fetched again a minute before it expires. `bearer=False` sends no
    Authorization header, `bearer="<token>"` sends that token instead.
    """

    def __init__(self, base_url: str, ca_cert: str, scope: str = WRITE_SCOPE) -> None:
        self.base = base_url
        self.scope = scope
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = ca_cert
        self.session.headers["Accept"] = "application/fhir+json"
        self._token: str | None = None
        self._token_exp = 0

    def token(self, scope: str | None = None) -> str:
        """A backend token: the cached one for the session's scope, a fresh one for any other scope."""
        if scope is not None and scope != self.scope:
            return smart_client.get_token(smart_client.local_target("edge"), scope=scope)
        if self._token is None or time.time() > self._token_exp - 60:
            self._token = smart_client.get_token(smart_client.local_target("edge"), scope=self.scope)
            self._token_exp = token_exp(self._token)
        return self._token

    def request(self, method: str, path: str, *, bearer: bool | str = True, **kwargs: object) -> requests.Response:
        time.sleep(0.03)
        url = path if path.startswith("https://") else f"{self.base}/{path.lstrip('/')}"
        headers = dict(kwargs.pop("headers", None) or {})  # type: ignore[call-overload]
        if bearer and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = f"Bearer {bearer if isinstance(bearer, str) else self.token()}"
        return self.session.request(method, url, timeout=60, headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def fhir(base_url: str, ca_cert: str) -> Fhir:
    client = Fhir(base_url, ca_cert)
    deadline = time.monotonic() + 300
    while True:
        try:
            if client.request("GET", "metadata", bearer=False).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            pytest.fail("the FHIR server did not answer /metadata through the edge within 300 s")
        time.sleep(5)
    try:
        client.token()
    except (RuntimeError, requests.RequestException) as exc:
        pytest.fail(f"no backend token ({WRITE_SCOPE}) from the realm through the edge: {exc}")
    return client
