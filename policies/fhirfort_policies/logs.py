"""CloudWatch log groups (LOG-*)."""

from __future__ import annotations

from collections.abc import Iterator

from fhirfort.spec import spec

from . import types as t
from ._base import MANDATORY, FhirfortResourcePolicy, Res


def _kms(r: Res) -> Iterator[str]:
    if not r.get("kmsKeyId"):
        yield "the log group is not encrypted with a customer-managed KMS key (kmsKeyId)"


def _retention(r: Res) -> Iterator[str]:
    retention = spec().retention
    floor = max(retention.audit_retention_floor_days, retention.log_retention_days.get(r.env, 0))
    days = int(r.get("retentionInDays", 0) or 0)
    if days < floor:
        shown = "unset" if days == 0 else f"{days} days"
        yield f"retentionInDays is {shown}; spec retention requires an explicit value of at least {floor} days"


POLICIES = [
    FhirfortResourcePolicy(
        name="log-01-log-group-kms",
        enforcement_level=MANDATORY,
        control="LOG-01",
        types=(t.LOG_GROUP,),
        summary="CloudWatch log groups are encrypted with a customer-managed KMS key.",
        check=_kms,
        remediation="Set kmsKeyId to the logs key's ARN (its key policy must allow logs.<region>.amazonaws.com).",
    ),
    FhirfortResourcePolicy(
        name="log-02-log-group-retention",
        enforcement_level=MANDATORY,
        control="LOG-02",
        types=(t.LOG_GROUP,),
        summary="CloudWatch log groups keep events at least as long as spec retention requires.",
        check=_retention,
        remediation="Set retentionInDays from spec retention.log_retention_days[<stack>].",
    ),
]
