"""HTTP to the lab's public name from the machine: the name resolves to the edge in this process only."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests

from fhirfort.suites.lab import Endpoints


@contextmanager
def lab_names(hosts: dict[str, str]) -> Iterator[None]:
    """Resolve the lab's names (endpoints.json `hosts` entries with a dot) to their addresses, in-process."""
    names = {name: address for name, address in hosts.items() if "." in name}
    original: Callable[..., Any] = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        return original(names.get(host, host), *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = original


class BearerAuth(requests.auth.AuthBase):
    """Adds `Authorization: Bearer <token>` when the token source has one (it refreshes by itself)."""

    def __init__(self, token: Callable[[], str | None]) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        tok = self.token()
        if tok:
            r.headers["Authorization"] = f"Bearer {tok}"
        return r


def session(ep: Endpoints, token: Callable[[], str | None] | None = None) -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    s.verify = str(ep.ca_cert)
    s.headers.update({"Accept": "application/fhir+json", "User-Agent": "fhirfort-chaos"})
    if token is not None:
        s.auth = BearerAuth(token)
    return s


class TokenKeeper(threading.Thread):
    """Keeps a fresh bearer token in memory, refreshed in the background (a token request takes seconds:
    it must not sit inside a recovery measurement). `current()` never blocks."""

    def __init__(self, fetch: Callable[[], str | None], every_s: float = 100.0) -> None:
        super().__init__(name="chaos-token", daemon=True)
        self.fetch = fetch
        self.every_s = every_s
        self._token: str | None = None
        self._halt = threading.Event()

    def refresh(self) -> None:
        tok = self.fetch()
        if tok:
            self._token = tok

    def current(self) -> str | None:
        return self._token

    def run(self) -> None:
        while not self._halt.wait(self.every_s):
            self.refresh()

    def stop(self) -> None:
        self._halt.set()
