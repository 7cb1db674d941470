"""CloudTrail: the account's API audit trail (CT-*)."""

from __future__ import annotations

from collections.abc import Iterator

from . import types as t
from ._base import MANDATORY, FhirfortResourcePolicy, FhirfortStackPolicy, Res, Stack, is_true


def _multi_region(r: Res) -> Iterator[str]:
    if not is_true(r.get("isMultiRegionTrail")):
        yield "isMultiRegionTrail is not true: API calls in other regions are not recorded"
    if r.get("includeGlobalServiceEvents") is False:
        yield "includeGlobalServiceEvents is false: IAM and STS calls are not recorded"


def _log_validation(r: Res) -> Iterator[str]:
    if not is_true(r.get("enableLogFileValidation")):
        yield "enableLogFileValidation is not true: tampering with delivered logs would go unnoticed"


def _kms(r: Res) -> Iterator[str]:
    if not r.get("kmsKeyId"):
        yield "the trail's log files are not encrypted with a customer-managed KMS key (kmsKeyId)"


def _cloudwatch(r: Res) -> Iterator[str]:
    if not r.get("cloudWatchLogsGroupArn") or not r.get("cloudWatchLogsRoleArn"):
        yield "the trail does not deliver to CloudWatch Logs (cloudWatchLogsGroupArn and cloudWatchLogsRoleArn)"


def _trail_present(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    trails = stack.of(t.TRAIL)
    if not trails:
        yield "the stack declares no CloudTrail trail", None
    for trail in trails:
        if trail.get("enableLogging") is False:
            yield f"trail {trail.name} has enableLogging false", trail


POLICIES = [
    FhirfortResourcePolicy(
        name="ct-01-multi-region",
        enforcement_level=MANDATORY,
        control="CT-01",
        types=(t.TRAIL,),
        summary="CloudTrail trails are multi-region and include global service events.",
        check=_multi_region,
        remediation="Set isMultiRegionTrail true and leave includeGlobalServiceEvents on.",
    ),
    FhirfortResourcePolicy(
        name="ct-02-log-file-validation",
        enforcement_level=MANDATORY,
        control="CT-02",
        types=(t.TRAIL,),
        summary="CloudTrail log file integrity validation is enabled.",
        check=_log_validation,
        remediation="Set enableLogFileValidation true.",
    ),
    FhirfortResourcePolicy(
        name="ct-03-kms-encrypted",
        enforcement_level=MANDATORY,
        control="CT-03",
        types=(t.TRAIL,),
        summary="CloudTrail log files are encrypted with a customer-managed KMS key.",
        check=_kms,
        remediation="Set kmsKeyId to the audit key's ARN.",
    ),
    FhirfortResourcePolicy(
        name="ct-04-cloudwatch-delivery",
        enforcement_level=MANDATORY,
        control="CT-04",
        types=(t.TRAIL,),
        summary="CloudTrail delivers events to CloudWatch Logs for monitoring and alarms.",
        check=_cloudwatch,
        remediation='Set cloudWatchLogsGroupArn ("<log group arn>:*") and cloudWatchLogsRoleArn.',
    ),
    FhirfortStackPolicy(
        name="ct-05-trail-present",
        enforcement_level=MANDATORY,
        control="CT-05",
        types=(t.TRAIL,),
        summary="The stack declares a logging CloudTrail trail (waivable when an organization trail covers it).",
        check=_trail_present,
        remediation="Enable the stack's trail, or tag the stack fhirfort:opt-out:CT-05=<organization trail ARN>.",
    ),
]
