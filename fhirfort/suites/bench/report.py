"""The bench report: JSON (build/reports/bench.json), history line (bench/history.jsonl), PNG plot."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fhirfort.suites.bench.stats import Round, summarise_mix

PATH_COLOURS = {"direct": "#1f77b4", "secured": "#d62728", "secured_nowaf": "#ff7f0e"}


def where_time_goes(summary: dict[str, Any]) -> list[str]:
    """Plain sentences from the read mix's numbers (CPU per request per service, in-nginx share)."""
    out: list[str] = []
    read = summary.get("read", {})
    paths = read.get("paths", {})
    sec = paths.get("secured", {}).get("cpu_us_per_request", {})
    dir_ = paths.get("direct", {}).get("cpu_us_per_request", {})
    if sec:
        nginx = sec.get("edge_nginx", 0.0)
        java_s, java_d = sec.get("fhir_java", 0.0), dir_.get("fhir_java", 0.0)
        pg = sec.get("db_postgres", 0.0)
        total = nginx + java_s + pg
        if total > 0:
            out.append(
                f"read mix, secured path, CPU per request: edge nginx {nginx:.0f} us ({100 * nginx / total:.0f}%), "
                f"HAPI java {java_s:.0f} us ({100 * java_s / total:.0f}%), PostgreSQL {pg:.0f} us "
                f"({100 * pg / total:.0f}%); direct path HAPI java {java_d:.0f} us"
            )
    nowaf = paths.get("secured_nowaf", {}).get("cpu_us_per_request", {})
    if sec and nowaf:
        waf = sec.get("edge_nginx", 0.0) - nowaf.get("edge_nginx", 0.0)
        out.append(
            f"ablation: edge nginx {nowaf.get('edge_nginx', 0.0):.0f} us/request with ModSecurity off, "
            f"{sec.get('edge_nginx', 0.0):.0f} us with it on: the WAF costs ~{waf:.0f} us CPU per request"
        )
    bg = read.get("edge_background", {})
    if bg.get("edge_nginx_net_us_per_request"):
        nets = ", ".join(f"{p} {v:.0f} us" for p, v in bg["edge_nginx_net_us_per_request"].items())
        rate = bg["edge_nginx_background_cpu_s_per_s"]
        out.append(
            f"edge nginx CPU per read request net of the edge's other traffic ({rate:.3f} CPU-s/s, measured "
            f"while the direct rounds ran): {nets}"
        )
    split = read.get("edge_split", {})
    if split:
        out.append(
            f"edge access log (secured read rounds): median request {split['request_ms_median']:.1f} ms, of which "
            f"upstream (HAPI) {split['upstream_ms_median']:.1f} ms; time in nginx itself (request - upstream) "
            f"{split['in_nginx_ms_mean']:.2f} ms mean"
        )
    return out


def edge_split(rounds: Sequence[Round], mix: str, path: str = "secured") -> dict[str, float]:
    """Request-weighted mean of the per-round access-log medians (ms)."""
    picked = [r for r in rounds if r.mix == mix and r.path == path and r.edge_split_ms.get("lines")]
    if not picked:
        return {}
    weight = sum(r.edge_split_ms["lines"] for r in picked)
    keys = ("request_ms_median", "upstream_ms_median", "in_nginx_ms_median", "in_nginx_ms_mean")
    return {k: round(sum(r.edge_split_ms[k] * r.edge_split_ms["lines"] for r in picked) / weight, 3) for k in keys}


def edge_background(rounds: Sequence[Round], mix: str) -> dict[str, Any]:
    """The edge's nginx CPU that is not the bench's: measured during the direct rounds (which never pass the
    edge), as CPU seconds per second, and the secured paths' edge CPU per request net of it."""
    direct = [r for r in rounds if r.mix == mix and r.path == "direct" and "edge_nginx" in r.cpu_s]
    wall = sum(r.duration_s for r in direct)
    if not direct or wall <= 0:
        return {}
    rate = sum(r.cpu_s["edge_nginx"] for r in direct) / wall
    net: dict[str, float] = {}
    for path in sorted({r.path for r in rounds if r.mix == mix and r.path.startswith("secured")}):
        mine = [r for r in rounds if r.mix == mix and r.path == path and "edge_nginx" in r.cpu_s]
        n = sum(r.requests for r in mine)
        if n:
            cpu_s = sum(max(0.0, r.cpu_s["edge_nginx"] - rate * r.duration_s) for r in mine)
            net[path] = round(cpu_s * 1e6 / n, 1)
    return {"edge_nginx_background_cpu_s_per_s": round(rate, 4), "edge_nginx_net_us_per_request": net}


def build(
    rounds: Sequence[Round], mixes: Sequence[str], meta: dict[str, Any], suggestions: list[str]
) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for mix in mixes:
        summary[mix] = summarise_mix(rounds, mix)
        split = edge_split(rounds, mix)
        if split:
            summary[mix]["edge_split"] = split
        background = edge_background(rounds, mix)
        if background:
            summary[mix]["edge_background"] = background
    return {
        "meta": meta,
        "summary": summary,
        "where_the_time_goes": where_time_goes(summary),
        "tuning_suggestions": suggestions,
        "rounds": [r.as_dict() for r in rounds],
    }


def headline_ratio(report: dict[str, Any]) -> float:
    return float(report["summary"].get("read", {}).get("ratio", 0.0))


def history_line(report: dict[str, Any], notes: str) -> dict[str, Any]:
    meta = report["meta"]
    read = report["summary"].get("read", {})
    write = report["summary"].get("write", {})
    return {
        "date": meta["date"],
        "commit": meta.get("git_commit", ""),
        "ratio": headline_ratio(report),
        "write_ratio": write.get("ratio"),
        "added_p99_ms_read": read.get("added_p99_ms"),
        "loadavg": meta.get("loadavg_before"),
        "loadavg_after": meta.get("loadavg_after"),
        "cpus": meta.get("cpus"),
        "rate_limit": meta.get("rate_limit", {}).get("mode"),
        "notes": notes,
    }


def append_history(path: Path, line: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps(line, sort_keys=True) + "\n")


def plot(report: dict[str, Any], out: Path) -> str:
    """Throughput and p50/p99 latency per round, per mix and path; returns '' or why no plot was drawn."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed in the venv (pip install matplotlib): no PNG"
    rounds = report["rounds"]
    mixes = [m for m in report["summary"] if any(r["mix"] == m for r in rounds)]
    fig, axes = plt.subplots(3, len(mixes), figsize=(6.5 * len(mixes), 10.5), squeeze=False)
    for col, mix in enumerate(mixes):
        mine = [r for r in rounds if r["mix"] == mix]
        paths = [p for p in PATH_COLOURS if any(r["path"] == p for r in mine)]
        s = report["summary"][mix]
        for path in paths:
            pts = sorted((r["round"], r) for r in mine if r["path"] == path)
            xs = [x for x, _ in pts]
            colour = PATH_COLOURS[path]
            axes[0][col].plot(xs, [r["rps"] for _, r in pts], "o-", color=colour, label=path)
            axes[1][col].plot(xs, [r["latency_ms"]["p50"] for _, r in pts], "o-", color=colour, label=f"{path} p50")
            axes[1][col].plot(xs, [r["latency_ms"]["p99"] for _, r in pts], "s--", color=colour, label=f"{path} p99")
        title = f"{mix} mix: ratio secured/direct = {s.get('ratio', 0):.2f}"
        axes[0][col].set_title(title)
        axes[0][col].set_ylabel("throughput (req/s)")
        axes[0][col].set_ylim(bottom=0)
        axes[1][col].set_title(f"{mix} mix: latency (added p99 {s.get('added_p99_ms', 0):+.0f} ms)")
        axes[1][col].set_ylabel("latency (ms)")
        axes[1][col].set_ylim(bottom=0)
        _cpu_bars(axes[2][col], s, mix)
        for row in (0, 1):
            axes[row][col].set_xlabel("round")
            axes[row][col].grid(alpha=0.3)
            axes[row][col].legend(fontsize=8)
            axes[row][col].xaxis.get_major_locator().set_params(integer=True)
    meta = report["meta"]
    fig.suptitle(
        f"fhirfort bench {meta['date']} ({meta.get('git_commit', '')[:8]}): {meta['connections']} connections, "
        f"{meta['duration_s']} s rounds, load avg {meta.get('loadavg_before', '?')} -> "
        f"{meta.get('loadavg_after', '?')} on {meta.get('cpus', '?')} CPUs",
        fontsize=10,
    )
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return ""


def _cpu_bars(ax: Any, summary: dict[str, Any], mix: str) -> None:
    """Grouped bars: CPU per request (us) of each service, per path."""
    paths = [p for p in PATH_COLOURS if p in summary["paths"]]
    services = sorted({svc for p in paths for svc in summary["paths"][p]["cpu_us_per_request"]})
    width = 0.8 / max(1, len(paths))
    for i, path in enumerate(paths):
        cpu = summary["paths"][path]["cpu_us_per_request"]
        xs = [j + i * width for j in range(len(services))]
        ax.bar(xs, [cpu.get(svc, 0.0) for svc in services], width, color=PATH_COLOURS[path], label=path)
    ax.set_xticks([j + width * (len(paths) - 1) / 2 for j in range(len(services))], services)
    ax.set_ylabel("CPU per request (us)")
    ax.set_title(f"{mix} mix: CPU per request by service (all rounds, incl. background)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
