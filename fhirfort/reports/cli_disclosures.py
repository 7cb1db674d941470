"""`fhirfort disclosures` (`make disclosures PATIENT=<id> [SINCE=<date>]`): HIPAA accounting of disclosures.

Reads the patient's AuditEvents through the edge (`AuditEvent?patient=Patient/<id>`, all pages) with a
system token that carries `system/AuditEvent.rs` (the server refuses AuditEvent reads through wildcard
scopes), and writes build/reports/disclosures-<patient>.md, .html and .csv.

Token: `--token` (or the FHIRFORT_TOKEN environment variable); otherwise the kit's backend-services client
(fhirfort.local.smart_client) asks the local target's authorization server for one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from fhirfort.reports import disclosures

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = ROOT / "build" / "local" / "endpoints.json"
AUDIT_SCOPE = "system/AuditEvent.rs"
MAX_PAGES = 500


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--patient", required=True, help="the patient's FHIR id (or Patient/<id>)")
    parser.add_argument("--since", type=date.fromisoformat, default=None, help="YYYY-MM-DD: only events from then")
    parser.add_argument("--token", default=os.environ.get("FHIRFORT_TOKEN"), help="bearer token (system/AuditEvent.rs)")
    parser.add_argument("--fhir-base", default=None, help="FHIR base URL (default: build/local/endpoints.json)")
    parser.add_argument("--ca-cert", default=None, help="CA bundle (default: the local target's kit CA)")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "build" / "reports")


def _session(base: str, ca_cert: str | None) -> requests.Session:
    """A session for the base URL: pinned to the lab's edge address when the name is the local target's."""
    try:
        from fhirfort.local import smart_client
    except ImportError:  # pragma: no cover - the local package is part of the kit
        smart_client = None  # type: ignore[assignment]
    if smart_client is not None and ENDPOINTS.exists():
        target = smart_client.local_target("edge")
        if urlsplit(base).hostname == urlsplit(target.public_url).hostname:
            return target.session()
    s = requests.Session()
    s.trust_env = False
    s.verify = ca_cert or True
    return s


def _token(args: argparse.Namespace) -> str:
    if args.token:
        return str(args.token)
    from fhirfort.local import smart_client

    return smart_client.get_token(smart_client.local_target("edge"), scope=AUDIT_SCOPE)


def fetch(session: requests.Session, base: str, token: str, patient: str, since: date | None) -> Iterator[Any]:
    """Every page of the patient's AuditEvents (next links must stay on the same origin)."""
    params = {"patient": f"Patient/{patient}", "_count": "200", "_sort": "date"}
    if since:
        params["date"] = f"ge{since.isoformat()}"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    origin = urlsplit(base)[:2]
    url: str | None = f"{base.rstrip('/')}/AuditEvent"
    first = True
    for _ in range(MAX_PAGES):
        if url is None:
            return
        resp = session.get(url, params=params if first else None, headers=headers, timeout=60)
        first = False
        if resp.status_code != 200:
            raise RuntimeError(f"AuditEvent search answered HTTP {resp.status_code}: {resp.text[:300]}")
        bundle = resp.json()
        yield bundle
        url = next((link.get("url") for link in bundle.get("link", []) if link.get("relation") == "next"), None)
        if url is not None and urlsplit(url)[:2] != origin:
            raise RuntimeError(f"refusing a next link to another origin: {url}")
    raise RuntimeError(f"more than {MAX_PAGES} pages of AuditEvents")


def write(acc: disclosures.Accounting, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for ext, text in (
        ("md", disclosures.to_markdown(acc)),
        ("html", disclosures.to_html(acc)),
        ("csv", disclosures.to_csv(acc)),
    ):
        path = out_dir / f"disclosures-{acc.patient}.{ext}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # PHI-adjacent: owner only
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        out.append(path)
    return out


def run(args: argparse.Namespace) -> int:
    try:
        patient = disclosures.validate_patient(args.patient)
    except ValueError as exc:
        print(f"disclosures: {exc}", file=sys.stderr)
        return 2
    base = args.fhir_base
    ca = args.ca_cert
    if base is None:
        if not ENDPOINTS.exists():
            print("disclosures: no --fhir-base and no local target (make up)", file=sys.stderr)
            return 2
        endpoints = json.loads(ENDPOINTS.read_text())
        base = endpoints["fhir_base_url"]
        ca = ca or endpoints.get("ca_cert")
    try:
        token = _token(args)
        bundles = list(fetch(_session(base, ca), base, token, patient, args.since))
    except (RuntimeError, requests.RequestException, ImportError) as exc:
        print(f"disclosures: {exc}", file=sys.stderr)
        return 1
    acc = disclosures.build(patient, bundles, args.since)
    for path in write(acc, args.out_dir):
        print(f"disclosures: wrote {path}", file=sys.stderr)
    print(f"disclosures patient={patient} rows={len(acc.rows)} recipients={len(acc.recipients)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fhirfort disclosures", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
