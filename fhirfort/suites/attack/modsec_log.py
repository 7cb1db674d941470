"""The edge's ModSecurity event log: read the part written during a run and attribute rule ids to requests.

nginx writes every ModSecurity match (info, "ModSecurity: Warning.") and refusal (error, "Access denied") to
the TLS server's event log (roles/edge_waf: edge_waf_waf_event_log_path) with the rule id, message, matched
data, ModSecurity's unique_id and the request line. Refused requests have no JSON audit record (connector
1.0.3, see the role README), so this log is the source. A transaction is attributed to a corpus request by its
exact request line, in sending order among requests with the same line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import yaml

from fhirfort import REPO_ROOT
from fhirfort.suites import lab

DEFAULT_EVENT_LOG = "/var/log/nginx/modsec-events.log"
MAX_READ = 64 * 1024 * 1024
SUMMARY_RULES = frozenset({"949110", "980130", "959100", "980140"})

_LINE = re.compile(r"ModSecurity: (?P<kind>Warning|Access denied)")
_FIELD = re.compile(r'\[(?P<k>id|msg|data|unique_id|uri) "(?P<v>(?:[^"\\]|\\.)*)"\]')
_REQUEST = re.compile(r', request: "(?P<req>(?:[^"\\]|\\.)*)"')


@dataclass
class Transaction:
    unique_id: str
    request_line: str = ""
    denied: bool = False
    epoch: int = 0  # ModSecurity's unique_id starts with the transaction's start time (seconds)
    rules: list[dict[str, str]] = field(default_factory=list)

    @property
    def rule_ids(self) -> list[str]:
        seen: list[str] = []
        for r in self.rules:
            if r["id"] not in seen:
                seen.append(r["id"])
        return seen


def event_log_path() -> str:
    """The role's configured path (read-only look at roles/edge_waf/defaults), else the default."""
    defaults = REPO_ROOT / "roles" / "edge_waf" / "defaults" / "main.yml"
    try:
        data = yaml.safe_load(defaults.read_text()) or {}
        return str(data.get("edge_waf_waf_event_log_path") or DEFAULT_EVENT_LOG)
    except (OSError, yaml.YAMLError):
        return DEFAULT_EVENT_LOG


def log_size(path: str, host: str = "edge") -> int:
    res = lab.exec_in(host, ["stat", "-c", "%s", path], timeout=15)
    if res.returncode != 0:
        raise lab.LabError(f"{host}: cannot stat {path}: {res.stderr.strip()}")
    return int(res.stdout.strip())


def read_since(path: str, offset: int, host: str = "edge") -> str:
    res = lab.exec_in(host, ["sh", "-c", f"tail -c +{offset + 1} {path} | head -c {MAX_READ}"], timeout=60)
    if res.returncode != 0:
        raise lab.LabError(f"{host}: cannot read {path}: {res.stderr.strip()}")
    return str(res.stdout)


def _unescape(s: str) -> str:
    return s.replace('\\"', '"').replace("\\\\", "\\")


def parse(text: str) -> list[Transaction]:
    """Transactions in log order (first appearance of each unique_id)."""
    by_id: dict[str, Transaction] = {}
    for line in text.splitlines():
        m = _LINE.search(line)
        if not m:
            continue
        fields: dict[str, str] = {}
        for f in _FIELD.finditer(line):
            fields.setdefault(f.group("k"), _unescape(f.group("v")))
        uid = fields.get("unique_id")
        if not uid:
            continue
        tx = by_id.setdefault(uid, Transaction(uid, epoch=int(uid[:10]) if uid[:10].isdigit() else 0))
        req = _REQUEST.search(line)
        if req and not tx.request_line:
            tx.request_line = _unescape(req.group("req"))
        if m.group("kind") == "Access denied":
            tx.denied = True
        if "id" in fields:
            tx.rules.append({"id": fields["id"], "msg": fields.get("msg", ""), "data": fields.get("data", "")[:240]})
    return list(by_id.values())


def _key(request_line: str) -> str:
    """METHOD TARGET without the protocol (nginx logs 'GET /x HTTP/1.1')."""
    parts = request_line.split(" ")
    if len(parts) >= 3 and parts[-1].startswith("HTTP/"):
        parts = parts[:-1]
    return " ".join(parts)


@dataclass(frozen=True)
class Sent:
    """A request as the runner sent it: id, request line, wall-clock window, and whether the WAF refused it."""

    id: str
    request_line: str
    started: float
    finished: float
    waf_refused: bool


def attribute(transactions: list[Transaction], sent: list[Sent], slack: float = 1.0) -> dict[str, Transaction]:
    """{request id: transaction}. Requests with the same request line never overlap (the runner serialises
    them), so their transactions appear in sending order; a request that matched no rule has no transaction,
    so each one is taken only if its start second lies in the request's window and its `denied` agrees with
    what the client saw."""
    queues: dict[str, list[Transaction]] = defaultdict(list)
    for tx in transactions:
        queues[_key(tx.request_line)].append(tx)
    out: dict[str, Transaction] = {}
    for s in sorted(sent, key=lambda x: x.started):
        q = queues.get(_key(s.request_line))
        while q and q[0].epoch and q[0].epoch < int(s.started - slack):
            q.pop(0)  # belongs to nobody we sent (another client)
        if not q:
            continue
        tx = q[0]
        in_window = not tx.epoch or tx.epoch <= s.finished + slack
        if in_window and tx.denied == s.waf_refused:
            out[s.id] = q.pop(0)
    return out


def detection_rules(tx: Transaction | None) -> list[str]:
    return [r for r in tx.rule_ids if r not in SUMMARY_RULES] if tx else []
