"""SMART on FHIR through the edge (host tier): the edge refuses requests without a bearer token (EDGE-13,
defense in depth) and the FHIR server refuses forged, unsigned and under-scoped tokens."""

from __future__ import annotations

import base64
import json

import pytest

pytestmark = pytest.mark.host

FJ = {"Content-Type": "application/fhir+json"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _assert_edge_401(r) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="fhir"'
    assert r.headers["Content-Type"].startswith("application/fhir+json")
    body = r.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "login"
    assert r.headers.get("Cache-Control") == "no-store"


def test_discovery_and_metadata_open_without_token(fhir) -> None:
    assert fhir.request("GET", "metadata", bearer=False).status_code == 200
    assert fhir.request("HEAD", "metadata", bearer=False).status_code == 200
    conf = fhir.request("GET", ".well-known/smart-configuration", bearer=False)
    assert conf.status_code == 200
    assert "private_key_jwt" in conf.json()["token_endpoint_auth_methods_supported"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "Patient"), ("GET", "Patient/p-obrien"), ("POST", "Patient"), ("POST", ""), ("POST", "metadata")],
)
def test_no_token_refused_at_the_edge(fhir, method: str, path: str) -> None:
    r = fhir.request(method, path, bearer=False, json={"resourceType": "Patient"} if method == "POST" else None)
    _assert_edge_401(r)


def test_other_schemes_refused_at_the_edge(fhir) -> None:
    for value in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc"):
        _assert_edge_401(fhir.request("GET", "Patient", headers={"Authorization": value}))


def test_forged_signature_is_401(fhir) -> None:
    header, body, sig = fhir.token().split(".")
    raw = bytearray(_unb64(sig))
    raw[len(raw) // 2] ^= 0x01
    r = fhir.request("GET", "Patient", bearer=f"{header}.{body}.{_b64(bytes(raw))}")
    assert r.status_code == 401, r.text
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert "Exception" not in r.text


def test_widened_claims_are_401(fhir) -> None:
    header, body, sig = fhir.token("system/*.rs").split(".")
    claims = json.loads(_unb64(body))
    claims["scope"] = "system/*.cruds system/AuditEvent.rs"
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{sig}"
    r = fhir.request("POST", "Patient", bearer=forged, json={}, headers=FJ)
    assert r.status_code == 401, r.text


def test_alg_none_is_401(fhir) -> None:
    _header, body, _sig = fhir.token().split(".")
    unsigned = _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    for token in (f"{unsigned}.{body}.", f"{unsigned}.{body}"):
        r = fhir.request("GET", "Patient", bearer=token)
        assert r.status_code == 401, r.text
        assert r.headers["WWW-Authenticate"].startswith('Bearer realm="fhir"')


def test_read_only_token_cannot_write_403(fhir) -> None:
    token = fhir.token("system/*.rs")
    assert fhir.request("GET", "Patient?_count=1", bearer=token).status_code == 200
    r = fhir.request("POST", "Patient", bearer=token, json={"resourceType": "Patient", "active": True}, headers=FJ)
    assert r.status_code == 403, r.text
    assert 'error="insufficient_scope"' in r.headers["WWW-Authenticate"]
    assert r.json()["resourceType"] == "OperationOutcome"


def test_authenticated_answers_not_cached(fhir) -> None:
    r = fhir.request("GET", "Patient?_count=1")
    assert r.status_code == 200
    assert r.headers.get("Cache-Control") == "no-store"
