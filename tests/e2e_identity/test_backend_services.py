"""SMART Backend Services (private_key_jwt, RFC 7523) against Keycloak: a correct assertion gets a token; a
replayed jti, a far-future exp without iat, a wrong algorithm or an unregistered key do not (IDP-06)."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from joserfc import jwk, jwt

from fhirfort.local import smart_client

from .smart_helpers import decode_jwt

pytestmark = pytest.mark.host

SCOPE = "system/*.rs"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _post(idp, assertion: str, scope: str = SCOPE):
    return smart_client.request_token(idp.session(), idp.token_url, assertion, scope)


def test_backend_token_issued_with_fhir_audience(idp, backend_key, spec_identity) -> None:
    resp = _post(idp, smart_client.client_assertion(backend_key, smart_client.DEFAULT_CLIENT_ID, idp.token_url))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"].lower() == "bearer"
    assert "refresh_token" not in body, "backend services must not get refresh tokens"
    claims = decode_jwt(body["access_token"])
    assert claims["iss"] == idp.issuer
    assert idp.fhir_base_url in (claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]])
    assert claims["azp"] == smart_client.DEFAULT_CLIENT_ID
    assert SCOPE in claims["scope"].split()
    assert claims["exp"] - claims["iat"] == spec_identity["access_token_lifetime_seconds"]


def test_backend_gets_only_system_scopes(idp, backend_key) -> None:
    assertion = smart_client.client_assertion(backend_key, smart_client.DEFAULT_CLIENT_ID, idp.token_url)
    resp = _post(idp, assertion, scope="patient/*.rs")
    if resp.status_code == 200:
        granted = decode_jwt(resp.json()["access_token"]).get("scope", "").split()
        assert not [s for s in granted if s.startswith(("patient/", "user/"))], granted
    else:
        assert resp.status_code == 400 and resp.json()["error"] == "invalid_scope", resp.text


def test_replayed_jti_refused(idp, backend_key) -> None:
    assertion = smart_client.client_assertion(backend_key, smart_client.DEFAULT_CLIENT_ID, idp.token_url)
    first = _post(idp, assertion)
    assert first.status_code == 200, first.text
    replay = _post(idp, assertion)
    assert replay.status_code in (400, 401), replay.text
    assert "access_token" not in replay.text


def test_far_future_exp_without_iat_refused(idp, backend_key, spec_identity) -> None:
    ahead = spec_identity["client_assertion_max_lifetime_seconds"] + 3600
    assertion = smart_client.client_assertion(
        backend_key, smart_client.DEFAULT_CLIENT_ID, idp.token_url, lifetime=ahead, include_iat=False
    )
    resp = _post(idp, assertion)
    assert resp.status_code in (400, 401), resp.text


def test_expired_assertion_refused(idp, backend_key) -> None:
    assertion = smart_client.client_assertion(
        backend_key, smart_client.DEFAULT_CLIENT_ID, idp.token_url, now=int(time.time()) - 600
    )
    assert _post(idp, assertion).status_code in (400, 401)


def test_wrong_audience_refused(idp, backend_key) -> None:
    assertion = smart_client.client_assertion(
        backend_key, smart_client.DEFAULT_CLIENT_ID, "https://attacker.example/token"
    )
    assert _post(idp, assertion).status_code in (400, 401)


def test_unregistered_key_refused(idp) -> None:
    stranger = jwk.ECKey.generate_key("P-384", private=True, auto_kid=True)
    assertion = smart_client.client_assertion(stranger, smart_client.DEFAULT_CLIENT_ID, idp.token_url)
    assert _post(idp, assertion).status_code in (400, 401)


def test_wrong_algorithm_refused(idp, backend_key) -> None:
    """Only the pinned token.endpoint.auth.signing.alg (ES384) with the registered key: RS384, HS256 (a
    shared-secret forgery) and alg=none are refused."""
    rsa = jwk.RSAKey.generate_key(3072, private=True, auto_kid=True)
    assertion = smart_client.client_assertion(rsa, smart_client.DEFAULT_CLIENT_ID, idp.token_url, alg="RS384")
    assert _post(idp, assertion).status_code in (400, 401)
    now = int(time.time())
    claims = {
        "iss": smart_client.DEFAULT_CLIENT_ID,
        "sub": smart_client.DEFAULT_CLIENT_ID,
        "aud": idp.token_url,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 60,
    }
    hs = jwt.encode(
        {"alg": "HS256", "kid": backend_key.kid}, claims, jwk.OctKey.generate_key(256), algorithms=["HS256"]
    )
    assert _post(idp, hs).status_code in (400, 401)
    none_alg = _b64(b'{"alg":"none","typ":"JWT"}') + "." + _b64(json.dumps(claims).encode()) + "."
    assert _post(idp, none_alg).status_code in (400, 401)


def test_password_grant_refused_for_backend(idp) -> None:
    resp = idp.session().post(
        idp.token_url,
        data={"grant_type": "password", "client_id": smart_client.DEFAULT_CLIENT_ID, "username": "x", "password": "y"},
        timeout=30,
    )
    assert resp.status_code in (400, 401)
    assert "access_token" not in resp.text
