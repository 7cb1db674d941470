"""`fhirfort chaos` (`make chaos`): faults under a journaled writer; every acknowledged write must survive.

While a writer creates Observations through the edge (journal: build/chaos/journal.jsonl, one fsynced line per
HTTP 201 with id, version and content hash), each fault in turn -- kill -9 of nginx, HAPI, PostgreSQL,
Keycloak, rsyslog; restart of each whole host; the log host's disk filling up -- is injected and its service
polled until it serves again (budget 30 s each; polling continues to a cap so the real time is known). A
service that does not come back by itself is started by hand afterwards so the run can go on, and the fault
fails. Finally every journaled write is read back. Report: build/reports/chaos.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fhirfort import REPO_ROOT
from fhirfort.local.paths import LabPaths
from fhirfort.suites.bench.token import TokenSource
from fhirfort.suites.chaos import diskfull, faults, http, journal, probes
from fhirfort.suites.chaos.findings import findings
from fhirfort.suites.chaos.writer import Writer
from fhirfort.suites.lab import Endpoints, LabError, load_endpoints

REPORT = REPO_ROOT / "build" / "reports" / "chaos.json"
WORKDIR = REPO_ROOT / "build" / "chaos"


def say(msg: str) -> None:
    print(msg, flush=True)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--short", action="store_true", help=f"the CI form: {', '.join(faults.SHORT)} (~6 min)")
    parser.add_argument("--faults", default="", help=f"comma-separated subset of: {', '.join(faults.FULL)}; or none")
    parser.add_argument("--no-disk-full", action="store_true", help="skip the log host disk-full step")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds a service may take to serve again")
    parser.add_argument("--cap", type=float, default=150.0, help="seconds to keep polling after the budget")
    parser.add_argument("--writer-interval", type=float, default=0.25, help="seconds between writes")
    parser.add_argument("--token", choices=("auto", "off", "required"), default="auto")
    parser.add_argument("--report", type=Path, default=REPORT)


def _probe(fault: faults.Fault, session: Any, ep: Endpoints, paths: LabPaths) -> Callable[[], bool]:
    from fhirfort.spec import spec

    if fault.probe == "idp":
        realm = spec().identity.realm
        return lambda: probes.idp_discovery(ep, paths, realm)
    if fault.probe == "logs":
        return probes.LogDelivery(paths, "edge").probe
    return lambda: probes.fhir_read(session, ep)


def _run_fault(
    fault: faults.Fault, args: argparse.Namespace, session: Any, ep: Endpoints, paths: LabPaths, writer: Writer
) -> dict[str, Any]:
    say(f"==> {fault.name}: {fault.describe()}")
    rec: dict[str, Any] = {"fault": fault.name, "kind": fault.kind, "host": fault.host, "service": fault.unit}
    t0 = time.monotonic()
    rec["injected_at"] = dt.datetime.now(dt.UTC).strftime("%H:%M:%S")
    try:
        rec.update(faults.inject(fault, paths))
    except LabError as exc:
        rec.update({"passed": False, "error": str(exc)})
        say(f"    {fault.name}: could not inject: {exc}")
        return rec
    if "skipped" in rec:
        say(f"    skipped: {rec['skipped']}")
        rec["passed"] = None
        return rec
    probe = _probe(fault, session, ep, paths)
    killed = rec.get("killed_pid")
    # A role with standby instances serves again when its clients are served (through the edge's failover); the
    # faulted instance's own return is measured apart (instance_recovery_s). A role without one serves again
    # only once its unit runs under a new process and the probe passes.
    standby = bool(faults.standbys(fault))
    rec["standby_instances"] = standby

    def check() -> bool:
        if killed is not None and not standby and not faults.replaced(fault, paths, int(killed)):
            return False
        return probe()

    give_up = faults.gave_up(fault, paths, t0)
    took: float | None = None
    reason = None
    while time.monotonic() - t0 < args.budget + args.cap:
        if check():
            took = time.monotonic() - t0
            break
        reason = give_up()
        if reason:
            break
        time.sleep(0.5)
    rec["recovery_s"] = round(took, 2) if took is not None else None
    rec["within_budget"] = took is not None and took <= args.budget
    if took is None:
        rec["not_recovered"] = reason or f"not serving after {args.budget + args.cap:.0f} s"
        rec["repair"] = faults.repair(fault, paths)
        t1 = time.monotonic()
        ok = False
        while time.monotonic() - t1 < args.cap:
            if check():
                ok = True
                break
            time.sleep(1)
        rec["serving_after_repair_s"] = round(time.monotonic() - t1, 1) if ok else None
    # filled in when the writer stops: its first acknowledged write once the probe saw the service back
    rec["_t0"], rec["_t_ok"] = t0, t0 + (took or 0.0)
    rec.update(_instance_back(fault, ep, paths, t0, args.budget + args.cap))
    rec["passed"] = bool(rec["within_budget"]) and rec.get("instance_recovery_s", 0) is not None
    mark = "ok" if rec["passed"] else "FAIL"
    instance = (
        f"; the {fault.host} instance itself ready after {rec['instance_recovery_s']} s"
        if "instance_recovery_s" in rec
        else ""
    )
    say(
        f"    {mark}: serving again after {rec['recovery_s']} s (budget {args.budget:.0f} s){instance}"
        + (f"; {rec.get('not_recovered')}; {rec.get('repair')}" if took is None else "")
    )
    _settle(session, ep, paths, args.cap)
    return rec


def _instance_back(fault: faults.Fault, ep: Endpoints, paths: LabPaths, t0: float, cap: float) -> dict[str, Any]:
    """For a service with standby instances the probe can pass while the faulted instance still starts: poll that
    instance's own readiness too (its host's address), so the report shows when redundancy was whole again."""
    address = ep.hosts.get(fault.host)
    if address is None or probes.instance_ready(fault.unit, fault.host, address, ep, paths) is None:
        return {}
    while time.monotonic() - t0 < cap:
        if probes.instance_ready(fault.unit, fault.host, address, ep, paths):
            return {"instance_recovery_s": round(time.monotonic() - t0, 2)}
        time.sleep(0.5)
    return {"instance_recovery_s": None}


def _settle(session: Any, ep: Endpoints, paths: LabPaths, cap: float) -> None:
    """Before the next fault: FHIR serving through the edge (bounded)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < cap:
        if probes.fhir_read(session, ep):
            return
        time.sleep(1)
    say(f"    warning: FHIR still not serving {cap:.0f} s after the fault")


def run(args: argparse.Namespace) -> int:
    paths = LabPaths.default()
    try:
        ep = load_endpoints(paths)
    except LabError as exc:
        say(f"chaos: {exc}")
        return 2
    names = [n.strip() for n in args.faults.split(",") if n.strip()] or list(
        faults.SHORT if args.short else faults.FULL
    )
    if names == ["none"]:
        names = []
    unknown = [n for n in names if n not in faults.FAULTS]
    if unknown:
        say(f"chaos: unknown fault(s) {', '.join(unknown)}; known: {', '.join(faults.FULL)}")
        return 2
    disk_full = not args.no_disk_full
    WORKDIR.mkdir(parents=True, exist_ok=True)
    tokens = TokenSource(WORKDIR / "token", mode=args.token, max_age_s=90)

    def fetch() -> str | None:
        f = tokens.get()
        return f.read_text().strip() if f else None

    keeper = http.TokenKeeper(fetch)
    try:
        keeper.refresh()
    except RuntimeError as exc:  # --token required and none to be had
        say(f"chaos: {exc}")
        return 2
    keeper.start()
    token = keeper.current

    started = dt.datetime.now(dt.UTC)
    results: list[dict[str, Any]] = []
    disk: dict[str, Any] | None = None
    with http.lab_names(ep.hosts):
        session = http.session(ep, token)
        if not probes.fhir_read(session, ep):
            say("chaos: FHIR is not serving through the edge before any fault: fix the lab first (make status)")
            return 2
        writer = Writer(http.session(ep, token), ep.fhir_base_url, WORKDIR / "journal.jsonl", args.writer_interval)
        writer.start()
        say(f"==> writer started ({1 / args.writer_interval:.0f} writes/s through the edge); token: {tokens.status}")
        time.sleep(3)
        try:
            for name in names:
                results.append(_run_fault(faults.FAULTS[name], args, session, ep, paths, writer))
            if disk_full:
                say("==> disk-full: the log host's store fills up")
                hold_s = 8 if args.short else 20
                disk = diskfull.run(paths, lambda: probes.fhir_read(session, ep), say, hold_s=hold_s)
                say(
                    f"    delivered after space returned: {disk.get('all_records_delivered')}, "
                    f"FHIR kept serving: {disk.get('fhir_kept_serving')}"
                )
        finally:
            time.sleep(2)
            writer.stop()
            writer.join(timeout=20)
            keeper.stop()
        for rec in results:
            t0, t_ok = rec.pop("_t0", None), rec.pop("_t_ok", None)
            first_ack = writer.stats.first_ack_after(t_ok) if t_ok is not None else None
            rec["writer_first_ack_after_fault_s"] = round(first_ack - t0, 2) if first_ack and t0 else None
        say(f"==> reading back {writer.stats.acknowledged} acknowledged writes")
        verdict = journal.verify(
            journal.load(WORKDIR / "journal.jsonl"), lambda u: session.get(u, timeout=30), ep.fhir_base_url
        )
    rep = {
        "meta": {
            "date": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_s": round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1),
            "form": "short" if args.short else "full",
            "budget_s": args.budget,
            "loadavg": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
            "token": tokens.status,
        },
        "faults": results,
        "disk_full": disk,
        "findings": findings(results, disk, args.budget),
        "writes": {
            "attempted": writer.stats.attempted,
            "acknowledged": writer.stats.acknowledged,
            "not_acknowledged": writer.stats.refused,
            "read_back_unchanged": verdict["read_back_unchanged"],
            "lost": verdict["lost"],
            "missing_ids": verdict["missing"][:50],
            "changed_ids": verdict["changed"][:50],
            "journal": str((WORKDIR / "journal.jsonl").relative_to(REPO_ROOT)),
        },
    }
    failed = [r["fault"] for r in results if r.get("passed") is False]
    disk_ok = disk is None or (
        disk.get("fhir_kept_serving") and disk.get("all_records_delivered") and disk.get("failure_visible")
    )
    rep["passed"] = not failed and verdict["lost"] == 0 and bool(disk_ok)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(rep, indent=2) + "\n")
    say(f"==> report {args.report}")
    for r in results:
        say(f"    {r['fault']:15} recovery {r.get('recovery_s')} s  passed {r.get('passed')}")
    for line in rep["findings"]:
        say(f"    finding: {line}")
    say(
        f"chaos: faults={len(results)} failed={len(failed)} acknowledged={writer.stats.acknowledged} "
        f"lost={verdict['lost']}" + ("" if disk_ok else " disk_full=FAILED")
    )
    return 0 if rep["passed"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fhirfort chaos", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
