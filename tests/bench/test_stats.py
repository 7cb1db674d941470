"""The bench's pure parts: percentiles, ratios, per-path summaries."""

import pytest

from fhirfort.suites.bench.stats import Round, paired_ratios, percentile, ratio, summarise_mix, summarise_path


def _round(path: str, index: int, requests: int, p99: float = 20.0, mix: str = "read", **kw) -> Round:
    return Round(
        mix=mix,
        path=path,
        index=index,
        requests=requests,
        duration_s=10.0,
        p50_ms=p99 / 4,
        p90_ms=p99 / 2,
        p99_ms=p99,
        statuses=kw.pop("statuses", {"200": requests}),
        socket_errors=kw.pop("socket_errors", 0),
        cpu_s=kw.pop("cpu_s", {}),
    )


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 99) == 5
    assert percentile([10, 0], 0) == 0
    assert percentile(list(range(101)), 99) == 99


def test_percentile_rejects_empty_and_out_of_range():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_ratio_guards_zero():
    assert ratio(50, 100) == 0.5
    assert ratio(5, 0) == 0.0


def test_round_counts_failures_and_throttling():
    r = _round("secured", 1, 100, statuses={"200": 90, "429": 8, "500": 2}, socket_errors=1)
    assert r.rps == 10.0
    assert r.ok == 90
    assert r.throttled == 8
    assert r.failed == 11


def test_cpu_per_request_in_microseconds():
    r = _round("secured", 1, 1000, cpu_s={"edge_nginx": 0.5})
    assert r.cpu_us_per_request() == {"edge_nginx": 500.0}
    assert _round("direct", 1, 0).cpu_us_per_request() == {}


def test_summary_takes_medians_and_pools_cpu():
    rounds = [
        _round("direct", 1, 1000, p99=10, cpu_s={"fhir_java": 1.0}),
        _round("direct", 2, 3000, p99=30, cpu_s={"fhir_java": 1.0}),
        _round("direct", 3, 2000, p99=20, cpu_s={"fhir_java": 4.0}),
    ]
    s = summarise_path(rounds)
    assert s.rps == 200.0
    assert s.p99_ms == 20
    assert s.cpu_us_per_request == {"fhir_java": 1000.0}
    assert s.requests == 6000


def test_mix_summary_ratio_and_added_latency():
    rounds = [
        _round("direct", 1, 1000, p99=10, cpu_s={"edge_nginx": 0.0, "fhir_java": 1.0}),
        _round("secured", 1, 500, p99=25, cpu_s={"edge_nginx": 0.25, "fhir_java": 0.5}),
        _round("secured", 2, 700, p99=35),
        _round("direct", 2, 1000, p99=12),
        _round("direct", 1, 10, mix="write"),
    ]
    out = summarise_mix(rounds, "read")
    assert out["ratio"] == 0.6  # median 60 / median 100
    assert out["ratio_per_round"] == [0.5, 0.7]
    assert out["added_p99_ms"] == 19.0  # median 30 - median 11
    assert out["added_cpu_us_per_request"]["edge_nginx"] == pytest.approx(208.3, abs=0.1)
    assert set(out["paths"]) == {"direct", "secured"}


def test_paired_ratios_skip_unpaired_rounds():
    rounds = [_round("direct", 1, 100), _round("secured", 1, 50), _round("secured", 2, 50)]
    assert paired_ratios(rounds, "read") == [0.5]


def test_mix_without_both_paths_has_no_ratio():
    assert "ratio" not in summarise_mix([_round("direct", 1, 100)], "read")
