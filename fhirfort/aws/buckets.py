"""A hardened S3 bucket: versioned, public access blocked, BucketOwnerEnforced, encrypted, TLS-only policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from fhirfort.aws.common import AwsContext, child, deny_insecure_transport, policy_output

S3_LOG_PREFIX = "s3"  # S3 server access logs land under <access-log bucket>/s3/<purpose>/


@dataclass
class HardenedBucketArgs:
    ctx: AwsContext
    purpose: str
    kms_key_arn: pulumi.Input[str] | None  # None: SSE-S3 (only where a service requires it; documented there)
    expiration_days: int | None = None  # lifecycle expiration (never below the retention floor)
    object_lock_years: int | None = None  # COMPLIANCE-mode default retention; enables object lock
    # Extra bucket policy statements; a callable gets the bucket ARN.
    statements: list[Any] = field(default_factory=list)
    access_log_bucket: pulumi.Input[str] | None = None  # S3 server access logs go there (None: this is it)


class HardenedBucket(pulumi.ComponentResource):
    bucket: aws.s3.Bucket

    def __init__(self, name: str, args: HardenedBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:HardenedBucket", name, None, opts)
        ctx = args.ctx
        locked = args.object_lock_years is not None
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket_prefix=f"{ctx.name(args.purpose)}-",
            object_lock_enabled=locked or None,
            force_destroy=False,
            tags=ctx.tags(**{"fhirfort:purpose": args.purpose}),
            opts=child(self),
        )
        bucket = self.bucket.id
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child(self),
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=bucket, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child(self)
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=bucket, versioning_configuration={"status": "Enabled"}, opts=child(self)
        )
        default: dict[str, Any] = (
            {"sse_algorithm": "aws:kms", "kms_master_key_id": args.kms_key_arn}
            if args.kms_key_arn is not None
            else {"sse_algorithm": "AES256"}
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket,
            rules=[
                {"apply_server_side_encryption_by_default": default, "bucket_key_enabled": args.kms_key_arn is not None}
            ],
            opts=child(self),
        )
        if locked:
            aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock",
                bucket=bucket,
                object_lock_enabled="Enabled",
                rule={"default_retention": {"mode": "COMPLIANCE", "years": args.object_lock_years}},
                opts=child(self, depends_on=[versioning]),
            )
        if args.expiration_days is not None:
            aws.s3.BucketLifecycleConfiguration(
                f"{name}-lifecycle",
                bucket=bucket,
                rules=[
                    {
                        "id": "retention",
                        "status": "Enabled",
                        "filter": {},
                        "expiration": {"days": args.expiration_days},
                        "noncurrent_version_expiration": {"noncurrent_days": args.expiration_days},
                        "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                    }
                ],
                opts=child(self, depends_on=[versioning]),
            )
        if args.access_log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=bucket,
                target_bucket=args.access_log_bucket,
                target_prefix=f"{S3_LOG_PREFIX}/{args.purpose}/",
                opts=child(self),
            )
        statements = [deny_insecure_transport(self.bucket.arn)]
        statements += [s(self.bucket.arn) if callable(s) else s for s in args.statements]
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy", bucket=bucket, policy=policy_output(statements), opts=child(self)
        )
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.bucket.arn})
