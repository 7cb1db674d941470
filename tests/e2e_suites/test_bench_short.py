"""`make bench`, short form: one round of the read mix on both paths, enough to prove the harness measures.

No speed is asserted here (speed lives in the benchmark's report and history, never in a timed test); the
test proves that both paths were driven with the same requests, answered without failures, measured CPU per
request on the hosts, and that the report ends with the ratio line.
"""

from __future__ import annotations

import json

import pytest

from fhirfort.suites.bench import cli

pytestmark = pytest.mark.host


def test_bench_short_measures_both_paths(lab_up, tmp_path, capsys) -> None:
    out = tmp_path / "bench.json"
    rc = cli.main(
        ["--rounds", "1", "--duration", "4", "--warmup", "1", "--mix", "read", "--no-record", "--report", str(out)]
    )
    printed = capsys.readouterr().out.strip().splitlines()
    assert rc == 0, printed[-20:]
    assert printed[-1].startswith("ratio="), printed[-5:]
    ratio = float(printed[-1].split("=", 1)[1])
    rep = json.loads(out.read_text())
    paths = rep["summary"]["read"]["paths"]
    assert set(paths) == {"direct", "secured"}
    for name, path in paths.items():
        assert path["requests"] > 0, (name, path)
        assert path["failed"] == 0, (name, path)
        assert path["cpu_us_per_request"]["fhir_java"] > 0, (name, path)
    assert paths["secured"]["cpu_us_per_request"]["edge_nginx"] > 0  # the secured path went through the edge
    assert ratio == pytest.approx(paths["secured"]["rps_median"] / paths["direct"]["rps_median"], rel=0.01)
