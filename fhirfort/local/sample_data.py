"""Load the synthetic sample dataset (data/sample/sample-bundle.json) through the edge on `make up`.

Idempotent: every entry of the transaction Bundle is a `PUT` by a fixed id, so a second load leaves the
server's data as it was (HAPI answers 200 instead of 201 and keeps the version when nothing changed).
The request goes through the edge exactly like a client's (TLS verified by the kit CA, WAF in front), so
a WAF rule that would refuse ordinary FHIR data fails `make up` loudly rather than later in a test.
The FHIR server enforces SMART on FHIR: the Bundle is posted with a SMART Backend Services token of the kit's
backend client (fhirfort/local/smart_client.py) with the write scope `system/*.cruds` (WRITE_SCOPE).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import requests

WRITE_SCOPE = "system/*.cruds"
BUNDLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "sample-bundle.json"
READY_TIMEOUT_S = 300.0


class SampleDataError(RuntimeError):
    """The sample data could not be loaded; the message says what the server answered."""


@contextmanager
def _lab_names(hosts: dict[str, str]) -> Iterator[None]:
    """Resolve the lab's public names (endpoints.json `hosts`) in this process only."""
    names = {name: address for name, address in hosts.items() if "." in name}
    original: Callable[..., list] = socket.getaddrinfo

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list:
        return original(names.get(host, host), *args, **kwargs)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.getaddrinfo = original  # type: ignore[assignment]


def _wait_ready(session: requests.Session, base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            r = session.get(f"{base}/metadata", timeout=30)
            if r.status_code == 200:
                return
            last = f"HTTP {r.status_code}"
        except requests.RequestException as exc:
            last = type(exc).__name__
        time.sleep(5)
    raise SampleDataError(f"{base}/metadata not ready after {timeout:.0f} s ({last})")


def backend_token(endpoints: dict, scope: str = WRITE_SCOPE) -> str:
    """A backend-services access token from the realm behind the edge (names resolved by the caller)."""
    from fhirfort.local import smart_client
    from fhirfort.spec import spec

    parts = urlsplit(endpoints["fhir_base_url"])
    target = smart_client.Target(f"{parts.scheme}://{parts.netloc}", spec().identity.realm, Path(endpoints["ca_cert"]))
    try:
        return smart_client.get_token(target, scope=scope)
    except (RuntimeError, requests.RequestException) as exc:
        raise SampleDataError(f"no backend token with {scope!r}: {exc}") from exc


def load_sample_data(
    endpoints: dict, bundle_path: Path = BUNDLE, ready_timeout: float = READY_TIMEOUT_S, token: str | None = None
) -> None:
    """Post the sample transaction Bundle to `endpoints["fhir_base_url"]` through the edge.

    `endpoints` is the content of build/local/endpoints.json (fhir_base_url, ca_cert, hosts). `token`: a bearer
    token that may write (default: a fresh backend token with WRITE_SCOPE).
    """
    base = endpoints["fhir_base_url"].rstrip("/")
    if urlsplit(base).scheme != "https":
        raise SampleDataError(f"fhir_base_url must be https (got {base})")
    bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
        raise SampleDataError(f"{bundle_path} is not a transaction Bundle")
    if any(e.get("request", {}).get("method") != "PUT" for e in bundle.get("entry", [])):
        raise SampleDataError(f"{bundle_path}: every entry must be a PUT by id (idempotent loading)")
    with _lab_names(endpoints.get("hosts", {})), requests.Session() as session:
        session.trust_env = False
        session.verify = endpoints["ca_cert"]
        session.headers.update({"Accept": "application/fhir+json", "Content-Type": "application/fhir+json"})
        _wait_ready(session, base, ready_timeout)
        session.headers["Authorization"] = f"Bearer {token or backend_token(endpoints)}"
        r = session.post(base, data=json.dumps(bundle).encode("utf-8"), timeout=300)
        if r.status_code != 200:
            raise SampleDataError(f"loading the sample Bundle: HTTP {r.status_code}: {r.text[:500]}")
        answer = r.json()
        failed = [
            e.get("response", {}).get("status", "?")
            for e in answer.get("entry", [])
            if not str(e.get("response", {}).get("status", "")).startswith(("200", "201"))
        ]
        if failed:
            raise SampleDataError(f"sample Bundle entries not stored: {failed[:5]}")


def main() -> int:
    endpoints_file = Path(__file__).resolve().parents[2] / "build" / "local" / "endpoints.json"
    load_sample_data(json.loads(endpoints_file.read_text()))
    print(f"sample data loaded: {BUNDLE.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
