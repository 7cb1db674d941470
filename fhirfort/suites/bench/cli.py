"""`fhirfort bench` (`make bench`): the secured path against the direct path, in one run.

Secured: the machine -> edge 443 (TLS, ModSecurity + CRS, limits) -> HAPI 8443. Direct: from inside the edge
host's network namespace (the flow matrix allows edge -> fhir 8443) straight to HAPI 8443. Same wrk binary,
same Lua mix, same connections, same token; rounds interleaved in ABBA order (direct, secured, then secured,
direct, ...) so drift on a shared machine falls on both paths; one warm-up run per path and mix is discarded.

Outputs: build/reports/bench.json, build/reports/bench.png, one line appended to bench/history.jsonl (unless
--no-record), and the LAST line `ratio=<secured/direct read throughput>`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from fhirfort import REPO_ROOT
from fhirfort.local.paths import LabPaths
from fhirfort.suites.bench import cpu, edgelog, mixes, overlay, report, wrk
from fhirfort.suites.bench.stats import Round
from fhirfort.suites.bench.suggestions import suggestions
from fhirfort.suites.bench.token import TokenSource
from fhirfort.suites.lab import LabError, leader, load_endpoints

REPORT_JSON = REPO_ROOT / "build" / "reports" / "bench.json"
HISTORY = REPO_ROOT / "bench" / "history.jsonl"
WORKDIR = REPO_ROOT / "build" / "bench"
BENCH_RATE = 100000  # r/s per client during the bench (overlay mode)
FAIL_SHARE = 0.01  # more failed requests than this on a path makes the run fail


def say(msg: str) -> None:
    print(msg, flush=True)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per mix and path (default 3)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run (default 15)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of discarded warm-up per mix and path")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections on both paths")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--mix", choices=(*mixes.MIXES, "all"), default="all")
    parser.add_argument(
        "--rate-limit",
        choices=("overlay", "respect"),
        default="overlay",
        help="overlay: raise the edge's per-client limit for the bench only and restore it (default); "
        "respect: leave it (throughput is then capped by the limiter: the ratio is not a capacity ratio)",
    )
    parser.add_argument(
        "--waf-ablation", action="store_true", help="also run secured rounds with ModSecurity off (bench overlay)"
    )
    parser.add_argument("--token", choices=("auto", "off", "required"), default="auto")
    parser.add_argument("--notes", default="", help="notes for the history line")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/history.jsonl")
    parser.add_argument(
        "--report", type=Path, default=REPORT_JSON, help="JSON report path; the PNG plot is written beside it"
    )
    parser.add_argument(
        "--restore", action="store_true", help="only put back the edge files of an interrupted bench, then exit"
    )


def _git_commit() -> str:
    res = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=REPO_ROOT, check=False)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    return res.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _targets(paths: LabPaths) -> dict[str, wrk.Target]:
    from fhirfort.spec import spec

    ep = load_endpoints(paths)
    s = spec()
    fhir_port = int(s.services["fhir_https"].port)
    internal = "fhir.fhirfort.internal"
    return {
        "direct": wrk.Target(
            "direct", f"https://{internal}:{fhir_port}", internal, ep.hosts["fhir"], netns_pid=leader("edge", paths)
        ),
        "secured": wrk.Target(
            "secured",
            f"https://{ep.public_name}" + (f":{ep.port}" if ep.port != 443 else ""),
            ep.public_name,
            ep.edge_address,
        ),
    }


class _Stop(Exception):
    pass


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    raise _Stop(f"signal {signum}")


def run(args: argparse.Namespace) -> int:
    paths = LabPaths.default()
    if args.restore:
        edge = overlay.EdgeOverlay(paths, WORKDIR / "overlay.json", say=say)
        was = edge.active()
        edge.restore()
        say("bench: edge overlay restored" if was else "bench: no bench overlay on the edge")
        return 0
    mix_names = list(mixes.MIXES) if args.mix == "all" else [args.mix]
    try:
        wrk.wrk_binary()
        targets = _targets(paths)
        leaders = {h: leader(h, paths) for h in ("edge", "fhir", "db")}
    except (wrk.WrkError, LabError) as exc:
        say(f"bench: {exc}")
        return 2
    work = WORKDIR / "work"
    files = mixes.write_mixes(work, load_endpoints(paths).base_path)
    tokens = TokenSource(work / "token", mode=args.token)
    edge = overlay.EdgeOverlay(paths, WORKDIR / "overlay.json", say=say)
    started = dt.datetime.now(dt.UTC)
    meta: dict[str, Any] = {
        "date": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": _git_commit(),
        "cpus": os.cpu_count(),
        "loadavg_before": _loadavg(),
        "generator": "wrk (Debian), bench/wrk/mix.lua",
        "connections": args.connections,
        "threads": args.threads,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rounds": args.rounds,
        "order": "ABBA: odd rounds direct then secured, even rounds secured then direct",
        "paths": {
            p: {"url": t.url, "address": t.address, "from": "edge netns" if t.netns_pid else "machine"}
            for p, t in targets.items()
        },
    }
    old_term = signal.signal(signal.SIGTERM, _on_signal)
    rounds: list[Round] = []
    try:
        meta["rate_limit"] = _rate_limit(args, edge)
        token_file = tokens.get()
        say(f"==> token: {tokens.status}")
        plan = ["direct", "secured"] + (["secured_nowaf"] if args.waf_ablation else [])
        total = (len(plan) * len(mix_names)) * (args.warmup + args.rounds * args.duration)
        say(
            f"==> bench: {len(mix_names)} mix(es) x {len(plan)} paths, {args.rounds} rounds of {args.duration} s, "
            f"{args.connections} connections; about {total // 60} min {total % 60} s; load {meta['loadavg_before']}"
        )
        for mix in mix_names:
            for path in plan:
                say(f"    warm-up {mix}/{path} ({args.warmup} s, discarded)")
                _one(args, targets, path, mix, files[mix], work, tokens, edge, leaders, 0, paths, warmup=True)
        for i in range(1, args.rounds + 1):
            order = plan if i % 2 else list(reversed(plan))
            for mix in mix_names:
                for path in order:
                    r = _one(args, targets, path, mix, files[mix], work, tokens, edge, leaders, i, paths)
                    rounds.append(r)
                    say(
                        f"    round {i} {mix:5} {path:13} {r.rps:8.1f} req/s  p50 {r.p50_ms:7.1f} ms  "
                        f"p99 {r.p99_ms:7.1f} ms  failed {r.failed}  429 {r.throttled}  "
                        f"cpu/req {', '.join(f'{k} {v:.0f}us' for k, v in r.cpu_us_per_request().items())}"
                    )
        del token_file
    except (_Stop, KeyboardInterrupt) as exc:
        say(f"bench: interrupted ({exc}); restoring the edge")
        return 130
    except (wrk.WrkError, LabError, overlay.OverlayError, RuntimeError) as exc:
        say(f"bench: {exc}")
        return 1
    finally:
        edge.restore()
        signal.signal(signal.SIGTERM, old_term)
    meta["loadavg_after"] = _loadavg()
    meta["token"] = tokens.status
    meta["finished"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rep = report.build(rounds, mix_names, meta, [])
    rep["tuning_suggestions"] = suggestions(rep)
    report_json: Path = args.report
    report_png = report_json.with_suffix(".png")
    report_json.parent.mkdir(parents=True, exist_ok=True)
    report_json.write_text(json.dumps(rep, indent=2) + "\n")
    why = report.plot(rep, report_png)
    plotted = f"; {why}" if why else f", plot {report_png}"
    say(f"==> report {report_json}{plotted}")
    if not args.no_record:
        notes = args.notes or f"make bench (load {meta['loadavg_before'][0]} on {meta['cpus']} CPUs)"
        report.append_history(HISTORY, report.history_line(rep, notes))
        say(f"==> history line appended to {HISTORY.relative_to(REPO_ROOT)}")
    rc = _print_summary(rep)
    print(f"ratio={report.headline_ratio(rep):.3f}", flush=True)
    return rc


def _rate_limit(args: argparse.Namespace, edge: overlay.EdgeOverlay) -> dict[str, Any]:
    if args.rate_limit == "respect":
        edge.restore()
        say("==> rate limit: left in force (--rate-limit respect): 429s cap the secured path")
        return {"mode": "respect", "note": "edge per-client limit in force; throughput ratio is capped by it"}
    seen: dict[str, int] = {}
    edge.apply(overlay.limits_patch(BENCH_RATE, BENCH_RATE, seen))
    say(
        f"==> rate limit: bench overlay on the edge: per-client {seen.get('rate')} r/s burst {seen.get('burst')} -> "
        f"{BENCH_RATE} r/s for this run only (restored at the end)"
    )
    return {
        "mode": "overlay",
        "production": {"rate_per_s": seen.get("rate"), "burst": seen.get("burst")},
        "bench": {"rate_per_s": BENCH_RATE, "burst": BENCH_RATE},
        "note": "the limiter stays in the request path with a raised per-client threshold during the bench only; "
        "the numbers are the capacity for many clients each under the production limit",
    }


_WAF_OFF: dict[str, bool] = {"now": False}


def _waf_state(args: argparse.Namespace, edge: overlay.EdgeOverlay, want_off: bool) -> None:
    """ModSecurity off only during the ablation rounds (and only with --waf-ablation)."""
    if not args.waf_ablation or _WAF_OFF["now"] == want_off:
        return
    base = overlay.limits_patch(BENCH_RATE, BENCH_RATE, {}) if args.rate_limit == "overlay" else {}
    if want_off:
        edge.apply(overlay.waf_off_patch(base))
    elif base:
        edge.apply(base)
    else:
        edge.restore()
    _WAF_OFF["now"] = want_off


def _one(
    args: argparse.Namespace,
    targets: dict[str, wrk.Target],
    path: str,
    mix: str,
    requests_file: Path,
    work: Path,
    tokens: TokenSource,
    edge: overlay.EdgeOverlay,
    leaders: dict[str, int],
    index: int,
    paths: LabPaths,
    *,
    warmup: bool = False,
) -> Round:
    target = targets["secured" if path.startswith("secured") else "direct"]
    if path.startswith("secured"):  # the direct path does not pass the edge: leave its state as it is
        _waf_state(args, edge, path == "secured_nowaf")
    token_file = tokens.get()
    log_at = edgelog.offset(paths)
    before = cpu.snapshot(leaders)
    t0 = time.time()
    res = wrk.run(
        target,
        requests_file,
        work,
        duration_s=args.warmup if warmup else args.duration,
        connections=args.connections,
        threads=args.threads,
        token_file=token_file,
    )
    after = cpu.snapshot(leaders)
    split = edgelog.read_since(paths, log_at) if path.startswith("secured") else {}
    return Round(
        mix=mix,
        path=path,
        index=index,
        requests=res.requests,
        duration_s=res.duration_s,
        p50_ms=res.p50_ms,
        p90_ms=res.p90_ms,
        p99_ms=res.p99_ms,
        statuses=res.statuses,
        socket_errors=res.socket_errors,
        cpu_s=cpu.delta(before, after),
        edge_split_ms=split,
        started=t0,
    )


def _print_summary(rep: dict[str, Any]) -> int:
    rc = 0
    for mix, s in rep["summary"].items():
        for path, p in s["paths"].items():
            say(
                f"    {mix:5} {path:13} {p['rps_median']:8.1f} req/s  p50 {p['p50_ms_median']:7.1f} ms  "
                f"p99 {p['p99_ms_median']:7.1f} ms  cpu/req {p['cpu_us_per_request']}"
            )
            if p["requests"] and (p["failed"] > FAIL_SHARE * p["requests"] or p["throttled_429"]):
                say(
                    f"bench: {mix}/{path}: {p['failed']} failed and {p['throttled_429']} throttled of "
                    f"{p['requests']} requests: the numbers are not comparable"
                )
                rc = 1
        if "ratio" in s:
            say(
                f"    {mix:5} ratio secured/direct {s['ratio']:.3f} (per round {s['ratio_per_round']}), "
                f"added p50 {s['added_p50_ms']:+.1f} ms, added p99 {s['added_p99_ms']:+.1f} ms"
            )
    for line in rep["where_the_time_goes"]:
        say(f"    where the time goes: {line}")
    return rc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fhirfort bench", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
