"""Accounting of disclosures (HIPAA 45 CFR 164.528) for one patient, from the server's BALP AuditEvents.

The FHIR server records every successful read, search, create, update and delete as an AuditEvent (IHE BALP)
whose entities name the patient (compartment owner) and the data, and whose agents name the OAuth client
(identifier system `urn:fhirfort:oauth-client-id`) and the user (`urn:fhirfort:fhir-user`, else the token
subject). This module turns a searchset Bundle of those events into rows (date, recipient, what, purpose) and
writes them as Markdown, HTML and CSV.

- Only successful events (outcome 0) are disclosures; refusals are counted separately.
- Searches over AuditEvent itself (e.g. this report's own queries) are not disclosures of health information
  and are left out (counted).
- The purpose comes from AuditEvent.purposeOfEvent; when absent the row says "treatment/operations (default)"
  and is flagged `purpose_recorded = no`: 164.528(a)(1)(i) exempts TPO disclosures from the accounting, so a
  reviewer must confirm the default before relying on the exemption.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

CLIENT_SYSTEM = "urn:fhirfort:oauth-client-id"
FHIR_USER_SYSTEM = "urn:fhirfort:fhir-user"
SUBJECT_SYSTEM = "urn:fhirfort:oauth-subject"
RESOURCE_SYSTEM = "urn:fhirfort:resource"
DEFAULT_PURPOSE = "treatment/operations (default)"
PATIENT_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
ACTIONS = {"C": "create", "R": "read", "U": "update", "D": "delete", "E": "execute"}

Json = dict[str, Any]


@dataclass(frozen=True)
class Disclosure:
    recorded: str
    client: str
    user: str
    action: str
    interaction: str
    what: str
    purpose: str
    purpose_recorded: bool
    source_address: str
    event_id: str


@dataclass
class Accounting:
    patient: str
    since: date | None
    rows: list[Disclosure] = field(default_factory=list)
    refused: int = 0
    audit_queries: int = 0
    generated: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    @property
    def recipients(self) -> list[str]:
        return sorted({f"{r.client} / {r.user}" for r in self.rows})


def validate_patient(patient: str) -> str:
    pid = patient.removeprefix("Patient/")
    if not PATIENT_ID.match(pid):
        raise ValueError(f"not a FHIR id: {patient!r}")
    return pid


def _identifier(ref: Json) -> tuple[str, str]:
    ident = ref.get("identifier") or {}
    return str(ident.get("system", "")), str(ident.get("value", ""))


def _who(agent: Json) -> tuple[str, str]:
    who = agent.get("who") or {}
    system, value = _identifier(who)
    return system, value or str(who.get("reference") or who.get("display") or "")


def _what(entity: Json) -> str:
    what = entity.get("what") or {}
    if what.get("reference"):
        return str(what["reference"])
    _, value = _identifier(what)
    return value


def _code(obj: Json | None) -> str:
    return str((obj or {}).get("code", ""))


def _purpose(event: Json) -> str:
    out: list[str] = []
    for concept in event.get("purposeOfEvent") or []:
        codings = concept.get("coding") or []
        if codings:
            out.extend(str(c.get("display") or c.get("code") or "") for c in codings)
        elif concept.get("text"):
            out.append(str(concept["text"]))
    return ", ".join(p for p in out if p)


def _query_text(entity: Json) -> str:
    return str(entity.get("description") or "")


def _is_audit_query(event: Json) -> bool:
    for en in event.get("entity") or []:
        if _code(en.get("role")) == "24" and re.search(r"/AuditEvent(\?|$|/)", _query_text(en)):
            return True
        if _what(en).startswith("AuditEvent/"):
            return True
    return False


def to_disclosure(event: Json, patient: str) -> Disclosure | None:
    """One AuditEvent as a row, or None when it does not name the patient."""
    patient_ref = f"Patient/{patient}"
    data: list[str] = []
    names_patient = False
    for en in event.get("entity") or []:
        role = _code(en.get("role"))
        what = _what(en)
        if role == "1" and what == patient_ref:
            names_patient = True
        elif role == "24":
            data.append(_query_text(en) or "query")
        elif what and role in ("4", ""):
            data.append(what)
            if what == patient_ref:
                names_patient = True
    if not names_patient:
        return None
    client = user = address = ""
    for agent in event.get("agent") or []:
        system, value = _who(agent)
        if system == CLIENT_SYSTEM:
            client = value
            address = str((agent.get("network") or {}).get("address", ""))
        elif agent.get("requestor"):
            user = value
    purpose = _purpose(event)
    subtypes = event.get("subtype") or []
    return Disclosure(
        recorded=str(event.get("recorded", "")),
        client=client or "unknown client",
        user=user or "-",
        action=ACTIONS.get(str(event.get("action", "")), str(event.get("action", ""))),
        interaction=_code(subtypes[0]) if subtypes else "",
        what="; ".join(sorted(set(data))) or patient_ref,
        purpose=purpose or DEFAULT_PURPOSE,
        purpose_recorded=bool(purpose),
        source_address=address,
        event_id=str(event.get("id", "")),
    )


def events(bundles: Iterable[Json]) -> Iterator[Json]:
    for bundle in bundles:
        for entry in bundle.get("entry") or []:
            res = entry.get("resource") or {}
            if res.get("resourceType") == "AuditEvent":
                yield res


def build(patient: str, bundles: Iterable[Json], since: date | None = None) -> Accounting:
    pid = validate_patient(patient)
    acc = Accounting(patient=pid, since=since)
    seen: set[str] = set()
    for ev in events(bundles):
        if ev.get("id") in seen:
            continue
        seen.add(str(ev.get("id")))
        if since and str(ev.get("recorded", ""))[:10] < since.isoformat():
            continue
        if str(ev.get("outcome", "0")) != "0":
            acc.refused += 1
            continue
        if _is_audit_query(ev):
            acc.audit_queries += 1
            continue
        row = to_disclosure(ev, pid)
        if row is not None:
            acc.rows.append(row)
    acc.rows.sort(key=lambda r: (r.recorded, r.event_id))
    return acc


COLUMNS = [
    "date",
    "recipient_client",
    "recipient_user",
    "action",
    "interaction",
    "what",
    "purpose",
    "purpose_recorded",
    "source_address",
    "audit_event",
]


def _cells(r: Disclosure) -> list[str]:
    return [
        r.recorded,
        r.client,
        r.user,
        r.action,
        r.interaction,
        r.what,
        r.purpose,
        "yes" if r.purpose_recorded else "no",
        r.source_address,
        r.event_id,
    ]


def _csv_safe(value: str) -> str:
    """No spreadsheet formulas from audit data (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(acc: Accounting) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in acc.rows:
        w.writerow([_csv_safe(c) for c in _cells(r)])
    return buf.getvalue()


def _header_lines(acc: Accounting) -> list[str]:
    return [
        f"Patient: Patient/{acc.patient}",
        f"Period: {'since ' + acc.since.isoformat() if acc.since else 'all recorded events'}",
        f"Generated: {acc.generated}",
        f"Disclosures: {len(acc.rows)}; distinct recipients: {len(acc.recipients)}",
        f"Not listed: {acc.refused} refused request(s) (nothing disclosed), "
        f"{acc.audit_queries} query(ies) of the audit trail itself",
        f"Rows with purpose_recorded = no carry the default '{DEFAULT_PURPOSE}': "
        "confirm before treating them as exempt under 45 CFR 164.528(a)(1)(i).",
    ]


def _md_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(acc: Accounting) -> str:
    lines = [f"# Accounting of disclosures: Patient/{acc.patient}", ""]
    lines += [f"- {h}" for h in _header_lines(acc)]
    lines += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in acc.rows:
        lines.append("| " + " | ".join(_md_escape(c) for c in _cells(r)) + " |")
    return "\n".join(lines) + "\n"


def to_html(acc: Accounting) -> str:
    e = html.escape
    head = "".join(f"<li>{e(h)}</li>" for h in _header_lines(acc))
    cols = "".join(f"<th>{e(c)}</th>" for c in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in _cells(r)) + "</tr>" for r in acc.rows)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Accounting of disclosures: Patient/{e(acc.patient)}</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;font:12px sans-serif}"
        "</style></head><body>"
        f"<h1>Accounting of disclosures: Patient/{e(acc.patient)}</h1><ul>{head}</ul>"
        f"<table><thead><tr>{cols}</tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )
