"""Helpers of the identity e2e tests: PKCE, form scraping of Keycloak's login pages, JWT claims, TOTP windows."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit


def decode_jwt(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified (signature checks are the FHIR server's; these tests read claims)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


FORM_ACTION = re.compile(r'<form[^>]*\baction="([^"]+)"', re.IGNORECASE)


def form_action(page: str) -> str:
    m = FORM_ACTION.search(page)
    assert m, f"no form in the page: {page[:400]}"
    return html.unescape(m.group(1))


def auth_params(
    client_id: str, redirect_uri: str, scope: str, challenge: str | None, method: str | None, aud: str | None = None
) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
    }
    if aud:
        params["aud"] = aud
    if challenge is not None:
        params["code_challenge"] = challenge
    if method is not None:
        params["code_challenge_method"] = method
    return params


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def wait_fresh_totp_window(last_used: float | None) -> None:
    """TOTP codes are single use (otpPolicyCodeReusable=false): never submit two codes of one 30 s window."""
    if last_used is not None and int(time.time()) // 30 == int(last_used) // 30:
        time.sleep(30 - time.time() % 30 + 1)
