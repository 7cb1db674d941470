"""`fhirfort attack` (`make attack`): the attack and legitimate corpus through the edge, with WAF rule ids.

Exit 0 only when every attack class is refused at >= the goal rate, no legitimate request is refused by the
edge, and nothing was inconclusive. Reports: build/reports/attack.json and attack.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from fhirfort.suites import REPORTS_DIR, lab
from fhirfort.suites.attack import corpus, modsec_log, report, runner, transport

RESOURCE_TYPES = ["Patient", "Observation", "DocumentReference", "Binary", "Medication", "Basic"]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--attacks", type=Path, default=corpus.ATTACKS_FILE)
    parser.add_argument("--legit", type=Path, default=corpus.LEGIT_FILE)
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        metavar="N",
        help="stratified subset: N attacks and N legitimate requests (0 = all)",
    )
    parser.add_argument("--classes", default="", help="comma-separated attack classes to run (default all)")
    parser.add_argument("--token", default="", help="bearer token (default: auto-detect whether one is needed)")
    parser.add_argument("--no-token", action="store_true", help="never send a bearer token")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight (max 4)")
    parser.add_argument("--rate", type=float, default=12.0, help="request starts per second (edge limit: 30/s)")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="wall-clock budget for sending")
    parser.add_argument("--goal", type=float, default=report.GOAL_BLOCK_RATE, help="block-rate goal per class")
    parser.add_argument("--no-waf-log", action="store_true", help="skip reading the edge's ModSecurity log")
    parser.add_argument("--no-cleanup", action="store_true", help="keep the resources the corpus created")
    parser.add_argument("--report", type=Path, default=REPORTS_DIR / "attack.json")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def resolve_token(args: argparse.Namespace, target: transport.Target) -> tuple[str | None, str]:
    """(token, how): explicit, none, or auto (a token only if the FHIR API answers 401 without one)."""
    if args.no_token:
        return None, "disabled"
    if args.token:
        return args.token, "given"
    probe = corpus.Entry(id="probe", kind="legit", cls="probe", method="GET", target="{base}/Patient?_count=1")
    resp = transport.send_http(probe, target)
    if resp.status != 401:
        return None, f"not required (probe answered {resp.status})"
    try:
        import fhirfort.local.smart_client  # noqa: F401
    except ImportError:
        return None, "required but fhirfort.local.smart_client is missing"
    err = ""
    for attempt in range(4):  # Keycloak answers 503 while it bootstraps
        res = subprocess.run(
            # the legitimate corpus creates, updates and deletes: a read-only token would only test HAPI's 403s
            [sys.executable, "-m", "fhirfort.local.cli_token", "--scope", "system/*.cruds"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        lines = res.stdout.strip().splitlines()
        if res.returncode == 0 and lines:
            return lines[-1].strip(), "fhirfort.local.smart_client (fhirfort token)"
        err = res.stderr.strip()[-300:]
        time.sleep(5 * (attempt + 1))
    return None, f"required but `fhirfort token` failed: {err}"


def _waf_refused(r: runner.Result) -> bool:
    """The client saw a refusal ModSecurity could have made (edge 400/403; 413 is nginx's own limit)."""
    return r.verdict.origin == "edge" and r.response.status in (400, 403)


def select(args: argparse.Namespace) -> tuple[list[corpus.Entry], list[corpus.Entry]]:
    attacks, legit = corpus.load(args.attacks), corpus.load(args.legit)
    if args.classes:
        wanted = {c.strip() for c in args.classes.split(",") if c.strip()}
        unknown = wanted - set(corpus.CLASSES)
        if unknown:
            raise corpus.CorpusError(f"unknown attack classes: {', '.join(sorted(unknown))}")
        attacks = [e for e in attacks if e.cls in wanted]
    if args.sample:
        attacks, legit = corpus.stratified(attacks, args.sample), corpus.stratified(legit, args.sample)
    return attacks, legit


def run(args: argparse.Namespace) -> int:
    try:
        endpoints = lab.load_endpoints()
        attacks, legit = select(args)
    except (lab.LabError, corpus.CorpusError, OSError) as exc:
        _log(f"attack: {exc}")
        return 2
    target = transport.Target(
        endpoints.edge_address, endpoints.port, endpoints.public_name, endpoints.base_path, endpoints.ca_cert
    )
    token, how = resolve_token(args, target)
    if token is None and how.startswith("required"):
        _log(f"attack: the FHIR API needs a bearer token and none could be obtained ({how}); pass --token")
        return 2
    target = transport.Target(**{**target.__dict__, "token": token})
    _log(
        f"attack: {len(attacks)} attacks, {len(legit)} legitimate requests -> {endpoints.fhir_base_url} "
        f"(edge {endpoints.edge_address}); token: {how}"
    )

    log_path = modsec_log.event_log_path()
    offset = None
    if not args.no_waf_log:
        try:
            offset = modsec_log.log_size(log_path)
        except lab.LabError as exc:
            _log(f"attack: the WAF log is not readable, rule ids will be missing ({exc})")
    started = time.time()
    run_ = runner.Runner(
        target, concurrency=args.concurrency, rate=args.rate, deadline=time.monotonic() + args.max_seconds
    )
    results = run_.run(attacks + legit)
    elapsed = time.time() - started

    txs: dict[str, modsec_log.Transaction] = {}
    if offset is not None:
        time.sleep(1.0)  # nginx writes the log line after answering
        try:
            parsed = modsec_log.parse(modsec_log.read_since(log_path, offset))
            sent = [
                modsec_log.Sent(r.entry.id, r.response.request_line, r.started, r.finished, _waf_refused(r))
                for r in results
            ]
            txs = modsec_log.attribute(parsed, sent)
            _log(f"attack: {len(parsed)} ModSecurity transactions in {log_path}, {len(txs)} attributed")
        except lab.LabError as exc:
            _log(f"attack: reading the WAF log failed: {exc}")
    cleaned = {} if args.no_cleanup else runner.cleanup(target, RESOURCE_TYPES)

    meta = {
        "target": endpoints.fhir_base_url,
        "edge": endpoints.edge_address,
        "token": how,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(elapsed, 1),
        "sample": args.sample,
        "corpus": {"attacks": str(args.attacks), "legit": str(args.legit)},
        "waf_event_log": log_path if offset is not None else None,
        "cleanup_deleted": cleaned,
        "refusal_definitions": {c: sorted(v["refused"]) for c, v in corpus.CLASSES.items()},
    }
    rep = report.build(results, txs, report.Goals(block_rate=args.goal), meta)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(rep, indent=2, ensure_ascii=False) + "\n")
    md = args.report.with_suffix(".md")
    md.write_text(report.markdown(rep))
    s = rep["summary"]
    _log(f"attack: report {args.report} and {md}")
    print(
        f"attacks={s['attacks']} refused={s['refused']} block_rate={s['block_rate']:.3f} "
        f"false_positives={s['false_positives']} inconclusive={s['inconclusive']} "
        f"classes_below_goal={','.join(s['classes_below_goal']) or '-'} ok={s['ok']}"
    )
    return 0 if s["ok"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fhirfort attack", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
