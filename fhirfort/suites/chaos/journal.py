"""The write journal: every acknowledged create (HTTP 201 + id + version + content hash), fsynced per line,
and the read-back check that each one is still on the server unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

CONTENT_FIELDS = ("status", "code", "subject", "effectiveDateTime", "valueQuantity", "identifier")
IDENT_SYSTEM = "urn:fhirfort:chaos"
LOCATION_RE = re.compile(r"/Observation/(?P<id>[^/]+)/_history/(?P<version>[^/?]+)")


def content_hash(resource: dict[str, Any]) -> str:
    """sha256 over the fields the writer sets (canonical JSON): what the server must keep unchanged."""
    picked = {k: resource.get(k) for k in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(picked, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def observation(seq: int, patient: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "meta": {"tag": [{"system": IDENT_SYSTEM, "code": "chaos"}]},
        "identifier": [{"system": IDENT_SYSTEM, "value": str(uuid.uuid4())}],
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "valueQuantity": {
            "value": 40 + seq % 100,
            "unit": "/min",
            "system": "http://unitsofmeasure.org",
            "code": "/min",
        },
    }


def parse_ack(status: int, headers: dict[str, str]) -> tuple[str, str] | None:
    """(id, version) of an acknowledged create: 201 with a Location .../Observation/<id>/_history/<v>."""
    if status != 201:
        return None
    m = LOCATION_RE.search(headers.get("Location", "") or headers.get("Content-Location", ""))
    if not m:
        return None
    return m["id"], m["version"]


@dataclass(frozen=True)
class Entry:
    t: float
    id: str
    version: str
    hash: str

    def line(self) -> str:
        return json.dumps({"t": round(self.t, 3), "id": self.id, "version": self.version, "hash": self.hash})


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = path.open("w")

    def record(self, entry: Entry) -> None:
        self._fh.write(entry.line() + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()


def load(path: Path) -> list[Entry]:
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Entry(d["t"], d["id"], d["version"], d["hash"]))
    return out


def chunks(items: list[Entry], size: int) -> Iterable[list[Entry]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def verify(
    entries: list[Entry],
    get: Callable[[str], requests.Response],
    base: str,
    batch: int = 50,
    pause_s: float = 0.1,
) -> dict[str, Any]:
    """Read every journaled write back (search by _id in batches); count missing, changed and version drift."""
    missing: list[str] = []
    changed: list[str] = []
    errors: list[str] = []
    for group in chunks(entries, batch):
        ids = ",".join(e.id for e in group)
        found: dict[str, dict[str, Any]] = {}
        for attempt in range(5):
            try:
                r = get(f"{base}/Observation?_id={ids}&_count={len(group)}")
            except requests.RequestException as exc:
                errors.append(type(exc).__name__)
                time.sleep(2 + attempt)
                continue
            if r.status_code == 200:
                found = {e["resource"]["id"]: e["resource"] for e in r.json().get("entry", []) if "resource" in e}
                break
            errors.append(f"HTTP {r.status_code}")
            time.sleep(2 + attempt)
        else:
            missing.extend(e.id for e in group)
            continue
        for e in group:
            res = found.get(e.id)
            if res is None:
                missing.append(e.id)
            elif content_hash(res) != e.hash or str(res.get("meta", {}).get("versionId")) != e.version:
                changed.append(e.id)
        time.sleep(pause_s)  # stay under the edge's per-client rate limit
    return {
        "acknowledged": len(entries),
        "read_back_unchanged": len(entries) - len(missing) - len(changed),
        "missing": missing,
        "changed": changed,
        "lost": len(missing) + len(changed),
        "transient_errors": len(errors),
    }
