"""Structural checks of the bootstrap CloudFormation template (bootstrap/fhirfort-bootstrap.yaml).

cfn-lint proves the template is valid CloudFormation; these checks prove it is *hardened*: what
cfn-lint accepts but a reviewer must not (a bucket with public access allowed, a role any GitHub repo
can assume, a key policy granting `kms:*` to everyone). Each check returns findings that name the
logical resource and say what is wrong. The template is read with cfn-lint's decoder, so the short
intrinsic tags (`!Ref`, `!Sub`, `!If`...) arrive as their long forms (`{"Ref": ...}`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhirfort import REPO_ROOT

TEMPLATE_PATH = REPO_ROOT / "bootstrap" / "fhirfort-bootstrap.yaml"

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"

# Actions the permissions boundary must deny, whatever else is attached to the role.
BOUNDARY_REQUIRED_DENIES: tuple[str, ...] = (
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "iam:DeleteRolePermissionsBoundary",
)

REQUIRED_OUTPUTS: tuple[str, ...] = ("StateBucketName", "PulumiLogin", "SecretsProvider", "DeployRoleArn")

Template = Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    """One hardening gap: which check, which logical resource, and what is wrong."""

    check: str
    resource: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.resource}: {self.message}"


class TemplateError(ValueError):
    """The template cannot be read or decoded."""


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """Decode a CloudFormation YAML/JSON template (CFN short tags understood) into plain dicts."""
    from cfnlint.decode import decode  # cfn-lint is a dev dependency; import only when used

    template, matches = decode(str(path))
    if matches or template is None:
        detail = "; ".join(str(m) for m in matches) or "empty template"
        raise TemplateError(f"{path}: cannot decode: {detail}")
    return _plain(template)


def _plain(node: Any) -> Any:
    """cfn-lint's node classes -> built-in dicts, lists and scalars (safe to deep-copy and mutate)."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


# ---------------------------------------------------------------- helpers over intrinsic values


def _resources(template: Template, rtype: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for name, res in (template.get("Resources") or {}).items():
        if isinstance(res, Mapping) and res.get("Type") == rtype:
            yield name, res.get("Properties") or {}


def _literals(value: Any) -> list[Any]:
    """Every concrete value an expression may take: both branches of Fn::If, list items, Sub templates."""
    if isinstance(value, list):
        return [lit for item in value for lit in _literals(item)]
    if isinstance(value, Mapping) and len(value) == 1:
        (fn, arg), *_ = value.items()
        if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            return _literals(arg[1]) + _literals(arg[2])
        if fn == "Fn::Sub":
            return [arg[0] if isinstance(arg, list) else arg]
    return [value]


def _refers_to(value: Any, logical_id: str) -> bool:
    """True when the expression is a Ref / GetAtt / Sub of the logical resource."""
    for lit in _literals(value):
        if isinstance(lit, Mapping):
            if lit.get("Ref") == logical_id:
                return True
            getatt = lit.get("Fn::GetAtt")
            if isinstance(getatt, list) and getatt and getatt[0] == logical_id:
                return True
            if isinstance(getatt, str) and getatt.split(".")[0] == logical_id:
                return True
        if isinstance(lit, str) and ("${" + logical_id + "}" in lit or "${" + logical_id + "." in lit):
            return True
    return False


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(document: Any) -> list[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        return []
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, Mapping)]


def _action_covered(action: str, patterns: list[Any]) -> bool:
    return any(isinstance(p, str) and fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)


def _principal_is_anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any(lit == "*" for lit in _literals(principal.get("AWS")))
    return False


# ---------------------------------------------------------------- S3


def _log_target_buckets(template: Template) -> set[str]:
    targets: set[str] = set()
    bucket_names = [n for n, _ in _resources(template, "AWS::S3::Bucket")]
    for _, props in _resources(template, "AWS::S3::Bucket"):
        dest = (props.get("LoggingConfiguration") or {}).get("DestinationBucketName")
        targets.update(n for n in bucket_names if dest is not None and _refers_to(dest, n))
    return targets


def check_public_access_block(template: Template) -> list[Finding]:
    keys = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    findings = []
    for name, props in _resources(template, "AWS::S3::Bucket"):
        pab = props.get("PublicAccessBlockConfiguration") or {}
        off = [k for k in keys if not _is_true(pab.get(k))]
        if off:
            findings.append(Finding("BOOT-S3-PAB", name, f"public access block not fully on: {', '.join(off)}"))
    return findings


def check_ownership(template: Template) -> list[Finding]:
    findings = []
    for name, props in _resources(template, "AWS::S3::Bucket"):
        rules = _as_list((props.get("OwnershipControls") or {}).get("Rules"))
        if not any(isinstance(r, Mapping) and r.get("ObjectOwnership") == "BucketOwnerEnforced" for r in rules):
            findings.append(Finding("BOOT-S3-OWNER", name, "ObjectOwnership is not BucketOwnerEnforced (ACLs live)"))
    return findings


def check_versioning(template: Template) -> list[Finding]:
    findings = []
    for name, props in _resources(template, "AWS::S3::Bucket"):
        if (props.get("VersioningConfiguration") or {}).get("Status") != "Enabled":
            findings.append(Finding("BOOT-S3-VERSIONING", name, "versioning is not Enabled"))
    return findings


def check_encryption(template: Template) -> list[Finding]:
    """State buckets: SSE-KMS with a key of this template. Access-log targets: SSE-S3 suffices (S3 log
    delivery cannot write with SSE-KMS)."""
    log_targets = _log_target_buckets(template)
    keys = [n for n, _ in _resources(template, "AWS::KMS::Key")]
    findings = []
    for name, props in _resources(template, "AWS::S3::Bucket"):
        rules = _as_list((props.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration"))
        defaults = [r.get("ServerSideEncryptionByDefault") or {} for r in rules if isinstance(r, Mapping)]
        if not defaults:
            findings.append(Finding("BOOT-S3-SSE", name, "no default encryption"))
            continue
        if name in log_targets:
            continue
        kms = [d for d in defaults if d.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse")]
        if not kms:
            findings.append(Finding("BOOT-S3-SSE", name, "default encryption is not SSE-KMS"))
        elif not any(_refers_to(d.get("KMSMasterKeyID"), k) for d in kms for k in keys):
            findings.append(Finding("BOOT-S3-SSE", name, "SSE-KMS does not use the template's own KMS key"))
    return findings


def check_tls_only_policy(template: Template) -> list[Finding]:
    policies = list(_resources(template, "AWS::S3::BucketPolicy"))
    findings = []
    for name, _ in _resources(template, "AWS::S3::Bucket"):
        docs = [p.get("PolicyDocument") for _, p in policies if _refers_to(p.get("Bucket"), name)]
        denies_plain_http = any(
            s.get("Effect") == "Deny"
            and _principal_is_anyone(s.get("Principal"))
            and _action_covered("s3:GetObject", _as_list(s.get("Action")))
            and _action_covered("s3:PutObject", _as_list(s.get("Action")))
            and str(((s.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")).lower() == "false"
            for doc in docs
            for s in _statements(doc)
        )
        if not denies_plain_http:
            findings.append(
                Finding("BOOT-S3-TLS", name, "no bucket policy denying every request with aws:SecureTransport=false")
            )
    return findings


def check_access_logging(template: Template) -> list[Finding]:
    log_targets = _log_target_buckets(template)
    buckets = [n for n, _ in _resources(template, "AWS::S3::Bucket")]
    findings = []
    for name, props in _resources(template, "AWS::S3::Bucket"):
        if name in log_targets:
            continue
        dest = (props.get("LoggingConfiguration") or {}).get("DestinationBucketName")
        if dest is None or not any(_refers_to(dest, b) for b in buckets if b != name):
            findings.append(Finding("BOOT-S3-LOGGING", name, "no server access logging to the template's log bucket"))
    return findings


def check_lifecycle(template: Template) -> list[Finding]:
    findings = []
    for name, props in _resources(template, "AWS::S3::Bucket"):
        rules = _as_list((props.get("LifecycleConfiguration") or {}).get("Rules"))
        if not any(
            isinstance(r, Mapping) and r.get("Status") == "Enabled" and r.get("NoncurrentVersionExpiration")
            for r in rules
        ):
            findings.append(
                Finding("BOOT-S3-LIFECYCLE", name, "no enabled lifecycle rule expiring noncurrent versions")
            )
    return findings


# ---------------------------------------------------------------- KMS


def check_key_rotation(template: Template) -> list[Finding]:
    return [
        Finding("BOOT-KMS-ROTATION", name, "EnableKeyRotation is not true")
        for name, props in _resources(template, "AWS::KMS::Key")
        if not _is_true(props.get("EnableKeyRotation"))
    ]


def check_key_policy(template: Template) -> list[Finding]:
    findings = []
    for name, props in _resources(template, "AWS::KMS::Key"):
        for s in _statements(props.get("KeyPolicy")):
            if s.get("Effect") != "Allow":
                continue
            sid = s.get("Sid", "(no Sid)")
            actions = [a for a in _as_list(s.get("Action")) if isinstance(a, str)]
            if _principal_is_anyone(s.get("Principal")) and not s.get("Condition"):
                findings.append(Finding("BOOT-KMS-POLICY", name, f"statement {sid} allows any principal"))
            if any(a in ("*", "kms:*") for a in actions):
                findings.append(Finding("BOOT-KMS-POLICY", name, f"statement {sid} allows kms:* (not least privilege)"))
    return findings


def check_key_alias(template: Template) -> list[Finding]:
    aliases = [p.get("TargetKeyId") for _, p in _resources(template, "AWS::KMS::Alias")]
    return [
        Finding("BOOT-KMS-ALIAS", name, "no AWS::KMS::Alias targets this key")
        for name, _ in _resources(template, "AWS::KMS::Key")
        if not any(_refers_to(a, name) for a in aliases)
    ]


# ---------------------------------------------------------------- IAM


def _oidc_trust_problems(statement: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    principal = statement.get("Principal")
    if not isinstance(principal, Mapping) or set(principal) != {"Federated"}:
        problems.append("trust principal is not only a federated (OIDC) provider")
    actions = _as_list(statement.get("Action"))
    if actions != ["sts:AssumeRoleWithWebIdentity"]:
        problems.append(f"trust action is {actions}, expected only sts:AssumeRoleWithWebIdentity")
    condition = statement.get("Condition") or {}
    equals = condition.get("StringEquals") or {}
    aud = _literals(equals.get(f"{GITHUB_OIDC_HOST}:aud"))
    if aud != [STS_AUDIENCE]:
        problems.append(f"condition StringEquals {GITHUB_OIDC_HOST}:aud must be exactly {STS_AUDIENCE}")
    subs = _literals(equals.get(f"{GITHUB_OIDC_HOST}:sub"))
    if not subs or subs == [None]:
        like = "StringLike" in condition and f"{GITHUB_OIDC_HOST}:sub" in (condition.get("StringLike") or {})
        hint = " (found only under StringLike: use StringEquals, no wildcards)" if like else ""
        problems.append(f"no StringEquals condition on {GITHUB_OIDC_HOST}:sub: any repository could assume it{hint}")
    for sub in subs:
        if sub is None:
            continue
        if not isinstance(sub, str) or not sub.startswith("repo:") or "*" in sub or "?" in sub:
            problems.append(f"sub value {sub!r} is not a literal repo:<org>/<repo>:... without wildcards")
        elif ":ref:refs/heads/" not in sub and ":environment:" not in sub:
            problems.append(f"sub value {sub!r} names neither a branch nor an environment")
    return problems


def check_oidc_trust(template: Template) -> list[Finding]:
    findings = []
    for name, props in _resources(template, "AWS::IAM::Role"):
        for s in _statements(props.get("AssumeRolePolicyDocument")):
            if s.get("Effect") != "Allow":
                continue
            findings.extend(Finding("BOOT-IAM-OIDC", name, p) for p in _oidc_trust_problems(s))
    return findings


def check_oidc_provider(template: Template) -> list[Finding]:
    findings = []
    for name, props in _resources(template, "AWS::IAM::OIDCProvider"):
        if props.get("Url") != f"https://{GITHUB_OIDC_HOST}":
            findings.append(Finding("BOOT-IAM-OIDC", name, f"Url is not https://{GITHUB_OIDC_HOST}"))
        if _as_list(props.get("ClientIdList")) != [STS_AUDIENCE]:
            findings.append(Finding("BOOT-IAM-OIDC", name, f"ClientIdList must be exactly [{STS_AUDIENCE}]"))
    return findings


def check_permissions_boundary(template: Template) -> list[Finding]:
    policies = dict(_resources(template, "AWS::IAM::ManagedPolicy"))
    findings = []
    for name, props in _resources(template, "AWS::IAM::Role"):
        boundary = props.get("PermissionsBoundary")
        owners = [p for p in policies if boundary is not None and _refers_to(boundary, p)]
        if not owners:
            findings.append(Finding("BOOT-IAM-BOUNDARY", name, "no permissions boundary from this template"))
            continue
        denied = [
            a
            for s in _statements(policies[owners[0]].get("PolicyDocument"))
            if s.get("Effect") == "Deny" and not s.get("NotAction")
            for a in _as_list(s.get("Action"))
        ]
        missing = [a for a in BOUNDARY_REQUIRED_DENIES if not _action_covered(a, denied)]
        if missing:
            findings.append(
                Finding("BOOT-IAM-BOUNDARY", name, f"boundary {owners[0]} does not deny: {', '.join(missing)}")
            )
    return findings


# ---------------------------------------------------------------- outputs


def check_outputs(template: Template) -> list[Finding]:
    outputs = template.get("Outputs") or {}
    missing = [o for o in REQUIRED_OUTPUTS if o not in outputs]
    return [Finding("BOOT-OUTPUTS", "Outputs", f"missing outputs: {', '.join(missing)}")] if missing else []


CHECKS: tuple[Callable[[Template], list[Finding]], ...] = (
    check_public_access_block,
    check_ownership,
    check_versioning,
    check_encryption,
    check_tls_only_policy,
    check_access_logging,
    check_lifecycle,
    check_key_rotation,
    check_key_policy,
    check_key_alias,
    check_oidc_trust,
    check_oidc_provider,
    check_permissions_boundary,
    check_outputs,
)


REQUIRED_TYPES: tuple[str, ...] = (
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::KMS::Key",
    "AWS::KMS::Alias",
    "AWS::IAM::Role",
    "AWS::IAM::ManagedPolicy",
)


def check_required_types(template: Template) -> list[Finding]:
    return [
        Finding("BOOT-RESOURCES", "Resources", f"the template declares no {rtype}")
        for rtype in REQUIRED_TYPES
        if not list(_resources(template, rtype))
    ]


def check_template(template: Template) -> list[Finding]:
    """Run every structural check; an empty list means the template is hardened as the kit requires."""
    return check_required_types(template) + [f for check in CHECKS for f in check(template)]
