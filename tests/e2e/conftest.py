"""End-to-end fixtures: everything goes through the edge, as a client would, using build/local/endpoints.json."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

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


class Fhir:
    """A FHIR client session verified by the kit CA; pauses briefly so the edge's rate limit is not hit."""

    def __init__(self, base_url: str, ca_cert: str) -> None:
        self.base = base_url
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = ca_cert
        self.session.headers["Accept"] = "application/fhir+json"

    def request(self, method: str, path: str, **kwargs: object) -> requests.Response:
        time.sleep(0.03)
        url = path if path.startswith("https://") else f"{self.base}/{path.lstrip('/')}"
        return self.session.request(method, url, timeout=60, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def fhir(base_url: str, ca_cert: str) -> Fhir:
    client = Fhir(base_url, ca_cert)
    deadline = time.monotonic() + 300
    while True:
        try:
            if client.request("GET", "metadata").status_code == 200:
                return client
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            pytest.fail("the FHIR server did not answer /metadata through the edge within 300 s")
        time.sleep(5)
