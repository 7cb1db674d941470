"""KMS customer-managed keys (KMS-*)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from . import types as t
from ._base import MANDATORY, FhirfortResourcePolicy, Res, as_list, is_true, parameter, statements


def _symmetric(r: Res) -> bool:
    spec_ = r.get("customerMasterKeySpec") or r.get("keySpec") or "SYMMETRIC_DEFAULT"
    return spec_ == "SYMMETRIC_DEFAULT" and r.get("keyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"


def _rotation(r: Res) -> Iterator[str]:
    if _symmetric(r) and not is_true(r.get("enableKeyRotation")):
        yield "enableKeyRotation is not true"


def _wildcard_principal(principal: object) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any("*" in as_list(v) for v in principal.values())
    return False


def _no_wildcard_principal(r: Res) -> Iterator[str]:
    for s in statements(r.get("policy")):
        if s.get("Effect") == "Allow" and _wildcard_principal(s.get("Principal")):
            yield (
                f"key policy statement {s.get('Sid', '(no Sid)')} allows Principal *: every principal its conditions "
                "admit may use the key without an IAM grant; name the account root (IAM decides) or the service"
            )


def _deletion_window(r: Res) -> Iterator[str]:
    minimum = int(parameter("KMS-03", "prod_min_deletion_window_days"))
    days = int(r.get("deletionWindowInDays", 30) or 30)
    if r.prod and days < minimum:
        yield f"deletionWindowInDays is {days}; prod keys keep at least {minimum} days to undo a scheduled deletion"


POLICIES = [
    FhirfortResourcePolicy(
        name="kms-01-key-rotation",
        enforcement_level=MANDATORY,
        control="KMS-01",
        types=(t.KMS_KEY,),
        summary="Symmetric customer-managed keys rotate their key material automatically.",
        check=_rotation,
        remediation="Set enableKeyRotation true.",
    ),
    FhirfortResourcePolicy(
        name="kms-02-no-wildcard-principal",
        enforcement_level=MANDATORY,
        control="KMS-02",
        types=(t.KMS_KEY,),
        summary="Key policies allow no wildcard principal.",
        check=_no_wildcard_principal,
        remediation="Name the account root, roles or service principals explicitly.",
    ),
    FhirfortResourcePolicy(
        name="kms-03-deletion-window-prod",
        enforcement_level=MANDATORY,
        control="KMS-03",
        types=(t.KMS_KEY,),
        summary="Keys in prod stacks keep the longest deletion window.",
        check=_deletion_window,
        remediation="Leave deletionWindowInDays unset (30) or set 30 in prod.",
    ),
]
