"""`fhirfort secrets-scan` (`make secrets-scan`): secret material anywhere it should not be.

Scans with detect-secrets: every blob of the repository history and the working tree; build/ (without the
intentional secret stores build/local/secrets/ and the private keys under build/local/pki/ and
build/local/ssh/, whose file modes are checked instead); the mocked Pulumi state of a stack; each lab host's
/etc, /var/log, /opt, /srv, homes and service directories. Checks that no key, password or token file is
world-readable on the machine's build/ and on each host. A canary planted in build/ and on one host must be
found (else the scan is blind and the run fails); it is removed afterwards. 0 findings expected.
Report: build/reports/secrets-scan.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fhirfort import REPO_ROOT
from fhirfort.local import logstore
from fhirfort.local.paths import LabPaths
from fhirfort.spec import spec
from fhirfort.suites import REPORTS_DIR, lab
from fhirfort.suites.secrets_scan import detector, perms, pulumi_state, sources
from fhirfort.suites.secrets_scan.canary import Canary
from fhirfort.suites.secrets_scan.detector import Hit

BUILD = REPO_ROOT / "build"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", default="prod", help="Pulumi stack evaluated under mocks")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: history,worktree,build,pulumi,hosts")
    parser.add_argument("--hosts", default="", help="comma-separated lab hosts (default: every running host)")
    parser.add_argument("--report", type=Path, default=REPORTS_DIR / "secrets-scan.json")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _hosts(args: argparse.Namespace) -> list[str]:
    wanted = [h.strip() for h in args.hosts.split(",") if h.strip()]
    running = []
    for h in lab.host_names():
        try:
            lab.leader(h)
            running.append(h)
        except lab.LabError:
            continue
    return [h for h in running if not wanted or h in wanted]


def _scan(args: argparse.Namespace, canary: Canary, meta: dict[str, Any]) -> tuple[list[Hit], list[perms.ModeFinding]]:
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    paths = LabPaths.default()
    hits: list[Hit] = []
    modes: list[perms.ModeFinding] = []
    hosts = [] if "hosts" in skip else _hosts(args)
    canary.plant(BUILD / "reports")
    if hosts:
        canary.plant(paths.machine(hosts[0]) / "srv")
    if "history" not in skip:
        hits += sources.history(_log)
    if "worktree" not in skip:
        hits += sources.worktree(_log)
    if "build" not in skip:
        hits += sources.build_dir(BUILD, _log, args.report.resolve())
        modes += perms.machine(BUILD)
    if "pulumi" not in skip:
        try:
            p_hits, meta["pulumi"] = pulumi_state.scan(args.stack, _log)
            hits += p_hits
        except Exception as exc:
            meta["pulumi"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            _log(f"secrets-scan: pulumi {args.stack}: {meta['pulumi']['error']}")
    for h in hosts:
        rootfs = paths.machine(h)
        mounts = logstore.binds(h, paths, spec())
        hits += sources.host(h, rootfs, _log, mounts)
        modes += perms.host(h, rootfs, mounts)
    meta["hosts"] = hosts
    meta["canary_planted"] = [str(p) for p in canary.planted]
    return hits, modes


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    canary = Canary()
    meta: dict[str, Any] = {"scanner": "detect-secrets (default plugins and filters)"}
    try:
        with detector.session():
            hits, modes = _scan(args, canary, meta)
    finally:
        left = canary.remove()
    canary_hits = [h for h in hits if canary.matches(h.path)]
    findings = [h for h in hits if not canary.matches(h.path)]
    canary_sources = sorted({h.source for h in canary_hits})
    expected_sources = ["build"] + ([f"host:{meta['hosts'][0]}"] if meta.get("hosts") else [])
    canary_ok = all(s in canary_sources for s in expected_sources if s.split(":")[0] in ("build", "host"))
    if "build" in args.skip:
        canary_ok = canary_ok or not expected_sources
    ok = not findings and not modes and canary_ok and not left
    report = {
        "meta": meta,
        "seconds": round(time.monotonic() - started, 1),
        "findings": [asdict(h) for h in findings],
        "findings_by_type": dict(Counter(h.type for h in findings)),
        "allowlisted": list(detector.ALLOWED),
        "mode_findings": [asdict(m) for m in modes],
        "canary": {
            "found_in": canary_sources,
            "expected_in": expected_sources,
            "hits": len(canary_hits),
            "types": sorted({h.type for h in canary_hits}),
            "removed": not left,
            "left_behind": left,
            "ok": canary_ok,
        },
        "ok": ok,
    }
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    for h in findings[:50]:
        _log(f"secrets-scan: FINDING {h.source} {h.path}:{h.line} {h.type}")
    for m in modes[:50]:
        _log(f"secrets-scan: MODE {m.where} {m.path} {m.mode}: {m.problem}")
    if not canary_ok:
        _log(f"secrets-scan: the canary was NOT found in {expected_sources} (found in {canary_sources}): scan is blind")
    _log(f"secrets-scan: report {args.report}")
    print(f"findings={len(findings)} mode_findings={len(modes)} canary_found={canary_ok} ok={ok}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fhirfort secrets-scan", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
