"""The request mixes, built from the synthetic sample data that `make up` loads (data/sample/).

read : read by id (Patient, Observation), search by identifier (Patient?identifier=system|value), and a
       search with `_include` (Observation?subject=...&_include=Observation:subject) -- equal shares.
write: create Observation (POST, a small vital-sign resource tagged as bench data).
Each mix is a TSV file for bench/wrk/mix.lua: METHOD, PATH (with the FHIR base path), BODYFILE or "-".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fhirfort import REPO_ROOT

SAMPLE_BUNDLE = REPO_ROOT / "data" / "sample" / "sample-bundle.json"
BENCH_TAG = {"system": "urn:fhirfort:bench", "code": "bench", "display": "Written by fhirfort bench"}
MIXES = ("read", "write")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str | None = None  # name of a body file in the work directory


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if e.get("resource", {}).get("resourceType") == kind]


def read_mix(bundle: dict[str, Any], base_path: str) -> list[Request]:
    """Equal thirds: read by id, search by identifier, search with _include (round-robin over the data)."""
    patients = _resources(bundle, "Patient")
    observations = _resources(bundle, "Observation")
    if not patients or not observations:
        raise ValueError("the sample bundle has no Patient or no Observation")
    out: list[Request] = []
    for i, patient in enumerate(patients):
        obs = observations[i % len(observations)]
        out.append(
            Request("GET", f"{base_path}/Patient/{patient['id']}" if i % 2 else f"{base_path}/Observation/{obs['id']}")
        )
        ident = next(iter(patient.get("identifier", [])), None)
        if ident:
            token = quote(f"{ident['system']}|{ident['value']}", safe=":")
            out.append(Request("GET", f"{base_path}/Patient?identifier={token}"))
        out.append(
            Request(
                "GET",
                f"{base_path}/Observation?subject={quote('Patient/' + patient['id'], safe='')}"
                "&_include=Observation:subject",
            )
        )
    return out


def observation_body(patient_id: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "meta": {"tag": [BENCH_TAG]},
        "status": "final",
        "category": [
            {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}
                ]
            }
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": "2026-01-01T00:00:00Z",
        "valueQuantity": {"value": 72, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
    }


def write_mix(bundle: dict[str, Any], base_path: str) -> tuple[list[Request], dict[str, str]]:
    """Create Observation for each sample patient; returns the requests and {body file name: JSON text}."""
    bodies: dict[str, str] = {}
    out: list[Request] = []
    for patient in _resources(bundle, "Patient"):
        name = f"obs-{patient['id']}.json"
        bodies[name] = json.dumps(observation_body(patient["id"]), separators=(",", ":"))
        out.append(Request("POST", f"{base_path}/Observation", name))
    if not out:
        raise ValueError("the sample bundle has no Patient")
    return out, bodies


def to_tsv(requests: list[Request], workdir: Path) -> str:
    lines = []
    for r in requests:
        if "\t" in r.path or "\n" in r.path:
            raise ValueError(f"request path with a tab or newline: {r.path!r}")
        lines.append(f"{r.method}\t{r.path}\t{workdir / r.body if r.body else '-'}")
    return "\n".join(lines) + "\n"


def write_mixes(workdir: Path, base_path: str, bundle_path: Path = SAMPLE_BUNDLE) -> dict[str, Path]:
    """Write read.tsv, write.tsv and the bodies into `workdir`; return {mix: tsv path}."""
    bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    workdir.mkdir(parents=True, exist_ok=True)
    reads = read_mix(bundle, base_path)
    writes, bodies = write_mix(bundle, base_path)
    for name, text in bodies.items():
        (workdir / name).write_text(text)
    files = {"read": workdir / "read.tsv", "write": workdir / "write.tsv"}
    files["read"].write_text(to_tsv(reads, workdir))
    files["write"].write_text(to_tsv(writes, workdir))
    return files
