"""`fhirfort <command>`: the one entry point behind the Makefile targets.

Each command lives in its own module, which exposes `configure(parser)` and `run(args) -> int`;
this file only maps names to modules and imports a module when its command runs (so `fhirfort audit`
never pays for the local target's imports and vice versa).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("fhirfort.compliance.cli", "evaluate the policy pack over the mocked stacks; write the report"),
    "verify-aws": ("fhirfort.verify_aws.cli", "check the live controls of a deployed stack with boto3"),
    "up": ("fhirfort.local.cli_up", "bring up the local target (hosts, network, converge)"),
    "down": ("fhirfort.local.cli_down", "stop and remove the local target's hosts; keep data"),
    "destroy": ("fhirfort.local.cli_destroy", "down, then remove the local target's data"),
    "status": ("fhirfort.local.cli_status", "show the local hosts, addresses and services"),
    "attack": ("fhirfort.suites.attack.cli", "attack and legitimate corpora through the edge; WAF report"),
    "tlsscan": ("fhirfort.suites.tlsscan.cli", "testssl against the edge and every internal TLS listener"),
    "secrets-scan": ("fhirfort.suites.secrets_scan.cli", "secrets in git history, build/, Pulumi state and the hosts"),
    "bench": ("fhirfort.suites.bench.cli", "secured vs direct path throughput and latency; last line ratio=..."),
    "chaos": ("fhirfort.suites.chaos.cli", "kill services and restart hosts under a writer; nothing acknowledged lost"),
    "disclosures": ("fhirfort.reports.cli_disclosures", "accounting of disclosures for one patient (HIPAA 164.528)"),
    "digest": ("fhirfort.local.failure_digest", "the failed converge tasks and host tests, in a few lines"),
    "token": ("fhirfort.local.cli_token", "a SMART backend-services access token for the local target (last line)"),
}


def _build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(prog="fhirfort", description="Hardened FHIR deployment kit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parsers = {name: sub.add_parser(name, help=help_text) for name, (_, help_text) in COMMANDS.items()}
    return parser, parsers


def main(argv: Sequence[str] | None = None) -> int:
    parser, parsers = _build_parser()
    raw = list(sys.argv[1:] if argv is None else argv)
    command = raw[0] if raw and not raw[0].startswith("-") else None
    if command in COMMANDS:
        module = importlib.import_module(COMMANDS[command][0])
        module.configure(parsers[command])
    args = parser.parse_args(raw)
    module = importlib.import_module(COMMANDS[args.command][0])
    return int(module.run(args))


if __name__ == "__main__":
    sys.exit(main())
