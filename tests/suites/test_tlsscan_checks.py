"""testssl JSON parsing and the TLS assertions, on a small fixture captured from the lab edge."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from fhirfort.suites.tlsscan import checks, targets, testssl

FIXTURE = Path(__file__).parent / "fixtures" / "testssl-edge.json"
SPEC_CIPHERS = {
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
}


@pytest.fixture
def results() -> list[dict]:
    return testssl.parse(FIXTURE.read_text())


def _eval(results: list[dict], **kw) -> list[checks.Finding]:
    return checks.evaluate(results, public=True, min_hsts=63072000, allowed_ciphers=SPEC_CIPHERS, **kw)


def _set(results: list[dict], rid: str, finding: str, severity: str = "INFO") -> list[dict]:
    out = copy.deepcopy(results)
    for r in out:
        if r["id"] == rid:
            r.update(finding=finding, severity=severity)
    return out


def test_parse_fixture(results) -> None:
    assert {"TLS1_2", "TLS1_3", "HSTS_time", "cert_chain_of_trust"} <= {r["id"] for r in results}
    ciphers = checks.offered_ciphers(results)
    assert {c["protocol"] for c in ciphers} == {"TLS 1.2", "TLS 1.3"}
    assert all(c["kx"].startswith("ECDH") for c in ciphers)


def test_the_lab_edge_passes(results) -> None:
    found = _eval(results)
    assert not [f for f in found if f.at_least("MEDIUM")], found


def test_old_protocol_fails(results) -> None:
    found = _eval(_set(results, "TLS1", "offered", "LOW"))
    assert any(f.check == "protocols" and f.severity == "HIGH" for f in found)


def test_cbc_and_weak_suites_fail(results) -> None:
    extra = {
        "id": "cipher-tls1_2_xc013",
        "severity": "INFO",
        "finding": "TLS 1.2   xc013   ECDHE-RSA-AES128-SHA   ECDH 253   AES   128   TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    }
    rc4 = {
        "id": "cipher-tls1_2_x05",
        "severity": "INFO",
        "finding": "TLS 1.2   x05   RC4-SHA   RSA   RC4   128   TLS_RSA_WITH_RC4_128_SHA",
    }
    found = _eval([*results, extra, rc4])
    sev = {(f.check, f.severity) for f in found}
    assert ("ciphers", "HIGH") in sev and ("ciphers", "CRITICAL") in sev
    assert any("3DES" in f.detail for f in _eval(_set(results, "cipherlist_3DES_IDEA", "offered", "HIGH")))


def test_hsts_chain_compression_renegotiation(results) -> None:
    assert any(f.check == "hsts" for f in _eval(_set(results, "HSTS_time", "180 days (=15552000 seconds)")))
    assert any(f.check == "chain" for f in _eval(_set(results, "cert_chain_of_trust", "failed (self signed)")))
    assert any(f.check == "compression" for f in _eval(_set(results, "CRIME_TLS", "VULNERABLE", "HIGH")))
    assert any(f.check == "renegotiation" for f in _eval(_set(results, "secure_client_renego", "VULNERABLE", "HIGH")))
    no_ext = _set(_set(results, "TLS_extensions", "'server name/#0'"), "secure_renego", "not supported", "HIGH")
    assert any(f.check == "renegotiation" for f in _eval(no_ext))


def test_waivers_and_leftovers(results) -> None:
    assert not any(f.check == "testssl:cert_revocation" for f in _eval(results))
    found = _eval(results, waivers={})
    assert any(f.check == "testssl:cert_revocation" and f.severity == "HIGH" for f in found)


def test_threshold() -> None:
    f = checks.Finding("x", "MEDIUM", "")
    assert f.at_least("LOW") and f.at_least("MEDIUM") and not f.at_least("HIGH")


def test_parse_pretty_layout() -> None:
    pretty = {"scanResult": [{"protocols": [{"id": "TLS1_2", "severity": "OK", "finding": "offered"}]}]}
    assert testssl.parse(json.dumps(pretty))[0]["id"] == "TLS1_2"


def test_plan_follows_the_flow_matrix() -> None:
    plan = {t.name: t for t in targets.plan("fhir.fhirfort.test", "198.18.10.10")}
    assert plan["edge"].scan_from is None and plan["edge"].public
    assert plan["fhir"].scan_from == "edge" and plan["fhir"].flow == "FLOW-03"
    assert plan["db"].starttls == "postgres" and plan["db"].scan_from in ("fhir", "idp")
    assert plan["logs"].port == 6514 and plan["logs"].scan_from
    assert all(t.scan_from for n, t in plan.items() if n != "edge"), "the machine reaches only the edge"


def test_missing_gost_engine_is_no_scan_failure_but_other_engine_problems_are() -> None:
    from fhirfort.suites.tlsscan.checks import leftovers

    gost = {
        "id": "engine_problem",
        "severity": "WARN",
        "finding": "No engine or GOST support via engine with your /usr/bin/openssl",
    }
    assert leftovers([gost], set(), {}) == []
    other = {"id": "engine_problem", "severity": "WARN", "finding": "engine failed to load"}
    assert [f.check for f in leftovers([other], set(), {})] == ["testssl:engine_problem"]
