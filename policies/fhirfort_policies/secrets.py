"""Secrets Manager secrets (SEC-*)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import Severity

from . import types as t
from ._base import ADVISORY, MANDATORY, FhirfortResourcePolicy, FhirfortStackPolicy, Res, Stack

AWS_MANAGED = "alias/aws/secretsmanager"


def _cmk(r: Res) -> Iterator[str]:
    key = r.get("kmsKeyId")
    if not key or str(key).endswith(AWS_MANAGED):
        yield "the secret is encrypted with the AWS-managed key; use the stack's customer-managed key (kmsKeyId)"


def _rotation(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    for secret in stack.of(t.SECRET):
        if not stack.referrers(secret, "secretId", t.SECRET_ROTATION):
            yield f"secret {secret.name} has no rotation schedule", secret


POLICIES = [
    FhirfortResourcePolicy(
        name="sec-01-secret-cmk",
        enforcement_level=MANDATORY,
        control="SEC-01",
        types=(t.SECRET,),
        summary="Secrets are encrypted with a customer-managed KMS key.",
        check=_cmk,
        remediation="Set kmsKeyId to the stack's secrets CMK.",
    ),
    # Advisory: rotating application secrets needs a rotation function per secret kind; the RDS master
    # password (managed by RDS, RDS-12) rotates without one. The report shows every unrotated secret.
    FhirfortStackPolicy(
        name="sec-02-secret-rotation",
        enforcement_level=ADVISORY,
        control="SEC-02",
        types=(t.SECRET, t.SECRET_ROTATION),
        summary="Secrets have a rotation schedule.",
        check=_rotation,
        remediation="Add aws:secretsmanager/secretRotation:SecretRotation for the secret.",
        severity=Severity.MEDIUM,
    ),
]
