"""KMS: every key the stack exports rotates its key material."""

from __future__ import annotations

from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, failed, verdict


def check_kms_rotation(ctx: CheckContext) -> CheckResult:
    title = "KMS keys rotate"
    keys = ctx.outputs.kms_key_arns
    if not keys:
        return failed("KMS-01", title, "the stack exports no KMS keys (kms_key_arns is empty)")
    kms = ctx.client("kms")
    problems = [
        f"{purpose} ({arn}) rotation off"
        for purpose, arn in sorted(keys.items())
        if not kms.get_key_rotation_status(KeyId=arn).get("KeyRotationEnabled")
    ]
    return verdict("KMS-01", title, problems, f"{len(keys)} keys: {', '.join(sorted(keys))}")
