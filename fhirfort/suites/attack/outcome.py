"""Who answered and what it means: an edge refusal, an application answer, or no answer at all.

The edge answers every status it produces itself with a small OperationOutcome whose diagnostics end in
`; request id <32 hex>` (roles/edge_waf error_pages, EDGE-09), or with the 421 "Unknown host" body; HAPI's
OperationOutcomes never carry that suffix. A WAF block is a 403 with the edge's body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fhirfort.suites.attack.corpus import CLASSES, Entry
from fhirfort.suites.attack.transport import Response

_EDGE_DIAG = re.compile(r'"diagnostics":"([^"]*); request id ([0-9a-f]{32})"')
_EDGE_421 = '"diagnostics":"Unknown host"'
# nginx's built-in error page (statuses without an error_page, e.g. 501/505, or errors before the server's
# configuration applies): a refusal by the edge, though it names the product (reported as a finding)
_NGINX_PAGE = re.compile(r"<center><h1>\d{3} [^<]*</h1></center>\s*<hr><center>nginx")
THROTTLED = 429
UNAUTHENTICATED = 401
UPSTREAM_DOWN = frozenset({502, 503, 504})


@dataclass(frozen=True)
class Verdict:
    origin: str  # edge | app | none
    outcome: str  # refused | missed | passed | false_positive | throttled | error
    request_id: str = ""
    detail: str = ""


def origin_of(resp: Response) -> tuple[str, str]:
    """('edge', request id) | ('app', '') | ('none', '')."""
    if resp.status is None:
        return "none", ""
    m = _EDGE_DIAG.search(resp.body[:2000])
    if m and resp.body.lstrip().startswith('{"resourceType":"OperationOutcome"'):
        return "edge", m.group(2)
    if _EDGE_421 in resp.body[:500]:
        return "edge", ""
    if _NGINX_PAGE.search(resp.body[:1000]):
        return "edge", "nginx-default-page"
    return "app", ""


def _closed(resp: Response) -> bool:
    err = resp.error or ""
    return resp.status is None and any(
        s in err for s in ("closed", "RemoteDisconnected", "ConnectionReset", "BrokenPipe", "EOF", "SSLZeroReturn")
    )


def judge(entry: Entry, resp: Response) -> Verdict:
    origin, rid = origin_of(resp)
    if resp.status == THROTTLED:
        return Verdict(origin, "throttled", rid, "429 from the rate limit (retries exhausted)")
    if resp.status == UNAUTHENTICATED:
        return Verdict(origin, "error", rid, "401: the bearer token is missing, invalid or expired")
    if origin == "edge" and resp.status in UPSTREAM_DOWN:
        return Verdict(origin, "error", rid, f"edge {resp.status}: the application was unavailable")
    if entry.kind == "attack":
        refused = CLASSES[entry.cls]["refused"]
        if resp.responses > 1:
            return Verdict(origin, "missed", rid, f"{resp.responses} answers on one connection (smuggled request)")
        if origin == "edge" and resp.status in refused:
            return Verdict(origin, "refused", rid, f"edge {resp.status}")
        if _closed(resp):
            return Verdict(origin, "refused", rid, f"connection closed by the edge ({resp.error})")
        if resp.status is None:
            return Verdict(origin, "error", rid, resp.error or "no answer")
        if origin == "edge":
            return Verdict(origin, "missed", rid, f"edge {resp.status} is not a refusal for {entry.cls}")
        return Verdict(origin, "missed", rid, f"reached the application: HTTP {resp.status}")
    if resp.status is None:
        if _closed(resp):
            return Verdict(origin, "false_positive", rid, f"connection closed ({resp.error})")
        return Verdict(origin, "error", rid, resp.error or "no answer")
    if origin == "edge" and resp.status >= 400:
        return Verdict(origin, "false_positive", rid, f"edge {resp.status}")
    return Verdict(origin, "passed", rid, f"HTTP {resp.status}")
