"""Who answered (edge / application / nobody), the verdicts, the WAF-log attribution and the report maths."""

from __future__ import annotations

from fhirfort.suites.attack import modsec_log, outcome, report
from fhirfort.suites.attack.corpus import Entry
from fhirfort.suites.attack.runner import Result
from fhirfort.suites.attack.transport import Response, parse_raw_responses

RID = "0123456789abcdef" * 2  # an edge request id (32 hex)
EDGE_403 = (
    '{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden",'
    f'"diagnostics":"Request refused by the edge policy; request id {RID}"}}]}}\n'
)
HAPI_400 = (
    '{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"HAPI-2016"}]}'
)
NGINX_501 = (
    "<html>\r\n<head><title>501 Not Implemented</title></head>\r\n<body>\r\n"
    "<center><h1>501 Not Implemented</h1></center>\r\n<hr><center>nginx</center>"
)


def _e(kind: str = "attack", cls: str = "sqli_search", eid: str = "a1") -> Entry:
    return Entry(id=eid, kind=kind, cls=cls, method="GET", target="{base}/Patient?name=x")


def test_origin() -> None:
    assert outcome.origin_of(Response(status=403, body=EDGE_403)) == ("edge", RID)
    assert outcome.origin_of(Response(status=400, body=HAPI_400)) == ("app", "")
    assert outcome.origin_of(Response(status=501, body=NGINX_501))[0] == "edge"
    assert outcome.origin_of(Response(error="closed")) == ("none", "")


def test_attack_verdicts() -> None:
    assert outcome.judge(_e(), Response(status=403, body=EDGE_403)).outcome == "refused"
    assert outcome.judge(_e(), Response(status=400, body=HAPI_400)).outcome == "missed"
    assert outcome.judge(_e(), Response(status=200, body="{}")).outcome == "missed"
    assert outcome.judge(_e(cls="smuggling"), Response(error="closed: no answer")).outcome == "refused"
    two = Response(status=400, body=EDGE_403, responses=2)
    assert outcome.judge(_e(cls="smuggling"), two).outcome == "missed"
    assert outcome.judge(_e(), Response(status=429, body=EDGE_403)).outcome == "throttled"


def test_legit_verdicts() -> None:
    legit = _e(kind="legit", cls="read")
    assert outcome.judge(legit, Response(status=403, body=EDGE_403)).outcome == "false_positive"
    assert outcome.judge(legit, Response(status=405, body=HAPI_400)).outcome == "passed"
    assert outcome.judge(legit, Response(status=201, body="{}")).outcome == "passed"
    down = EDGE_403.replace("forbidden", "transient")
    assert outcome.judge(legit, Response(status=502, body=down)).outcome == "error", "not a false positive"
    assert outcome.judge(legit, Response(status=401, body=down)).outcome == "error"


def test_raw_response_split() -> None:
    data = (
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nok"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
    )
    assert [s for s, _ in parse_raw_responses(data)] == [400, 200]
    assert parse_raw_responses(b"") == []


LOG = (
    '2026/11/23 06:17:26 [info] 79#79: *33 ModSecurity: Warning. detected SQLi using libinjection. [file "x"] '
    '[line "46"] [id "942100"] [rev ""] [msg "SQL Injection Attack Detected via libinjection"] '
    '[data "Matched Data: s&1c found within ARGS:name: 1\' OR 1=1--"] [severity "2"] [hostname "198.18.10.10"] '
    '[uri "/fhir/Patient"] [unique_id "179541464689.434578"] [ref "v23,11"], client: 198.18.0.1, server: x, '
    'request: "GET /fhir/Patient?name=1\'%20OR%201=1-- HTTP/1.1", host: "fhir.fhirfort.test"\n'
    "2026/11/23 06:17:26 [error] 79#79: *33 [client 198.18.0.1] ModSecurity: Access denied with code 403 "
    '(phase 2). [id "949110"] [msg "Inbound Anomaly Score Exceeded (Total Score: 5)"] '
    '[unique_id "179541464689.434578"] [ref ""], client: 198.18.0.1, server: x, '
    'request: "GET /fhir/Patient?name=1\'%20OR%201=1-- HTTP/1.1", host: "fhir.fhirfort.test"\n'
)


def test_modsec_log_parse_and_attribute() -> None:
    txs = modsec_log.parse(LOG)
    assert len(txs) == 1
    tx = txs[0]
    assert tx.denied and tx.rule_ids == ["942100", "949110"] and tx.epoch == 1795414646
    assert modsec_log.detection_rules(tx) == ["942100"]
    line = "GET /fhir/Patient?name=1'%20OR%201=1--"
    legit_same_line = modsec_log.Sent("l1", line, 1795414646.0, 1795414646.1, waf_refused=False)
    attack = modsec_log.Sent("a1", line, 1795414646.2, 1795414646.3, waf_refused=True)
    got = modsec_log.attribute(txs, [legit_same_line, attack])
    assert list(got) == ["a1"], "a passed request is not given a denied transaction"
    late = modsec_log.Sent("a2", line, 1795414700.0, 1795414700.1, waf_refused=True)
    assert modsec_log.attribute(modsec_log.parse(LOG), [late]) == {}


def _result(kind: str, cls: str, verdict: str, eid: str) -> Result:
    return Result(_e(kind, cls, eid), Response(status=403), outcome.Verdict("edge", verdict), 1, 0.0)


def test_report_maths() -> None:
    results = [_result("attack", "sqli_search", "refused", f"a{i}") for i in range(19)]
    results.append(_result("attack", "sqli_search", "missed", "a19"))
    results += [_result("attack", "ssti", "refused", "s1"), _result("attack", "ssti", "missed", "s2")]
    results += [_result("legit", "read", "passed", "l1")]
    rep = report.build(results, {}, report.Goals(), {})
    assert rep["classes"]["sqli_search"]["block_rate"] == 0.95
    assert rep["classes"]["ssti"]["block_rate"] == 0.5
    assert rep["summary"]["classes_below_goal"] == ["ssti"]
    assert rep["summary"]["block_rate"] == round(20 / 22, 4)
    assert rep["summary"]["ok"] is False
    ok = report.build(results[:19] + results[-1:], {}, report.Goals(), {})
    assert ok["summary"]["ok"] is True and ok["summary"]["false_positives"] == 0
    fp = report.build([*results[:19], _result("legit", "read", "false_positive", "l2")], {}, report.Goals(), {})
    assert fp["summary"]["false_positives"] == 1 and fp["summary"]["ok"] is False
    assert "| sqli_search | 19 |" in report.markdown(fp)
