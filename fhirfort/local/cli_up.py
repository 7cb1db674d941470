"""`fhirfort up`: bring up the local target (hosts, network, converge)."""

from __future__ import annotations

import argparse

from fhirfort.local.steps import StepError, fail
from fhirfort.local.up import UpOptions, bring_up


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-hapi", action="store_true", help="skip the HAPI jar build")
    parser.add_argument("--no-converge", action="store_true", help="stop after the hosts and inventory (no Ansible)")
    parser.add_argument(
        "--expect-no-changes", action="store_true", help="fail unless the converge reports changed=0 on every host"
    )


def run(args: argparse.Namespace) -> int:
    try:
        return bring_up(
            UpOptions(hapi=not args.no_hapi, converge=not args.no_converge, expect_no_changes=args.expect_no_changes)
        )
    except StepError as exc:
        return fail(exc)
