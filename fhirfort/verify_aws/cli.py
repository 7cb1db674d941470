"""`fhirfort verify-aws --stack NAME`: check the live controls of a deployed stack.

Exit codes: 0 every check passed, 1 at least one failed, 2 the outputs could not be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fhirfort.verify_aws.outputs import OutputsError, StackOutputs, load_outputs_file, load_outputs_from_pulumi
from fhirfort.verify_aws.report import REPORT_DIR, render_table, summary_line, write_json


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, help="Pulumi stack name (names the report file)")
    parser.add_argument(
        "--outputs-file",
        type=Path,
        help="JSON of the stack's outputs; default: run `pulumi stack output --json --show-secrets --stack NAME`",
    )
    parser.add_argument("--region", help="AWS region; default: the region of the stack's ALB ARN")
    parser.add_argument("--endpoint-url", help="send every AWS call to this endpoint (tests: a local moto server)")
    parser.add_argument("--report-dir", type=Path, default=REPORT_DIR, help="where to write verify-aws-STACK.json")


def _outputs(args: argparse.Namespace) -> StackOutputs:
    if args.outputs_file is not None:
        return load_outputs_file(args.outputs_file)
    return load_outputs_from_pulumi(args.stack)


def run(args: argparse.Namespace) -> int:
    from fhirfort.verify_aws.context import CheckContext  # boto3 only once the outputs are known
    from fhirfort.verify_aws.runner import run_checks

    try:
        outputs = _outputs(args)
    except OutputsError as exc:
        print(f"verify-aws: {exc}", file=sys.stderr)
        return 2
    region = args.region or outputs.region
    ctx = CheckContext(outputs=outputs, region=region, endpoint_url=args.endpoint_url)
    print(f"==> verifying the live controls of stack {args.stack} in {region}")
    results = run_checks(ctx)
    print(render_table(results))
    path = write_json(results, args.stack, region, args.report_dir)
    print(f"report: {path}")
    print(summary_line(results))
    return 0 if all(r.passed for r in results) else 1
