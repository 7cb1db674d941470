"""Run the checks; an AWS error inside one check fails that check with the error, never the run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from botocore.exceptions import BotoCoreError, ClientError

from fhirfort.verify_aws.checks import ALL_CHECKS, Check
from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, control_of, failed


def run_check(ctx: CheckContext, name: str, check: Check) -> CheckResult:
    control = control_of(name)
    title = (check.__doc__ or name).strip().splitlines()[0]
    try:
        result = check(ctx)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        detail = f"{exc.operation_name}: {error.get('Code')}: {error.get('Message')}"
        result = failed(control, title, f"could not read the live configuration: {detail}")
    except (BotoCoreError, LookupError) as exc:
        result = failed(control, title, f"could not read the live configuration: {exc!r}")
    if result.id != control:
        raise AssertionError(f"check {name} returned control {result.id}; its name says {control}")
    return replace(result, check=name)


def run_checks(ctx: CheckContext, checks: Mapping[str, Check] = ALL_CHECKS) -> list[CheckResult]:
    return [run_check(ctx, name, check) for name, check in checks.items()]
