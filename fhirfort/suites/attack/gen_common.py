"""Helpers shared by the corpus generators (templates + synthetic data, no real PHI)."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import quote

from fhirfort.suites.attack.corpus import Entry

FJ = ("Content-Type", "application/fhir+json")
FX = ("Content-Type", "application/fhir+xml")
ACCEPT_XML = ("Accept", "application/fhir+xml")
# Every resource the corpus creates carries this tag; the runner deletes what carries it afterwards.
CLEANUP_TAG = {"system": "https://fhirfort.test/tags", "code": "attack-suite"}
XHTML_NS = "http://www.w3.org/1999/xhtml"


def q(params: list[tuple[str, str]]) -> str:
    """An encoded query string (names keep FHIR's ':' and '.', values are fully escaped)."""
    return "&".join(f"{quote(k, safe=':._-')}={quote(v, safe='')}" for k, v in params)


def search(resource: str, params: list[tuple[str, str]]) -> str:
    return f"{{base}}/{resource}?{q(params)}" if params else f"{{base}}/{resource}"


def dumps(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))


def tagged(resource: dict[str, Any]) -> dict[str, Any]:
    out = dict(resource)
    out["meta"] = {"tag": [CLEANUP_TAG]}
    return out


def patient(family: str, given: str = "Alex", **extra: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Patient",
        "name": [{"family": family, "given": [given]}],
        "gender": "unknown",
        "birthDate": "1980-01-01",
    }
    res.update(extra)
    return tagged(res)


def observation(value: str, subject: str = "Patient/p-obrien", **extra: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2"}], "text": "Body height"},
        "subject": {"reference": subject},
        "valueString": value,
    }
    res.update(extra)
    return tagged(res)


def narrative(div_inner: str) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="{XHTML_NS}">{div_inner}</div>'}


class Builder:
    """Numbers entries per class: `<prefix>-<class>-NNN`."""

    def __init__(self, kind: str, prefix: str) -> None:
        self.kind = kind
        self.prefix = prefix
        self.entries: list[Entry] = []
        self._n: dict[str, int] = {}

    def add(
        self,
        cls: str,
        method: str,
        target: str,
        *,
        headers: list[tuple[str, str]] | None = None,
        body: str | None = None,
        body_gen: dict[str, Any] | None = None,
        raw: str | None = None,
        phase: int = 0,
        note: str = "",
        ident: str | None = None,
    ) -> str:
        self._n[cls] = self._n.get(cls, 0) + 1
        eid = ident or f"{self.prefix}-{cls}-{self._n[cls]:03d}"
        self.entries.append(
            Entry(
                id=eid,
                kind=self.kind,
                cls=cls,
                method=method,
                target=target,
                headers=tuple(headers or ()),
                body=body,
                body_gen=body_gen,
                raw=raw,
                phase=phase,
                note=note,
            )
        )
        return eid


def xml_attr(value: str) -> str:
    """A value escaped for an XML attribute in double quotes."""
    return html.escape(value, quote=True)


def xml_resource(resource_type: str, inner: str) -> str:
    """A FHIR XML resource tagged for the suite's cleanup, with `inner` as its elements."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{resource_type} xmlns="http://hl7.org/fhir">'
        f'<meta><tag><system value="{CLEANUP_TAG["system"]}"/><code value="{CLEANUP_TAG["code"]}"/></tag></meta>'
        f"{inner}</{resource_type}>"
    )
