"""S3 buckets and their separate pulumi-aws 7 configuration resources (S3-*).

In pulumi-aws 7 a bucket's public access block, encryption, versioning, policy, ownership and object lock
are separate resources, so a policy on the bucket cannot see them: the stack policies below relate each
bucket to its configuration resources through their `bucket` property.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from fhirfort.spec import spec

from . import types as t
from ._base import (
    MANDATORY,
    PURPOSE_TAG,
    FhirfortResourcePolicy,
    FhirfortStackPolicy,
    Res,
    Stack,
    as_list,
    exceptions,
    is_true,
    parameter,
    statements,
)

PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


def _configs(stack: Stack, bucket: Res, types: tuple[str, ...]) -> list[Res]:
    return stack.referrers(bucket, "bucket", *types)


def _every_bucket(
    types: tuple[str, ...], what: str, ok: Callable[[Res], str | None]
) -> Callable[[Stack], Iterator[tuple[str, Res | None]]]:
    def check(stack: Stack) -> Iterator[tuple[str, Res | None]]:
        for bucket in stack.of(*t.BUCKET):
            configs = _configs(stack, bucket, types)
            if not configs:
                yield f"bucket {bucket.name} has no {what}", bucket
                continue
            for cfg in configs:
                problem = ok(cfg)
                if problem:
                    yield f"bucket {bucket.name}: {problem}", bucket

    return check


def _pab(r: Res) -> Iterator[str]:
    off = [flag for flag in PAB_FLAGS if not is_true(r.get(flag))]
    if off:
        yield f"public access block has {', '.join(off)} not true"


def _sse_problem(stack: Stack, bucket: Res, cfg: Res) -> str | None:
    defaults = [rule.get("applyServerSideEncryptionByDefault") or {} for rule in as_list(cfg.get("rules"))]
    if not defaults:
        return "the encryption configuration has no default rule"
    for d in defaults:
        algorithm = d.get("sseAlgorithm")
        if algorithm in KMS_ALGORITHMS and d.get("kmsMasterKeyId"):
            continue
        if algorithm in KMS_ALGORITHMS:
            return "SSE-KMS without kmsMasterKeyId uses the AWS-managed key; name the stack's CMK"
        purpose = bucket.tags.get(PURPOSE_TAG)
        allowed = any(e.get("purpose") == purpose and e.get("algorithm") == algorithm for e in exceptions("S3-02"))
        if not allowed:
            return f"default encryption is {algorithm!r}; SSE-KMS with a CMK is required"
    return None


def _sse(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    for bucket in stack.of(*t.BUCKET):
        configs = _configs(stack, bucket, t.BUCKET_SSE)
        if not configs:
            yield f"bucket {bucket.name} has no server-side encryption configuration", bucket
        for cfg in configs:
            problem = _sse_problem(stack, bucket, cfg)
            if problem:
                yield f"bucket {bucket.name}: {problem}", bucket


def _versioning_problem(cfg: Res) -> str | None:
    status = cfg.get("versioningConfiguration.status")
    return None if status == "Enabled" else f"versioning status is {status!r}, not Enabled"


def _tls_only(document: object) -> bool:
    for s in statements(document):
        condition = s.get("Condition") or {}
        secure = (condition.get("Bool") or {}).get("aws:SecureTransport")
        if s.get("Effect") == "Deny" and str(secure).lower() == "false":
            return True
    return False


def _tls_problem(cfg: Res) -> str | None:
    return None if _tls_only(cfg.get("policy")) else "the bucket policy does not deny requests without TLS"


def _no_public_grants(r: Res) -> Iterator[str]:
    for s in statements(r.get("policy")):
        principal = s.get("Principal")
        wildcard = principal == "*" or (isinstance(principal, Mapping) and "*" in as_list(principal.get("AWS")))
        if s.get("Effect") == "Allow" and wildcard and not s.get("Condition"):
            yield f"statement {s.get('Sid', '(no Sid)')} allows everyone (Principal *) without a condition"


def _tls_policy(r: Res) -> Iterator[str]:
    if not _tls_only(r.get("policy")):
        yield "the bucket policy has no Deny statement for aws:SecureTransport false"


def _ownership_problem(cfg: Res) -> str | None:
    value = cfg.get("rule.objectOwnership")
    return None if value == "BucketOwnerEnforced" else f"object ownership is {value!r}: ACLs stay active"


def _object_lock(r: Res) -> Iterator[str]:
    years = spec().retention.object_lock_years
    mode = r.get("rule.defaultRetention.mode")
    if mode != "COMPLIANCE":
        yield f"default retention mode is {mode!r}, not COMPLIANCE (GOVERNANCE can be bypassed)"
    y = int(r.get("rule.defaultRetention.years", 0) or 0)
    d = int(r.get("rule.defaultRetention.days", 0) or 0)
    if y < years and d < years * 365:
        yield f"default retention is {y} years / {d} days, below spec retention.object_lock_years ({years})"


def _audit_bucket_locked(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    purpose = parameter("S3-05", "audit_purpose")
    audit = [b for b in stack.of(*t.BUCKET) if b.tags.get(PURPOSE_TAG) == purpose]
    if not audit:
        yield f"no bucket is tagged {PURPOSE_TAG}={purpose} (the audit archive)", None
    for bucket in audit:
        if not is_true(bucket.get("objectLockEnabled")):
            yield f"audit bucket {bucket.name} is created without objectLockEnabled", bucket
        if not _configs(stack, bucket, t.BUCKET_OBJECT_LOCK):
            yield f"audit bucket {bucket.name} has no object lock configuration", bucket


def _access_logging(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    target_purpose = parameter("S3-08", "log_target_purpose")
    for bucket in stack.of(*t.BUCKET):
        if bucket.tags.get(PURPOSE_TAG) == target_purpose:
            continue  # the log target itself (logging into itself would loop)
        if not _configs(stack, bucket, t.BUCKET_LOGGING):
            yield f"bucket {bucket.name} has no server access logging", bucket


POLICIES = [
    FhirfortResourcePolicy(
        name="s3-01-public-access-block-all",
        enforcement_level=MANDATORY,
        control="S3-01",
        types=t.BUCKET_PAB,
        summary="Bucket public access blocks set all four flags.",
        check=_pab,
        remediation="Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true.",
    ),
    FhirfortStackPolicy(
        name="s3-01-every-bucket-public-access-block",
        enforcement_level=MANDATORY,
        control="S3-01",
        types=(*t.BUCKET, *t.BUCKET_PAB),
        summary="Every bucket has a public access block with all four flags true.",
        check=_every_bucket(t.BUCKET_PAB, "public access block", lambda c: next(_pab(c), None)),
        remediation="Add aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock for the bucket.",
    ),
    FhirfortStackPolicy(
        name="s3-02-every-bucket-sse-kms",
        enforcement_level=MANDATORY,
        control="S3-02",
        types=(*t.BUCKET, *t.BUCKET_SSE),
        summary="Every bucket encrypts by default with SSE-KMS and a CMK (SSE-S3 only for the ALB access-log bucket).",
        check=_sse,
        remediation="Add BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and kmsMasterKeyId.",
    ),
    FhirfortStackPolicy(
        name="s3-03-every-bucket-versioned",
        enforcement_level=MANDATORY,
        control="S3-03",
        types=(*t.BUCKET, *t.BUCKET_VERSIONING),
        summary="Every bucket has versioning enabled.",
        check=_every_bucket(t.BUCKET_VERSIONING, "versioning configuration", _versioning_problem),
        remediation="Add aws:s3/bucketVersioning:BucketVersioning with status Enabled.",
    ),
    FhirfortResourcePolicy(
        name="s3-04-bucket-policy-tls-only",
        enforcement_level=MANDATORY,
        control="S3-04",
        types=t.BUCKET_POLICY,
        summary="Bucket policies deny any request made without TLS.",
        check=_tls_policy,
        remediation="Add a Deny of s3:* for Principal * with Condition Bool aws:SecureTransport false.",
    ),
    FhirfortStackPolicy(
        name="s3-04-every-bucket-tls-only",
        enforcement_level=MANDATORY,
        control="S3-04",
        types=(*t.BUCKET, *t.BUCKET_POLICY),
        summary="Every bucket has a bucket policy that denies requests without TLS.",
        check=_every_bucket(t.BUCKET_POLICY, "bucket policy", _tls_problem),
        remediation="Add aws:s3/bucketPolicy:BucketPolicy with the aws:SecureTransport deny statement.",
    ),
    FhirfortResourcePolicy(
        name="s3-05-object-lock-compliance",
        enforcement_level=MANDATORY,
        control="S3-05",
        types=t.BUCKET_OBJECT_LOCK,
        summary="Object lock default retention is COMPLIANCE mode for at least spec retention.object_lock_years.",
        check=_object_lock,
        remediation="Set rule.defaultRetention {mode: COMPLIANCE, years: spec retention.object_lock_years}.",
    ),
    FhirfortStackPolicy(
        name="s3-05-audit-bucket-object-lock",
        enforcement_level=MANDATORY,
        control="S3-05",
        types=(*t.BUCKET, *t.BUCKET_OBJECT_LOCK),
        summary="The audit archive bucket exists, is created with object lock and has a lock configuration.",
        check=_audit_bucket_locked,
        remediation="Create the audit bucket with objectLockEnabled true and a BucketObjectLockConfiguration.",
    ),
    FhirfortStackPolicy(
        name="s3-06-every-bucket-owner-enforced",
        enforcement_level=MANDATORY,
        control="S3-06",
        types=(*t.BUCKET, *t.BUCKET_OWNERSHIP),
        summary="Every bucket disables ACLs (object ownership BucketOwnerEnforced).",
        check=_every_bucket(t.BUCKET_OWNERSHIP, "ownership controls", _ownership_problem),
        remediation="Add aws:s3/bucketOwnershipControls:BucketOwnershipControls with BucketOwnerEnforced.",
    ),
    FhirfortResourcePolicy(
        name="s3-07-no-public-grants",
        enforcement_level=MANDATORY,
        control="S3-07",
        types=t.BUCKET_POLICY,
        summary="Bucket policies grant nothing to everyone (Principal *) without a condition.",
        check=_no_public_grants,
        remediation="Name the principal (account, role or service) or add a restricting condition.",
    ),
    FhirfortStackPolicy(
        name="s3-08-every-bucket-access-logging",
        enforcement_level=MANDATORY,
        control="S3-08",
        types=(*t.BUCKET, *t.BUCKET_LOGGING),
        summary="Every bucket except the access-log target records server access logs.",
        check=_access_logging,
        remediation="Add aws:s3/bucketLogging:BucketLogging with targetBucket the access-log bucket.",
    ),
]
