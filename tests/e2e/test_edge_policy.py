"""EDGE-* and TLS-01 through the edge: TLS versions, redirects, headers, limits, unknown names, admin paths."""

from __future__ import annotations

import socket
import ssl

import pytest
import requests

pytestmark = pytest.mark.host


def _handshake(address: str, name: str, ca_cert: str, maximum: ssl.TLSVersion, minimum: ssl.TLSVersion) -> str:
    ctx = ssl.create_default_context(cafile=ca_cert)
    ctx.minimum_version = minimum
    ctx.maximum_version = maximum
    with socket.create_connection((address, 443), timeout=10) as raw, ctx.wrap_socket(raw, server_hostname=name) as s:
        return s.version() or ""


# TLS-01
def test_tls12_and_13_accepted(edge_address: str, edge_name: str, ca_cert: str) -> None:
    assert _handshake(edge_address, edge_name, ca_cert, ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    assert _handshake(edge_address, edge_name, ca_cert, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"


def test_tls11_refused(edge_address: str, edge_name: str, ca_cert: str) -> None:
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _handshake(edge_address, edge_name, ca_cert, ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1)


def test_cbc_suite_refused(edge_address: str, edge_name: str, ca_cert: str) -> None:
    ctx = ssl.create_default_context(cafile=ca_cert)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA")
    with pytest.raises(ssl.SSLError), socket.create_connection((edge_address, 443), timeout=10) as raw:
        ctx.wrap_socket(raw, server_hostname=edge_name)


# EDGE-07
def test_plain_http_only_redirects(edge_name: str) -> None:
    r = requests.get(f"http://{edge_name}/fhir/metadata?x=1", allow_redirects=False, timeout=10)
    assert r.status_code == 301
    assert r.headers["Location"] == f"https://{edge_name}/fhir/metadata?x=1"
    r = requests.post(f"http://{edge_name}/fhir/Patient", data=b"{}", allow_redirects=False, timeout=10)
    assert r.status_code == 301


# EDGE-05
def test_no_version_or_product_headers(fhir) -> None:
    r = fhir.request("GET", "metadata")
    assert "Server" not in r.headers
    assert "X-Powered-By" not in r.headers
    assert r.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"
    missing = fhir.request("GET", "/nonexistent-path-for-test")
    assert "Server" not in missing.headers


# EDGE-11 / EDGE-12
def test_admin_and_unknown_paths(fhir, origin: str) -> None:
    for path in ("/admin", "/admin/realms", "/realms/master/admin/", "/actuator/health", "/"):
        r = fhir.session.get(origin + path, timeout=10)
        assert r.status_code in (403, 404), path
        assert r.json()["resourceType"] == "OperationOutcome"


# EDGE-08
def test_unknown_host_refused(fhir, origin: str) -> None:
    try:
        r = fhir.session.get(origin + "/fhir/metadata", headers={"Host": "evil.example"}, timeout=10)
    except requests.ConnectionError:
        return
    assert r.status_code in (400, 421)


def test_unknown_sni_refused(edge_address: str, ca_cert: str) -> None:
    ctx = ssl.create_default_context(cafile=ca_cert)
    ctx.check_hostname = False
    with socket.create_connection((edge_address, 443), timeout=10) as raw, pytest.raises((ssl.SSLError, OSError)):
        ctx.wrap_socket(raw, server_hostname="evil.example")


# EDGE-06: client-supplied forwarding headers do not reach the application as given
def test_forwarded_headers_overwritten(fhir) -> None:
    r = fhir.request("GET", "metadata", headers={"X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"})
    assert r.status_code == 200
    assert "evil.example" not in r.text


# EDGE-03
def test_body_size_limit(fhir) -> None:
    big = b'{"resourceType":"Patient","text":{"status":"generated","div":"' + b"a" * (11 * 1024 * 1024) + b'"}}'
    try:
        r = fhir.request("POST", "Patient", data=big, headers={"Content-Type": "application/fhir+json"})
    except requests.ConnectionError:
        return
    assert r.status_code == 413
