"""Pure statistics of the bench: percentiles, medians, the secured/direct ratio, per-path summaries."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

PATHS = ("direct", "secured")


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def ratio(secured: float, direct: float) -> float:
    """secured / direct, 0.0 when the direct value is not positive (nothing to compare against)."""
    return secured / direct if direct > 0 else 0.0


@dataclass
class Round:
    """One wrk run: a mix on a path, with the CPU the hosts' services used while it ran."""

    mix: str
    path: str
    index: int
    requests: int
    duration_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    statuses: dict[str, int]
    socket_errors: int
    cpu_s: dict[str, float] = field(default_factory=dict)
    edge_split_ms: dict[str, float] = field(default_factory=dict)
    started: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def ok(self) -> int:
        return sum(n for code, n in self.statuses.items() if code.startswith(("2", "3")))

    @property
    def throttled(self) -> int:
        return self.statuses.get("429", 0)

    @property
    def failed(self) -> int:
        return self.requests - self.ok + self.socket_errors

    def cpu_us_per_request(self) -> dict[str, float]:
        if self.requests <= 0:
            return {}
        return {svc: sec * 1e6 / self.requests for svc, sec in self.cpu_s.items()}

    def as_dict(self) -> dict[str, Any]:
        return {
            "mix": self.mix,
            "path": self.path,
            "round": self.index,
            "started": round(self.started, 3),
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "rps": round(self.rps, 2),
            "latency_ms": {"p50": round(self.p50_ms, 2), "p90": round(self.p90_ms, 2), "p99": round(self.p99_ms, 2)},
            "statuses": dict(sorted(self.statuses.items())),
            "socket_errors": self.socket_errors,
            "throttled_429": self.throttled,
            "cpu_s": {k: round(v, 3) for k, v in self.cpu_s.items()},
            "cpu_us_per_request": {k: round(v, 1) for k, v in self.cpu_us_per_request().items()},
            "edge_split_ms": {k: round(v, 3) for k, v in self.edge_split_ms.items()},
        }


def _median(values: Iterable[float]) -> float:
    vals = list(values)
    return statistics.median(vals) if vals else 0.0


@dataclass(frozen=True)
class PathSummary:
    rounds: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: dict[str, float]
    failed: int
    throttled: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "rounds": self.rounds,
            "requests": self.requests,
            "rps_median": round(self.rps, 2),
            "p50_ms_median": round(self.p50_ms, 2),
            "p99_ms_median": round(self.p99_ms, 2),
            "cpu_us_per_request": {k: round(v, 1) for k, v in sorted(self.cpu_us_per_request.items())},
            "failed": self.failed,
            "throttled_429": self.throttled,
        }


def summarise_path(rounds: Sequence[Round]) -> PathSummary:
    """Medians over rounds (robust to one disturbed round); CPU per request pooled over all rounds."""
    total = sum(r.requests for r in rounds)
    cpu: dict[str, float] = {}
    for r in rounds:
        for svc, sec in r.cpu_s.items():
            cpu[svc] = cpu.get(svc, 0.0) + sec
    return PathSummary(
        rounds=len(rounds),
        requests=total,
        rps=_median(r.rps for r in rounds),
        p50_ms=_median(r.p50_ms for r in rounds),
        p99_ms=_median(r.p99_ms for r in rounds),
        cpu_us_per_request={k: v * 1e6 / total for k, v in cpu.items()} if total else {},
        failed=sum(r.failed for r in rounds),
        throttled=sum(r.throttled for r in rounds),
    )


def paired_ratios(rounds: Sequence[Round], mix: str, num: str = "secured", den: str = "direct") -> list[float]:
    """Per-round throughput ratios num/den (rounds paired by index): their spread shows the noise."""
    by_index: dict[int, dict[str, Round]] = {}
    for r in rounds:
        if r.mix == mix:
            by_index.setdefault(r.index, {})[r.path] = r
    return [ratio(p[num].rps, p[den].rps) for _, p in sorted(by_index.items()) if num in p and den in p]


def summarise_mix(rounds: Sequence[Round], mix: str) -> dict[str, Any]:
    """Per path summaries of one mix, the throughput ratio and the added latency of the secured path."""
    paths = sorted({r.path for r in rounds if r.mix == mix})
    summaries = {p: summarise_path([r for r in rounds if r.mix == mix and r.path == p]) for p in paths}
    out: dict[str, Any] = {"paths": {p: s.as_dict() for p, s in summaries.items()}}
    if "direct" in summaries and "secured" in summaries:
        d, s = summaries["direct"], summaries["secured"]
        per_round = paired_ratios(rounds, mix)
        out["ratio"] = round(ratio(s.rps, d.rps), 3)
        out["ratio_per_round"] = [round(x, 3) for x in per_round]
        out["ratio_paired_median"] = round(_median(per_round), 3)
        out["added_p50_ms"] = round(s.p50_ms - d.p50_ms, 2)
        out["added_p99_ms"] = round(s.p99_ms - d.p99_ms, 2)
        out["added_cpu_us_per_request"] = {
            svc: round(s.cpu_us_per_request.get(svc, 0.0) - d.cpu_us_per_request.get(svc, 0.0), 1)
            for svc in sorted(set(s.cpu_us_per_request) | set(d.cpu_us_per_request))
        }
    return out
