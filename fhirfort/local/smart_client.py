"""The kit's SMART Backend Services client (private_key_jwt, RFC 7523) for the local target.

- `ensure_key()` creates the client's signing key once (ES384 on P-384, or RS384 on RSA 3072) under
  build/local/secrets/ (file 0600, dir 0700); `public_jwks()` is the JWK set registered on the Keycloak
  client (`jwks.string`, passed to the identity role).
- `client_assertion()` signs the assertion with joserfc: iss = sub = client id, aud = the token endpoint,
  a fresh `jti`, `iat`, and `exp` a short time ahead (SMART: at most five minutes).
- `request_token()` exchanges it at the token endpoint (client_credentials) and returns the token response.

Name resolution: the lab has no DNS. `pinned_session()` returns a requests session whose connections for a
URL's host:port go to a chosen address (and TLS name) while the URL, the Host header and cookies keep the
public name, e.g. https://fhir.fhirfort.test -> the edge (198.18.10.10:443) or, before the edge proxies the
identity tier, straight to Keycloak (198.18.20.20:8444, certificate name idp.fhirfort.internal).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from joserfc import jwk, jwt
from requests.adapters import HTTPAdapter

from fhirfort.local.paths import LabPaths

SUPPORTED_ALGS = ("ES384", "RS384")
DEFAULT_ALG = "ES384"
DEFAULT_CLIENT_ID = "fhirfort-backend"
DEFAULT_SCOPE = "system/*.rs"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def key_path(paths: LabPaths | None = None, alg: str = DEFAULT_ALG) -> Path:
    paths = paths or LabPaths.default()
    return paths.secrets_dir / f"smart-backend-{alg.lower()}.key.json"


def ensure_key(path: Path | None = None, alg: str = DEFAULT_ALG) -> jwk.ECKey | jwk.RSAKey:
    """Load the client's private JWK from `path`, creating it (0600) if absent."""
    if alg not in SUPPORTED_ALGS:
        raise ValueError(f"unsupported client signing algorithm {alg} (use one of {', '.join(SUPPORTED_ALGS)})")
    path = path or key_path(alg=alg)
    if path.exists():
        path.chmod(0o600)
        data = json.loads(path.read_text())
        return jwk.import_key(data)  # type: ignore[return-value]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    if alg == "ES384":
        key: Any = jwk.ECKey.generate_key("P-384", private=True, auto_kid=True)
    else:
        key = jwk.RSAKey.generate_key(3072, private=True, auto_kid=True)
    # Create-if-absent, atomically: the converge evaluates this on several hosts at once (idp and its standby),
    # and two creators must not leave two hosts with two different keys. Each writes its own temporary file and
    # hard-links it into place; link() fails if the key exists, and the loser uses the winner's key.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(key.as_dict(private=True), fh)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return jwk.import_key(json.loads(path.read_text()))  # type: ignore[return-value]
    finally:
        tmp.unlink(missing_ok=True)
    return key


def public_jwks(key: jwk.ECKey | jwk.RSAKey, alg: str = DEFAULT_ALG) -> dict[str, Any]:
    """The JWK set with the public half only (what Keycloak's `jwks.string` holds)."""
    public = key.as_dict(private=False)
    public.update({"alg": alg, "use": "sig", "kid": key.kid})
    return {"keys": [public]}


def client_assertion(
    key: jwk.ECKey | jwk.RSAKey,
    client_id: str,
    token_url: str,
    alg: str = DEFAULT_ALG,
    lifetime: int = 60,
    *,
    now: int | None = None,
    jti: str | None = None,
    include_iat: bool = True,
    extra_claims: dict[str, Any] | None = None,
) -> str:
    """A signed RFC 7523 client assertion (SMART Backend Services)."""
    now = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "jti": jti or str(uuid.uuid4()),
        "exp": now + lifetime,
    }
    if include_iat:
        claims["iat"] = now
    claims.update(extra_claims or {})
    header = {"alg": alg, "typ": "JWT", "kid": key.kid}
    return jwt.encode(header, claims, key, algorithms=[alg])


def request_token(
    session: requests.Session, token_url: str, assertion: str, scope: str = DEFAULT_SCOPE, timeout: float = 30
) -> requests.Response:
    """POST the client_credentials grant with the assertion; the caller inspects the response."""
    return session.post(
        token_url,
        data={
            "grant_type": "client_credentials",
            "scope": scope,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
        },
        headers={"Accept": "application/json"},
        timeout=timeout,
    )


@dataclass(frozen=True)
class Route:
    """Where connections for a public host:port really go, and the TLS name the server's certificate has."""

    address: str
    port: int
    tls_name: str


class PinnedAdapter(HTTPAdapter):
    """Sends a request for host:port to routes[(host, port)] (address, port, TLS name); URL and Host stay."""

    def __init__(self, routes: dict[tuple[str, int], Route], **kwargs: Any) -> None:
        self.routes = routes
        super().__init__(**kwargs)

    def _route(self, url: str) -> tuple[Route | None, str]:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return self.routes.get(((parts.hostname or "").lower(), port)), parts.netloc

    def get_connection_with_tls_context(
        self, request: requests.PreparedRequest, verify: bool | str | None, proxies: Any = None, cert: Any = None
    ) -> Any:
        route, _ = self._route(request.url or "")
        if route is None:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        _, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        pool_kwargs = dict(pool_kwargs, server_hostname=route.tls_name, assert_hostname=route.tls_name)
        return self.poolmanager.connection_from_host(route.address, route.port, scheme="https", pool_kwargs=pool_kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        route, netloc = self._route(request.url or "")
        if route is not None:
            request.headers["Host"] = netloc
        return super().send(request, *args, **kwargs)


def pinned_session(routes: dict[tuple[str, int], Route], ca_cert: str | Path) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE and proxy variables would override the kit CA and the route
    session.verify = str(ca_cert)
    adapter = PinnedAdapter(routes)
    session.mount("https://", adapter)
    return session


@dataclass
class Target:
    """The local target as the SMART client sees it (from build/local/endpoints.json and the spec)."""

    public_url: str
    realm: str
    ca_cert: Path
    routes: dict[tuple[str, int], Route] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return f"{self.public_url}/realms/{self.realm}"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    def session(self) -> requests.Session:
        return pinned_session(self.routes, self.ca_cert)


def local_target(route: str = "edge", paths: LabPaths | None = None) -> Target:
    """route: `edge` (through the TLS edge, flow FLOW-01) or `direct` (to Keycloak on the app tier: works only
    from a host the flow matrix lets reach it, e.g. inside the edge host's network namespace)."""
    from fhirfort.spec import spec

    paths = paths or LabPaths.default()
    endpoints = json.loads(paths.endpoints.read_text())
    fhir_base = urlsplit(endpoints["fhir_base_url"])
    public_url = f"{fhir_base.scheme}://{fhir_base.netloc}"
    s = spec()
    hosts = s.topology.hosts
    name = (fhir_base.hostname or "").lower()
    port = fhir_base.port or 443
    if route == "edge":
        r = Route(str(endpoints["hosts"].get(name, hosts["edge"].address)), 443, name)
    elif route == "direct":
        r = Route(str(hosts["idp"].address), int(s.services["idp_https"].port), "idp.fhirfort.internal")
    else:
        raise ValueError(f"unknown route {route!r} (edge or direct)")
    return Target(public_url, s.identity.realm, Path(endpoints["ca_cert"]), {(name, port): r})


def get_token(
    target: Target,
    client_id: str = DEFAULT_CLIENT_ID,
    alg: str = DEFAULT_ALG,
    scope: str = DEFAULT_SCOPE,
    key_file: Path | None = None,
) -> str:
    """A backend-services access token for the local target."""
    key = ensure_key(key_file, alg)
    assertion = client_assertion(key, client_id, target.token_url, alg)
    resp = request_token(target.session(), target.token_url, assertion, scope)
    if resp.status_code != 200:
        raise RuntimeError(f"token endpoint answered HTTP {resp.status_code}: {resp.text[:300]}")
    return str(resp.json()["access_token"])


def main(argv: list[str] | None = None) -> int:
    """`python -m fhirfort.local.smart_client jwks [ALG]`: create the key if absent, print the public JWK set
    (one line of JSON; the group vars read it into identity_backend_jwks)."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "jwks":
        print("usage: python -m fhirfort.local.smart_client jwks [ES384|RS384]", file=sys.stderr)
        return 2
    alg = args[1] if len(args) > 1 else DEFAULT_ALG
    print(json.dumps(public_jwks(ensure_key(alg=alg), alg), separators=(",", ":"), sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
