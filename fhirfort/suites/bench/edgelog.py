"""Where the time goes on the secured path, from the edge's JSON access log (request_time, upstream_time).

request_time - upstream_response_time is the time a request spends in nginx itself (TLS, ModSecurity,
limits, buffering) as opposed to waiting for HAPI. Only the bench's own lines (User-Agent fhirfort-bench)
written after an offset are read.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from fhirfort.local.paths import LabPaths

ACCESS_LOG = Path("var/log/nginx/fhirfort-access.json")
BENCH_AGENT = "fhirfort-bench"


def log_path(paths: LabPaths) -> Path:
    return paths.machine("edge") / ACCESS_LOG


def offset(paths: LabPaths) -> int:
    try:
        return log_path(paths).stat().st_size
    except OSError:
        return 0


def _upstream_seconds(value: str) -> float | None:
    """`upstream_time` may be "", "-", or a comma/colon list (retries, internal redirects): sum the numbers."""
    total, seen = 0.0, False
    for part in value.replace(":", ",").split(","):
        part = part.strip()
        if part and part != "-":
            total += float(part)
            seen = True
    return total if seen else None


def split_lines(lines: list[str]) -> dict[str, float]:
    """Medians (ms) of total, upstream and in-nginx time over the bench's lines; {} when there are none."""
    total: list[float] = []
    upstream: list[float] = []
    edge: list[float] = []
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("user_agent") != BENCH_AGENT:
            continue
        up = _upstream_seconds(str(rec.get("upstream_time", "")))
        req = float(rec.get("request_time", 0.0))
        if up is None:
            continue
        total.append(req * 1000)
        upstream.append(up * 1000)
        edge.append(max(0.0, req - up) * 1000)
    if not total:
        return {}
    return {
        "lines": float(len(total)),
        "request_ms_median": statistics.median(total),
        "upstream_ms_median": statistics.median(upstream),
        "in_nginx_ms_median": statistics.median(edge),
        "in_nginx_ms_mean": statistics.fmean(edge),
    }


def read_since(paths: LabPaths, start: int, limit_bytes: int = 64 * 1024 * 1024) -> dict[str, float]:
    path = log_path(paths)
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            if size < start:  # rotated in between
                start = 0
            fh.seek(max(start, size - limit_bytes))
            data = fh.read()
    except OSError:
        return {}
    return split_lines(data.decode(errors="replace").splitlines())
