"""`make tlsscan`, short form: the edge only, without the per-cipher enumeration."""

from __future__ import annotations

import json

import pytest

from fhirfort.suites.tlsscan import cli, testssl

pytestmark = pytest.mark.host


def test_edge_tls(lab_up, tmp_path) -> None:
    if testssl.find_command() is None:
        pytest.skip("testssl is not installed (make tlsscan installs Debian's testssl.sh)")
    out = tmp_path / "tlsscan.json"
    rc = cli.main(["--short", "--no-install", "--report", str(out)])
    rep = json.loads(out.read_text())
    assert [s["target"]["name"] for s in rep["scans"]] == ["edge"]
    edge = rep["scans"][0]
    assert "error" not in edge, edge.get("error")
    assert edge["protocols"]["TLS1"] == "not offered" and edge["protocols"]["TLS1_1"] == "not offered"
    assert "passed" in edge["chain"]
    assert rc == 0, rep["failing"]
