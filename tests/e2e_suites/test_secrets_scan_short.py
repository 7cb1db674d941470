"""`make secrets-scan`, short form: working tree, build/, the mocked prod stack and the edge host, with the canary."""

from __future__ import annotations

import json

import pytest

from fhirfort.suites.secrets_scan import cli

pytestmark = pytest.mark.host


def test_secrets_scan(lab_up, tmp_path) -> None:
    out = tmp_path / "secrets-scan.json"
    rc = cli.main(["--skip", "history", "--hosts", "edge", "--report", str(out)])
    rep = json.loads(out.read_text())
    assert rep["canary"]["ok"], rep["canary"]
    assert rep["canary"]["removed"]
    assert {"AWS Access Key", "Private Key"} <= set(rep["canary"]["types"])
    assert rep["mode_findings"] == []
    assert rep["findings"] == [], rep["findings_by_type"]
    assert rc == 0
