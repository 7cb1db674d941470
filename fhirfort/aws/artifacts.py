"""The artifacts bucket: what the hosts install, since the app tier has no route to the internet (no NAT).

Operators put the FHIR server jar under `fhir/`, the Keycloak distribution under `idp/` and a signed apt
repository snapshot under `apt/` (docs/aws.md); each host role reads only its own prefix and `apt/`
(hosts.py), through the app tier's S3 gateway endpoint.

- A HardenedBucket (versioned, public access blocked, BucketOwnerEnforced, TLS-only, access-logged) encrypted
  by default with the artifacts key, which only S3 may use on the account's behalf (keys.py).
- Bucket policy, on top of the TLS-only statement:
  * DenyReadOutsideStackEndpoint: `s3:GetObject*` is refused unless the request arrives through this
    stack's S3 gateway endpoint (`aws:SourceVpce`), so a copied host credential reads nothing from elsewhere.
    The writers are exempt (they check what they uploaded from outside the VPC).
  * DenyWritesExceptWriters: putting, deleting or re-tagging objects is refused to every principal except the
    identity that runs `pulumi up` (the bootstrap's deploy role) and `artifactsWriterArns`; a host, even one
    taken over, cannot replace what the other hosts install.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from fhirfort.aws.buckets import HardenedBucket, HardenedBucketArgs
from fhirfort.aws.common import AwsContext, child

PURPOSE = "artifacts"
SHARED_PREFIX = "apt/"  # the signed apt repository snapshot every host reads
READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"]
WRITE_ACTIONS = [
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:RestoreObject",
]


def role_prefixes(role: str) -> list[str]:
    """The key prefixes a host role may read: its own (`fhir/`, `idp/`) and the shared apt snapshot."""
    return [f"{role}/", SHARED_PREFIX]


def writer_patterns(ctx: AwsContext, extra_writers: tuple[str, ...]) -> list[str]:
    """`aws:PrincipalArn` patterns of the principals that may write (the deployer and configured writers)."""
    return sorted({*ctx.caller_principal_patterns, *extra_writers})


def read_only_through_endpoint(
    bucket_arn: pulumi.Input[str], endpoint_id: pulumi.Input[str], writers: list[str]
) -> dict[str, Any]:
    return {
        "Sid": "DenyReadOutsideStackEndpoint",
        "Effect": "Deny",
        "Principal": "*",
        "Action": READ_ACTIONS,
        "Resource": pulumi.Output.concat(bucket_arn, "/*"),
        "Condition": {
            "StringNotEquals": {"aws:SourceVpce": endpoint_id},
            "ArnNotLike": {"aws:PrincipalArn": writers},
        },
    }


def writes_only_by(bucket_arn: pulumi.Input[str], writers: list[str]) -> dict[str, Any]:
    return {
        "Sid": "DenyWritesExceptWriters",
        "Effect": "Deny",
        "Principal": "*",
        "Action": WRITE_ACTIONS,
        "Resource": pulumi.Output.concat(bucket_arn, "/*"),
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": writers}},
    }


@dataclass
class ArtifactsArgs:
    ctx: AwsContext
    artifacts_key_arn: pulumi.Input[str]
    s3_endpoint_id: pulumi.Input[str]
    access_log_bucket: pulumi.Input[str]
    writer_arns: tuple[str, ...] = ()


class Artifacts(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy
    writers: list[str]

    def __init__(self, name: str, args: ArtifactsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:Artifacts", name, None, opts)
        self.writers = writer_patterns(args.ctx, args.writer_arns)
        if not self.writers:
            raise ValueError("the artifacts bucket needs at least one writer (caller identity unknown)")
        writers = self.writers
        hardened = HardenedBucket(
            "artifacts",
            HardenedBucketArgs(
                ctx=args.ctx,
                purpose=PURPOSE,
                kms_key_arn=args.artifacts_key_arn,
                statements=[
                    lambda arn: read_only_through_endpoint(arn, args.s3_endpoint_id, writers),
                    lambda arn: writes_only_by(arn, writers),
                ],
                access_log_bucket=args.access_log_bucket,
            ),
            opts=child(self),
        )
        self.bucket = hardened.bucket
        self.policy = hardened.policy
        self.register_outputs({"bucket": self.bucket.bucket})
