"""SMART App Launch against Keycloak's real login pages (IDP-06): the public app gets a code only with PKCE S256
and an exact redirect URI, and only after password AND a TOTP code; the token carries fhirUser, patient and
the FHIR server as audience; refresh tokens are single use and die with the session; no password grant."""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import urlencode

import pyotp
import pytest
import requests

from .smart_helpers import auth_params, decode_jwt, form_action, pkce_pair, query_of, wait_fresh_totp_window

pytestmark = pytest.mark.host

CLIENT_ID = "fhirfort-public-app"
REDIRECT_URI = "https://app.fhirfort.test/callback"
USERNAME = "sample.patient"
PATIENT_ID = "example-patient-1"
SCOPE = "openid fhirUser launch/patient patient/*.rs online_access"


def _totp(idp) -> pyotp.TOTP:
    raw = idp.secrets["keycloak_sample_user_totp_secret"].encode()
    return pyotp.TOTP(base64.b32encode(raw).decode())


def _authorize(session: requests.Session, idp, **overrides: Any) -> requests.Response:
    params = auth_params(CLIENT_ID, REDIRECT_URI, SCOPE, None, None, aud=idp.fhir_base_url)
    params.update({k: v for k, v in overrides.items() if v is not None})
    for k in [k for k, v in overrides.items() if v is None]:
        params.pop(k, None)
    return session.get(f"{idp.auth_url}?{urlencode(params)}", allow_redirects=False, timeout=30)


def login(idp, totp_clock: dict, scope: str = SCOPE) -> dict[str, Any]:
    """Drive the login form (password, then TOTP) and exchange the code with the PKCE verifier."""
    session = idp.session()
    verifier, challenge = pkce_pair()
    page = _authorize(session, idp, code_challenge=challenge, code_challenge_method="S256", scope=scope)
    assert page.status_code == 200, page.text[:300]
    pwd = session.post(
        form_action(page.text),
        data={"username": USERNAME, "password": idp.secrets["keycloak_sample_user_password"], "credentialId": ""},
        allow_redirects=False,
        timeout=30,
    )
    # password alone never yields a code: the OTP form follows
    assert pwd.status_code == 200, f"expected the OTP form, got HTTP {pwd.status_code} {pwd.headers.get('Location')}"
    assert 'name="otp"' in pwd.text, pwd.text[:400]
    wait_fresh_totp_window(totp_clock["last"])
    code_page = session.post(
        form_action(pwd.text), data={"otp": _totp(idp).now(), "login": "Sign In"}, allow_redirects=False, timeout=30
    )
    totp_clock["last"] = time.time()
    assert code_page.status_code == 302, code_page.text[:400]
    location = code_page.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    answer = query_of(location)
    assert "code" in answer, answer
    token = session.post(
        idp.token_url,
        data={
            "grant_type": "authorization_code",
            "code": answer["code"],
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "code_verifier": verifier,
        },
        timeout=30,
    )
    assert token.status_code == 200, token.text
    return token.json()


def _refresh(idp, refresh_token: str) -> requests.Response:
    return idp.session().post(
        idp.token_url,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT_ID},
        timeout=30,
    )


@pytest.fixture(scope="module")
def tokens(idp, totp_clock) -> dict[str, Any]:
    return login(idp, totp_clock)


def test_unregistered_redirect_uri_refused(idp) -> None:
    _, challenge = pkce_pair()
    resp = _authorize(
        idp.session(),
        idp,
        redirect_uri="https://attacker.example/callback",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert resp.status_code == 400
    assert "attacker.example" not in resp.headers.get("Location", "")


def test_redirect_uri_prefix_not_enough(idp) -> None:
    _, challenge = pkce_pair()
    resp = _authorize(
        idp.session(),
        idp,
        redirect_uri=REDIRECT_URI + "/../evil",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    # Keycloak refuses it (400); through the edge the WAF's path-traversal rule may refuse it first (403)
    assert resp.status_code in (400, 403)
    assert "evil" not in resp.headers.get("Location", "")


@pytest.mark.parametrize(
    ("challenge_method", "why"),
    [(None, "PKCE missing"), ("plain", "PKCE plain")],
)
def test_pkce_required_s256(idp, challenge_method: str | None, why: str) -> None:
    verifier, _ = pkce_pair()
    overrides: dict[str, Any] = {"code_challenge_method": challenge_method}
    overrides["code_challenge"] = None if challenge_method is None else verifier
    resp = _authorize(idp.session(), idp, **overrides)
    assert resp.status_code in (302, 400), why
    if resp.status_code == 302:
        answer = query_of(resp.headers["Location"])
        assert answer.get("error") == "invalid_request", (why, answer)
        assert "code" not in answer


def test_implicit_flow_refused(idp) -> None:
    _, challenge = pkce_pair()
    resp = _authorize(idp.session(), idp, response_type="token", code_challenge=challenge, code_challenge_method="S256")
    if resp.status_code == 302:
        location = resp.headers["Location"]
        assert "access_token" not in location
        assert "error=" in location
    else:
        assert resp.status_code == 400


def test_password_grant_refused(idp) -> None:
    resp = idp.session().post(
        idp.token_url,
        data={
            "grant_type": "password",
            "client_id": CLIENT_ID,
            "username": USERNAME,
            "password": idp.secrets["keycloak_sample_user_password"],
            "scope": "openid",
        },
        timeout=30,
    )
    assert resp.status_code in (400, 401), resp.text
    assert "access_token" not in resp.text


def test_code_flow_token_carries_smart_context(idp, tokens) -> None:
    claims = decode_jwt(tokens["access_token"])
    assert claims["iss"] == idp.issuer
    aud = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    assert idp.fhir_base_url in aud
    assert claims["fhirUser"] == f"Patient/{PATIENT_ID}"
    assert claims["patient"] == PATIENT_ID
    assert tokens.get("patient") == PATIENT_ID, sorted(tokens)  # SMART: the launch context in the token response
    granted = claims["scope"].split()
    for scope in ("fhirUser", "launch/patient", "patient/*.rs"):
        assert scope in granted, granted
    assert claims["azp"] == CLIENT_ID
    id_claims = decode_jwt(tokens["id_token"])
    assert id_claims["fhirUser"] == f"Patient/{PATIENT_ID}"


def test_code_cannot_be_exchanged_without_verifier(idp, totp_clock) -> None:
    """A stolen code is useless without the PKCE verifier (checked on a fresh code)."""
    session = idp.session()
    _, challenge = pkce_pair()
    # reuse the SSO session of the module's login? A fresh browser session needs password + OTP again.
    page = _authorize(session, idp, code_challenge=challenge, code_challenge_method="S256")
    assert page.status_code == 200
    pwd = session.post(
        form_action(page.text),
        data={"username": USERNAME, "password": idp.secrets["keycloak_sample_user_password"], "credentialId": ""},
        allow_redirects=False,
        timeout=30,
    )
    wait_fresh_totp_window(totp_clock["last"])
    code_page = session.post(form_action(pwd.text), data={"otp": _totp(idp).now()}, allow_redirects=False, timeout=30)
    totp_clock["last"] = time.time()
    code = query_of(code_page.headers["Location"])["code"]
    resp = session.post(
        idp.token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID},
        timeout=30,
    )
    assert resp.status_code == 400, resp.text


def test_refresh_token_single_use(idp, tokens) -> None:
    first = tokens["refresh_token"]
    rotated = _refresh(idp, first)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refresh_token"] != first
    reused = _refresh(idp, first)
    assert reused.status_code == 400, reused.text
    assert reused.json()["error"] == "invalid_grant"


def test_refresh_after_logout_refused(idp, totp_clock) -> None:
    fresh = login(idp, totp_clock)
    alive = _refresh(idp, fresh["refresh_token"])
    assert alive.status_code == 200, alive.text
    current = alive.json()["refresh_token"]
    out = idp.session().post(
        idp.logout_url, data={"client_id": CLIENT_ID, "refresh_token": current}, allow_redirects=False, timeout=30
    )
    assert out.status_code in (200, 204), out.text
    after = _refresh(idp, current)
    assert after.status_code == 400, after.text
    assert after.json()["error"] == "invalid_grant"


def test_public_app_gets_no_offline_access(idp) -> None:
    """IDP-09: a browser app's refresh token must die with the session: offline_access is not one of its scopes,
    so Keycloak refuses the request before any login (no login form is shown)."""
    _, challenge = pkce_pair()
    resp = _authorize(
        idp.session(), idp, scope=f"{SCOPE} offline_access", code_challenge=challenge, code_challenge_method="S256"
    )
    if resp.status_code == 302:
        assert query_of(resp.headers["Location"]).get("error") == "invalid_scope", resp.headers["Location"]
    else:
        assert resp.status_code == 400 and 'name="password"' not in resp.text, resp.text[:300]


@pytest.mark.parametrize("client_id", ["admin-cli", "security-admin-console", "account", "account-console", "broker"])
def test_builtin_clients_refuse_the_password_grant(idp, client_id: str) -> None:
    """IDP-09: Keycloak's built-in clients of the realm grant no token for a password (ROPC). The answer must not
    be invalid_grant (that would mean the grant ran and only the credentials were wrong): an unknown user is sent,
    so no account is locked."""
    resp = idp.session().post(
        idp.token_url,
        data={"grant_type": "password", "client_id": client_id, "username": "no-such-user", "password": "x" * 16},
        timeout=30,
    )
    assert resp.status_code in (400, 401), resp.text
    assert resp.json().get("error") in ("unauthorized_client", "invalid_client"), resp.text
