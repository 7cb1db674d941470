"""IAM roles and policies (IAM-*).

Judgment, stated once: `Action: "*"` on `Resource: "*"` is administrator access and never allowed;
a service-wide wildcard (`kms:*`, `s3:*`, ...) on the services that guard PHI, keys, secrets, audit
records or identity is refused even on a narrow resource, because it includes the destructive and
policy-changing actions (`kms:ScheduleKeyDeletion`, `s3:PutBucketPolicy`, `iam:PassRole`...).
Read-only wildcards such as `logs:Describe*` remain allowed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from ._base import MANDATORY, FhirfortResourcePolicy, Res, as_list, parameter, statements

DOCUMENT_TYPES = (t.IAM_POLICY, t.IAM_ROLE_POLICY, t.IAM_USER_POLICY, t.IAM_GROUP_POLICY, t.IAM_ROLE)
ATTACHMENT_TYPES = (
    t.IAM_ROLE_POLICY_ATTACHMENT,
    t.IAM_USER_POLICY_ATTACHMENT,
    t.IAM_GROUP_POLICY_ATTACHMENT,
    t.IAM_POLICY_ATTACHMENT,
    t.IAM_ROLE,
)


def _documents(r: Res) -> list[tuple[str, Any]]:
    if r.type == t.IAM_ROLE:
        return [(str(p.get("name", "inline")), p.get("policy")) for p in as_list(r.get("inlinePolicies"))]
    return [(r.name, r.get("policy"))]


def _allows(r: Res) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for label, document in _documents(r):
        for s in statements(document):
            if s.get("Effect") == "Allow":
                yield label, s


def _no_admin(r: Res) -> Iterator[str]:
    for label, s in _allows(r):
        actions = {str(a) for a in as_list(s.get("Action"))}
        resources = {str(x) for x in as_list(s.get("Resource"))}
        if actions & {"*", "*:*"} and "*" in resources:
            yield f"{label}: statement {s.get('Sid', '(no Sid)')} allows every action on every resource"
        if s.get("NotAction") is not None:
            yield f"{label}: statement {s.get('Sid', '(no Sid)')} uses Allow with NotAction (grants everything else)"


def _no_sensitive_wildcards(r: Res) -> Iterator[str]:
    sensitive = {str(s) for s in parameter("IAM-03", "sensitive_services")}
    for label, s in _allows(r):
        for action in (str(a) for a in as_list(s.get("Action"))):
            service, _, verb = action.partition(":")
            if action in ("*", "*:*") or (service in sensitive and verb == "*"):
                yield f"{label}: action {action!r} is a service-wide wildcard; list the actions the role needs"


def _no_admin_managed(r: Res) -> Iterator[str]:
    forbidden = [str(p) for p in parameter("IAM-02", "forbidden_managed_policies")]
    arns = as_list(r.get("managedPolicyArns")) if r.type == t.IAM_ROLE else [r.get("policyArn")]
    for arn in arns:
        if any(str(arn).endswith(f":policy/{name}") for name in forbidden):
            yield f"attaches {arn}: broad AWS-managed policies are not used in the stack"


def _no_users(r: Res) -> Iterator[str]:
    yield "the stack creates an IAM user or access key; people sign in through the identity provider, hosts use roles"


POLICIES = [
    FhirfortResourcePolicy(
        name="iam-01-no-admin-statements",
        enforcement_level=MANDATORY,
        control="IAM-01",
        types=DOCUMENT_TYPES,
        summary="No IAM policy allows '*' on '*' or uses Allow with NotAction.",
        check=_no_admin,
        remediation="Grant the specific actions on the specific resources the principal needs.",
    ),
    FhirfortResourcePolicy(
        name="iam-02-no-broad-managed-policies",
        enforcement_level=MANDATORY,
        control="IAM-02",
        types=ATTACHMENT_TYPES,
        summary="No AdministratorAccess-class AWS-managed policy is attached.",
        check=_no_admin_managed,
        remediation="Attach a customer-managed least-privilege policy instead.",
    ),
    FhirfortResourcePolicy(
        name="iam-03-no-sensitive-service-wildcards",
        enforcement_level=MANDATORY,
        control="IAM-03",
        types=DOCUMENT_TYPES,
        summary="No IAM policy grants a service-wide wildcard on services guarding PHI, keys, secrets or audit.",
        check=_no_sensitive_wildcards,
        remediation="Replace e.g. 'kms:*' with the needed actions ('kms:Decrypt', 'kms:GenerateDataKey').",
    ),
    FhirfortResourcePolicy(
        name="iam-04-no-iam-users",
        enforcement_level=MANDATORY,
        control="IAM-04",
        types=(t.IAM_USER, t.IAM_ACCESS_KEY),
        summary="The stack creates no IAM users or long-lived access keys.",
        check=_no_users,
        remediation="Use roles (instance profiles, SSO permission sets) instead.",
    ),
]
