"""Report, history line, wrk output parsing, edge log split, overlay patches, mixes: no hosts needed."""

import json
from pathlib import Path

import pytest

from fhirfort.suites.bench import edgelog, mixes, overlay, report, wrk
from fhirfort.suites.bench.stats import Round
from fhirfort.suites.bench.suggestions import suggestions


def _rounds() -> list[Round]:
    out = []
    for i in (1, 2):
        for path, n, nginx in (("direct", 1000, 0.0), ("secured", 800, 0.4), ("secured_nowaf", 900, 0.1)):
            out.append(
                Round(
                    "read",
                    path,
                    i,
                    n,
                    10.0,
                    5.0,
                    8.0,
                    20.0 if path == "direct" else 30.0,
                    {"200": n},
                    0,
                    {"edge_nginx": nginx, "fhir_java": 1.0, "db_postgres": 0.2},
                    {
                        "lines": 10.0,
                        "request_ms_median": 5.0,
                        "upstream_ms_median": 4.0,
                        "in_nginx_ms_median": 1.0,
                        "in_nginx_ms_mean": 1.2,
                    }
                    if path == "secured"
                    else {},
                )
            )
    return out


def _report() -> dict:
    meta = {
        "date": "2026-11-23T00:00:00Z",
        "git_commit": "abc",
        "connections": 8,
        "duration_s": 10,
        "loadavg_before": [1.0, 1.0, 1.0],
        "cpus": 2,
        "rate_limit": {"mode": "overlay"},
    }
    rep = report.build(_rounds(), ["read"], meta, [])
    rep["tuning_suggestions"] = suggestions(rep)
    return rep


def test_report_ratio_split_and_where_time_goes():
    rep = _report()
    assert report.headline_ratio(rep) == 0.8
    assert rep["summary"]["read"]["edge_split"]["in_nginx_ms_mean"] == 1.2
    text = " ".join(rep["where_the_time_goes"])
    assert "edge nginx 500 us" in text
    assert "the WAF costs ~389 us" in text
    assert any("Upstream keepalive" in s for s in rep["tuning_suggestions"])
    json.dumps(rep)


def test_history_line_fields():
    line = report.history_line(_report(), "baseline")
    assert {"date", "commit", "ratio", "notes"} <= set(line)
    assert line["ratio"] == 0.8
    assert line["rate_limit"] == "overlay"


def test_append_history(tmp_path):
    path = tmp_path / "h.jsonl"
    report.append_history(path, {"ratio": 1})
    report.append_history(path, {"ratio": 2})
    assert [json.loads(x)["ratio"] for x in path.read_text().splitlines()] == [1, 2]


def test_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "b.png"
    assert report.plot(_report(), out) == ""
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_parse_wrk_summary():
    stdout = (
        "Running 5s test\n"
        'FHIRFORT_WRK {"requests":202,"duration_us":5000000,"bytes":1,"errors":{"connect":1,"read":0,"write":0,'
        '"timeout":2,"status":3},"latency_us":{"p50":1000,"p90":2000,"p99":9000,"max":9500,"mean":1200.0},'
        '"statuses":{"200":199,"429":3}}\n'
    )
    r = wrk.parse_output(stdout)
    assert (r.requests, r.duration_s, r.p99_ms, r.socket_errors) == (202, 5.0, 9.0, 3)
    assert r.statuses == {"200": 199, "429": 3}


def test_parse_wrk_without_summary_fails():
    with pytest.raises(wrk.WrkError):
        wrk.parse_output("Running 5s test\n")


def test_wrk_command_for_direct_path_enters_edge_netns(tmp_path, monkeypatch):
    monkeypatch.setattr(wrk, "wrk_binary", lambda: "/usr/bin/wrk")
    t = wrk.Target("direct", "https://fhir.fhirfort.internal:8443", "fhir.fhirfort.internal", "198.18.20.10", 42)
    cmd = wrk.command(t, tmp_path / "read.tsv", tmp_path, duration_s=5, connections=8, threads=2)
    assert cmd[:4] == ["nsenter", "-t", "42", "-n"]
    assert "unshare" in cmd and "-c8" in cmd and "https://fhir.fhirfort.internal:8443" in cmd
    assert (tmp_path / "hosts.direct").read_text().endswith("198.18.20.10 fhir.fhirfort.internal\n")


def test_edge_log_split_reads_only_bench_lines():
    lines = [
        json.dumps({"user_agent": "fhirfort-bench", "request_time": 0.010, "upstream_time": "0.008"}),
        json.dumps({"user_agent": "fhirfort-bench", "request_time": 0.020, "upstream_time": "0.017"}),
        json.dumps({"user_agent": "curl", "request_time": 5.0, "upstream_time": "0.001"}),
        json.dumps({"user_agent": "fhirfort-bench", "request_time": 0.001, "upstream_time": ""}),
        "not json",
    ]
    out = edgelog.split_lines(lines)
    assert out["lines"] == 2
    assert out["in_nginx_ms_mean"] == pytest.approx(2.5)


def test_overlay_patches():
    http = "limit_req_zone $binary_remote_addr zone=fhirfort_req:10m rate=30r/s;\n"
    servers = "    modsecurity on;\n    limit_req zone=fhirfort_req burst=60 nodelay;\n"
    out, old = overlay.patch_rate(http, 1000)
    assert old == 30 and "rate=1000r/s" in out
    out, old = overlay.patch_burst(servers, 500)
    assert old == 60 and "burst=500 nodelay" in out
    assert "modsecurity off;" in overlay.patch_waf_off(servers)
    with pytest.raises(overlay.OverlayError):
        overlay.patch_rate("nothing", 1)


def test_overlay_restores_only_unchanged_files(tmp_path, monkeypatch):
    from fhirfort.local.paths import LabPaths

    paths = LabPaths(tmp_path)
    conf = paths.machine("edge") / overlay.HTTP_CONF
    conf.parent.mkdir(parents=True)
    conf.write_text("limit_req_zone $binary_remote_addr zone=fhirfort_req:10m rate=30r/s;\n")
    reloads = []
    ov = overlay.EdgeOverlay(paths, tmp_path / "state.json", say=lambda _m: None)
    monkeypatch.setattr(ov, "_reload", lambda: reloads.append(1))
    seen: dict = {}
    ov.apply({overlay.HTTP_CONF: lambda t: overlay.patch_rate(t, 9)[0]})
    assert "rate=9r/s" in conf.read_text() and ov.active()
    ov.restore()
    assert "rate=30r/s" in conf.read_text() and not ov.active()
    ov.apply({overlay.HTTP_CONF: lambda t: overlay.patch_rate(t, 9)[0]})
    conf.write_text("converged by someone else\n")
    notes = ov.restore()
    assert conf.read_text() == "converged by someone else\n" and notes
    assert len(reloads) == 3
    del seen


def test_mixes_from_sample_data(tmp_path):
    files = mixes.write_mixes(tmp_path, "/fhir")
    reads = files["read"].read_text().splitlines()
    assert any("_include=Observation:subject" in r for r in reads)
    assert any("/fhir/Patient?identifier=" in r and "%7C" in r for r in reads)
    assert all(r.split("\t")[0] == "GET" for r in reads)
    writes = files["write"].read_text().splitlines()
    method, path, body = writes[0].split("\t")
    assert (method, path) == ("POST", "/fhir/Observation")
    assert json.loads(Path(body).read_text())["resourceType"] == "Observation"
