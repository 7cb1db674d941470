"""The attack and legitimate request corpus (suites/corpus/*.jsonl): schema, loading, stratified subsets.

One JSON object per line:
  id        unique, e.g. atk-sqli_search-003 / leg-search-017
  kind      "attack" (must be refused) or "legit" (must not be refused by the edge)
  class     the attack class (CLASSES) or the legitimate request family
  method    HTTP method; target: request-target with `{base}` for the FHIR base path (already encoded,
            sent byte for byte)
  headers   list of [name, value] pairs (duplicates allowed)
  body      text body or null; body_gen: {"kind": ..., ...} for large bodies generated at run time
  raw       for transport "raw": the whole request with {host}/{base}/{auth} placeholders, sent as is
            over TLS (smuggling and header abuse, which an HTTP library would normalise)
  phase     legit requests run in phases (0 create/read, 1 patch/update of phase-0 resources, 2 delete)
  note      what the entry tests
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fhirfort.suites import CORPUS_DIR

ATTACKS_FILE = CORPUS_DIR / "attacks.jsonl"
LEGIT_FILE = CORPUS_DIR / "legit.jsonl"

# Edge refusals: statuses the edge answers itself (ModSecurity deny, nginx limits and parsing, the
# catch-all); each must come with the edge's own OperationOutcome body (see outcome.py) or a closed
# connection. A HAPI 4xx to an attack is NOT a refusal: the request reached the application.
CONTENT_REFUSALS = frozenset({400, 403})
CLASSES: dict[str, dict[str, Any]] = {
    "sqli_search": {"refused": CONTENT_REFUSALS, "doc": "SQL injection in FHIR search parameters"},
    "sqli_json": {"refused": CONTENT_REFUSALS, "doc": "SQL injection in FHIR JSON body fields"},
    "xss_narrative": {"refused": CONTENT_REFUSALS, "doc": "active content in Resource.text.div (txt-1)"},
    "xss_string": {"refused": CONTENT_REFUSALS, "doc": "XSS in string fields and search parameters"},
    "cmd_injection": {"refused": CONTENT_REFUSALS, "doc": "OS command injection in parameters and bodies"},
    "path_traversal": {
        "refused": CONTENT_REFUSALS | {404},
        "doc": "traversal on resource ids and _format; an edge 404 means the normalised path left the FHIR "
        "base and hit the edge's catch-all (never forwarded)",
    },
    "xxe": {"refused": CONTENT_REFUSALS | {413}, "doc": "XXE and entity expansion in FHIR XML"},
    "ssrf": {"refused": CONTENT_REFUSALS, "doc": "SSRF via absolute/internal URLs in references and _include"},
    "smuggling": {
        "refused": frozenset({400, 403, 405, 413, 414, 421, 431, 444, 501, 505}),
        "doc": "request smuggling and header abuse (raw TLS): refused or connection closed, never two answers",
    },
    "oversize": {
        "refused": frozenset({400, 403, 413, 414, 431}),
        "doc": "oversized and deeply nested bodies, URIs and headers",
    },
    "scanner": {"refused": CONTENT_REFUSALS, "doc": "scanner signatures (User-Agent, scanner headers)"},
    "method_tampering": {
        "refused": frozenset({400, 403, 405, 501}),
        "doc": "TRACE/TRACK/CONNECT/WebDAV/arbitrary verbs and method overrides",
    },
    "format_confusion": {
        "refused": frozenset({400, 403, 415}),
        "doc": "_format / Content-Type confusion (non-FHIR media types, charsets, HTML rendering)",
    },
    "jndi": {"refused": CONTENT_REFUSALS, "doc": "log4shell-style JNDI lookups in headers, parameters, bodies"},
    "nosql_injection": {"refused": CONTENT_REFUSALS, "doc": "MongoDB-style operator injection"},
    "ldap_injection": {"refused": CONTENT_REFUSALS, "doc": "LDAP filter injection"},
    "ssti": {"refused": CONTENT_REFUSALS, "doc": "server-side template / expression language injection"},
    "admin_operation": {
        "refused": CONTENT_REFUSALS | {404, 405},
        "doc": "administrative and bulk operations the kit does not offer ($expunge, $reindex, $export, $import, "
        "$get-resource-counts, system _history, $graphql, $diff...), in any spelling",
    },
    "log_injection": {
        "refused": CONTENT_REFUSALS,
        "doc": "CR/LF that forges log lines: JSON keys, resourceType, search parameter names and ids, headers, "
        "JSON Patch paths",
    },
}


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    cls: str
    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    body_gen: dict[str, Any] | None = None
    raw: str | None = None
    phase: int = 0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def transport(self) -> str:
        return "raw" if self.raw is not None else "http"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "class": self.cls,
            "method": self.method,
            "target": self.target,
            "headers": [list(h) for h in self.headers],
            "body": self.body,
        }
        if self.body_gen is not None:
            out["body_gen"] = self.body_gen
        if self.raw is not None:
            out["raw"] = self.raw
        if self.phase:
            out["phase"] = self.phase
        out["note"] = self.note
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(
            id=str(data["id"]),
            kind=str(data["kind"]),
            cls=str(data["class"]),
            method=str(data["method"]),
            target=str(data["target"]),
            headers=tuple((str(k), str(v)) for k, v in data.get("headers", [])),
            body=data.get("body"),
            body_gen=data.get("body_gen"),
            raw=data.get("raw"),
            phase=int(data.get("phase", 0)),
            note=str(data.get("note", "")),
        )


class CorpusError(ValueError):
    """The corpus file breaks the schema."""


def validate(entries: list[Entry]) -> None:
    seen: set[str] = set()
    for e in entries:
        where = f"corpus entry {e.id}"
        if e.id in seen:
            raise CorpusError(f"{where}: duplicate id")
        seen.add(e.id)
        if e.kind not in ("attack", "legit"):
            raise CorpusError(f"{where}: kind must be attack or legit")
        if e.kind == "attack" and e.cls not in CLASSES:
            raise CorpusError(f"{where}: unknown attack class {e.cls}")
        if not e.method or not e.target.startswith(("{base}", "/")):
            raise CorpusError(f"{where}: method and a target starting with {{base}} or / are required")
        if e.body is not None and e.body_gen is not None:
            raise CorpusError(f"{where}: body and body_gen are exclusive")
        if e.raw is not None and "{base}" not in e.raw:
            raise CorpusError(f"{where}: a raw request must carry the {{base}} placeholder")


def load(path: Path) -> list[Entry]:
    entries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(Entry.from_json(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path}:{n}: {exc}") from exc
    validate(entries)
    return entries


def load_all(attacks: Path = ATTACKS_FILE, legit: Path = LEGIT_FILE) -> tuple[list[Entry], list[Entry]]:
    return load(attacks), load(legit)


def dump(entries: list[Entry], path: Path) -> None:
    validate(entries)
    lines = [json.dumps(e.to_json(), ensure_ascii=False, sort_keys=False) for e in entries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stratified(entries: list[Entry], n: int, seed: int = 6) -> list[Entry]:
    """About `n` entries with every class represented (round-robin over classes, seeded), original order kept.

    Legit entries of a later phase are kept only with the phase-0 entries they depend on (same `group`
    prefix, i.e. the id up to its last dash): the subset never PATCHes a resource it did not create.
    """
    if n >= len(entries):
        return list(entries)
    rng = random.Random(seed)  # noqa: S311 (reproducible sampling, not security)
    by_class: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.phase == 0:
            by_class[e.cls].append(e)
    for bucket in by_class.values():
        rng.shuffle(bucket)
    chosen: list[Entry] = []
    classes = sorted(by_class)
    while len(chosen) < n and any(by_class.values()):
        for c in classes:
            if by_class[c] and len(chosen) < n:
                chosen.append(by_class[c].pop())
    ids = {e.id for e in chosen}
    groups = {e.extra_group for e in map(_Grouped, chosen) if e.extra_group}
    for e in entries:
        if e.phase and _Grouped(e).extra_group in groups:
            ids.add(e.id)
    return [e for e in entries if e.id in ids]


class _Grouped:
    """`leg-own-007-create` and `leg-own-007-patch` belong to group `leg-own-007`."""

    def __init__(self, entry: Entry) -> None:
        self.extra_group = entry.id.rsplit("-", 1)[0] if entry.id.startswith("leg-own-") else ""


def counts(entries: list[Entry]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for e in entries:
        out[e.cls] += 1
    return dict(sorted(out.items()))
