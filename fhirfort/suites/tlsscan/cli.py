"""`fhirfort tlsscan` (`make tlsscan`): testssl against the edge and every internal TLS listener.

Asserts: nothing below TLS 1.2; no NULL/EXPORT/RC4/3DES/CBC suites; forward secrecy; HSTS on the edge with
max-age >= spec/tls.yaml hsts_max_age_seconds; a chain valid to the kit CA; no TLS compression; no insecure
renegotiation. Findings at or above --fail-on fail the run. Report: build/reports/tlsscan.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fhirfort.spec import spec
from fhirfort.suites import REPORTS_DIR, lab
from fhirfort.suites.tlsscan import checks, targets, testssl


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--short", action="store_true", help="CI form: the edge only, no per-cipher enumeration")
    parser.add_argument("--only", default="", help="comma-separated listeners: edge,fhir,idp,db,logs")
    parser.add_argument("--fail-on", default="MEDIUM", choices=checks.SEVERITIES, help="severity that fails")
    parser.add_argument("--waive", action="append", default=[], metavar="TESTSSL_ID", help="accept a testssl id")
    parser.add_argument("--parallel", type=int, default=2, help="testssl processes at once (max 3)")
    parser.add_argument("--timeout", type=float, default=420.0, help="seconds per listener")
    parser.add_argument("--no-install", action="store_true", help="do not apt-get install testssl.sh if missing")
    parser.add_argument("--report", type=Path, default=REPORTS_DIR / "tlsscan.json")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _scan_one(
    cmd: str, t: targets.ScanTarget, ca: Path, args: argparse.Namespace, waivers: dict[str, str]
) -> dict[str, Any]:
    """One listener; a scan that could not connect is retried once (the lab may be busy or restarting)."""
    entry = _scan_once(cmd, t, ca, args, waivers)
    if entry.get("error") or any(f["check"] == "testssl:scanProblem" for f in entry["findings"]):
        _log(f"tlsscan: {t.label}: scan problem, retrying once in 10 s")
        time.sleep(10)
        entry = _scan_once(cmd, t, ca, args, waivers)
        entry["retried"] = True
    return entry


def _scan_once(
    cmd: str, t: targets.ScanTarget, ca: Path, args: argparse.Namespace, waivers: dict[str, str]
) -> dict[str, Any]:
    tls = spec().tls
    allowed = set(tls.tls12_ciphers) | set(tls.tls13_ciphersuites)
    started = time.monotonic()
    _log(
        f"tlsscan: {t.label} ({t.sni}{', STARTTLS ' + t.starttls if t.starttls else ''}) from "
        f"{t.scan_from or 'the machine'} ..."
    )
    entry: dict[str, Any] = {"target": asdict(t)}
    try:
        results = testssl.scan(cmd, t, ca, args.short, args.timeout)
    except (testssl.TestsslError, lab.LabError) as exc:
        entry.update(error=str(exc), findings=[asdict(checks.Finding("scan", "HIGH", str(exc)))])
        return entry
    found = checks.evaluate(
        results,
        public=t.public,
        min_hsts=tls.hsts_max_age_seconds,
        allowed_ciphers=allowed,
        waivers=waivers,
        allowed_curves=set(tls.ecdh_curves),
    )
    res = {r["id"]: r.get("finding", "") for r in results}
    entry.update(
        seconds=round(time.monotonic() - started, 1),
        protocols={p: res.get(p, "") for p in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3")},
        ciphers=[f"{c['protocol']} {c['name']}" for c in checks.offered_ciphers(results)],
        forward_secrecy=res.get("PFS", res.get("FS", "")),
        chain=res.get("cert_chain_of_trust", ""),
        hsts=res.get("HSTS_time", "") if t.public else None,
        compression=res.get("CRIME_TLS", ""),
        renegotiation={"secure": res.get("secure_renego", ""), "client": res.get("secure_client_renego", "")},
        waived={k: v for k, v in waivers.items() if k in res},
        findings=[asdict(f) for f in found],
    )
    _log(f"tlsscan: {t.label}: {len(found)} findings in {entry['seconds']} s")
    return entry


def run(args: argparse.Namespace) -> int:
    try:
        endpoints = lab.load_endpoints()
        cmd = testssl.ensure_installed(not args.no_install)
    except (lab.LabError, testssl.TestsslError) as exc:
        _log(f"tlsscan: {exc}")
        return 2
    only = ["edge"] if args.short else [x.strip() for x in args.only.split(",") if x.strip()]
    plan = targets.plan(endpoints.public_name, endpoints.edge_address, only or None)
    waivers = dict(checks.DEFAULT_WAIVERS) | {w: "waived on the command line" for w in args.waive}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, min(args.parallel, 3))) as pool:
        scans = list(pool.map(lambda t: _scan_one(cmd, t, endpoints.ca_cert, args, waivers), plan))
    failing = [
        {"listener": s["target"]["name"], **f}
        for s in scans
        for f in s["findings"]
        if checks.Finding(**f).at_least(args.fail_on)
    ]
    report = {
        "tool": cmd,
        "mode": "short" if args.short else "full",
        "fail_on": args.fail_on,
        "seconds": round(time.monotonic() - started, 1),
        "scans": scans,
        "failing": failing,
        "ok": not failing,
    }
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    for f in failing:
        _log(f"tlsscan: FAIL {f['listener']}: [{f['severity']}] {f['check']}: {f['detail']}")
    _log(f"tlsscan: report {args.report}")
    print(
        f"listeners={len(scans)} findings={sum(len(s['findings']) for s in scans)} failing={len(failing)} "
        f"fail_on={args.fail_on} ok={report['ok']}"
    )
    return 0 if report["ok"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fhirfort tlsscan", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
