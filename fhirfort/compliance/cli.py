"""`fhirfort audit`: evaluate the fhirfort-hipaa pack over the mocked stacks and write the auditor report.

Last line: `policies=N resources=M violations=V`, where V counts mandatory violations (what would block
`pulumi up`); advisory findings and opted-out (waived) findings are counted on the line before it and
listed in the report. Exit status 1 when any mandatory violation is found.
"""

from __future__ import annotations

import argparse
import sys

from fhirfort import REPO_ROOT

DEFAULT_STACKS = ("dev", "prod")
DEFAULT_OUT = REPO_ROOT / "build" / "compliance"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack",
        dest="stacks",
        action="append",
        metavar="NAME",
        help="stack to evaluate (stacks/Pulumi.<NAME>.yaml); repeatable; default: dev and prod",
    )
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="report directory (default: build/compliance)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from fhirfort.compliance import evaluator, report

    policies = evaluator.load_policies()
    evaluations = []
    for stack in args.stacks or DEFAULT_STACKS:
        print(f"==> evaluating {len(policies)} policies over the mocked stack {stack}", flush=True)
        ev = evaluator.evaluate_mocked(stack)
        evaluations.append(ev)
        for row in ev.with_status("fail", "advisory"):
            for message in row.messages:
                print(f"  {row.status.upper():9} {stack:5} {row.policy} {row.resource_name}: {message}")
    uncovered = evaluator.uncovered_types([r for ev in evaluations for r in ev.resources], policies)
    data = report.build(evaluations, policies, uncovered)
    paths = report.write(data, Path(args.out))
    for path in paths:
        print(f"  wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
    if uncovered:
        print(
            f"  uncovered resource types (add a policy or an exemption in spec/controls.yaml): {', '.join(uncovered)}"
        )
    s = data["summary"]
    print(f"advisories={s['advisories']} waived={s['waived']} checks={s['checks']}")
    print(f"policies={s['policies']} resources={s['resources']} violations={s['violations']}")
    sys.stdout.flush()
    return 1 if s["violations"] else 0
