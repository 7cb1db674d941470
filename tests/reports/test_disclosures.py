"""Accounting of disclosures from a fixture searchset Bundle of BALP AuditEvents (no hosts)."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from fhirfort.reports import cli_disclosures, disclosures

FIXTURE = Path(__file__).with_name("fixtures") / "auditevents-patient-A.json"


@pytest.fixture
def bundle() -> dict:
    return json.loads(FIXTURE.read_text())


def test_rows_are_successful_disclosures_of_that_patient(bundle: dict) -> None:
    acc = disclosures.build("A", [bundle])
    assert [r.event_id for r in acc.rows] == ["e1", "e2", "e3"]
    assert acc.refused == 1  # e4: 403, nothing disclosed
    assert acc.audit_queries == 1  # e5: the accounting's own query
    first = acc.rows[0]
    assert (first.client, first.user, first.action, first.what) == ("fhirfort-backend", "svc-1", "read", "Patient/A")
    assert first.purpose == disclosures.DEFAULT_PURPOSE
    assert first.purpose_recorded is False
    search = acc.rows[1]
    assert search.purpose == "treatment" and search.purpose_recorded
    assert search.what.startswith("GET https://fhir.fhirfort.test/fhir/Observation?patient=Patient/A")
    assert search.source_address == "203.0.113.5"
    assert acc.rows[2].user == "Practitioner/p1"


def test_since_filters_and_duplicates_are_dropped(bundle: dict) -> None:
    acc = disclosures.build("Patient/A", [bundle, bundle], since=date(2026, 11, 21))
    assert [r.event_id for r in acc.rows] == ["e2", "e3"]


def test_other_patient_and_bad_ids(bundle: dict) -> None:
    assert [r.event_id for r in disclosures.build("B", [bundle]).rows] == ["e6"]
    for bad in ("../x", "A B", "", "a" * 65):
        with pytest.raises(ValueError):
            disclosures.validate_patient(bad)


def test_outputs_escape_untrusted_values(bundle: dict) -> None:
    acc = disclosures.build("A", [bundle])
    rows = list(csv.reader(io.StringIO(disclosures.to_csv(acc))))
    assert rows[0] == disclosures.COLUMNS
    assert rows[3][1].startswith("'=")  # no spreadsheet formula
    html = disclosures.to_html(acc)
    assert "<script" not in html and "&#x27;" in html
    md = disclosures.to_markdown(acc)
    assert md.count("\n| ") == 1 + 3  # header + three rows (separator line starts with "|-")
    assert "164.528" in md


def test_cli_writes_three_files(tmp_path: Path, bundle: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict] = []

    def fake_fetch(session: object, base: str, token: str, patient: str, since: date | None):
        calls.append({"base": base, "token": token, "patient": patient, "since": since})
        yield bundle

    monkeypatch.setattr(cli_disclosures, "fetch", fake_fetch)
    parser = argparse.ArgumentParser()
    cli_disclosures.configure(parser)
    args = parser.parse_args(
        [
            "--patient",
            "A",
            "--token",
            "t0k",
            "--fhir-base",
            "https://fhir.example.test/fhir",
            "--out-dir",
            str(tmp_path),
        ]
    )
    assert cli_disclosures.run(args) == 0
    assert calls == [{"base": "https://fhir.example.test/fhir", "token": "t0k", "patient": "A", "since": None}]
    for ext in ("md", "html", "csv"):
        path = tmp_path / f"disclosures-A.{ext}"
        assert path.exists() and path.stat().st_mode & 0o077 == 0


def test_cli_refuses_bad_patient(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    cli_disclosures.configure(parser)
    assert cli_disclosures.run(parser.parse_args(["--patient", "../etc", "--out-dir", str(tmp_path)])) == 2
