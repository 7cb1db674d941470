"""KMS keys, one per purpose, with rotation and least-privilege key policies.

Every key policy has the same first statement (the account root may administer the key through IAM; this
is what keeps a key manageable and is AWS's default), then only the service principals that purpose needs,
each bound by a condition (encryption context, `kms:ViaService`, source account/ARN). No statement names
the wildcard principal: use through a service (`kms:ViaService`) is granted to the account, so IAM still
decides which of its principals may use the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from fhirfort.aws.common import PROTECTED_TAG, AwsContext, child, policy_json

PURPOSES = ("logs", "audit", "data", "secrets", "hosts", "artifacts")
# Keys whose loss destroys records that must survive the stack (audit trail and archive, log groups, the
# database and its snapshots). They carry `fhirfort:protected=true`: the bootstrap's permissions boundary then
# denies the deploy role ScheduleKeyDeletion, DisableKey, DisableKeyRotation, PutKeyPolicy, DeleteAlias and
# re-tagging them. Pulumi therefore retains them (and their aliases) on delete instead of failing `destroy`;
# deleting one is a deliberate administrator action. The other keys protect values that can be re-created
# (secrets can be re-issued, host volumes and artifacts rebuilt) and stay manageable by the deploy role.
PROTECTED_PURPOSES = frozenset({"logs", "audit", "data"})
_USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def _root(ctx: AwsContext) -> dict[str, Any]:
    return {
        "Sid": "AccountAdministersKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": ctx.root_arn},
        "Action": "kms:*",
        "Resource": "*",
    }


def _via_service(ctx: AwsContext, service: str, sid: str, grants: bool = False) -> list[dict[str, Any]]:
    """Principals of this account that IAM allows, and only through the named AWS service."""
    via = {"kms:ViaService": f"{service}.{ctx.region}.amazonaws.com", "kms:CallerAccount": ctx.account_id}
    statements: list[dict[str, Any]] = [
        {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": ctx.root_arn},
            "Action": _USE,
            "Resource": "*",
            "Condition": {"StringEquals": via},
        }
    ]
    if grants:  # grants only for AWS resources (the service attaches them to volumes, instances)
        statements.append(
            {
                "Sid": f"{sid}Grants",
                "Effect": "Allow",
                "Principal": {"AWS": ctx.root_arn},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"StringEquals": via, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            }
        )
    return statements


def key_policy(purpose: str, ctx: AwsContext, trail_name: str) -> str:
    statements: list[dict[str, Any]] = [_root(ctx)]
    if purpose == "logs":
        statements.append(
            {
                "Sid": "CloudWatchLogsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{ctx.region}.amazonaws.com"},
                "Action": _USE,
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": ctx.arn("logs", "log-group:*")}},
            }
        )
    elif purpose == "audit":
        trail_arn = ctx.arn("cloudtrail", f"trail/{trail_name}")
        statements += [
            {
                "Sid": "CloudTrailEncryptsThisTrail",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": trail_arn},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": (
                            f"arn:{ctx.partition}:cloudtrail:*:{ctx.account_id}:trail/*"
                        )
                    },
                },
            },
            {
                "Sid": "CloudTrailDescribesKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
            },
            {
                "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
            },
        ]
    elif purpose == "data":
        statements += _via_service(ctx, "rds", "RdsStorageAndPerformanceInsights", grants=True)
    elif purpose == "secrets":
        statements += _via_service(ctx, "secretsmanager", "SecretsManagerOnly", grants=True)
    elif purpose == "artifacts":
        statements += _via_service(ctx, "s3", "S3Only")
    elif purpose == "hosts":
        asg_role = (
            f"arn:{ctx.partition}:iam::{ctx.account_id}:role/aws-service-role/"
            "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
        )
        statements += [
            {
                "Sid": "AutoScalingLaunchesEncryptedVolumes",
                "Effect": "Allow",
                "Principal": {"AWS": asg_role},
                "Action": _USE,
                "Resource": "*",
            },
            {
                "Sid": "AutoScalingGrantsForAttachedVolumes",
                "Effect": "Allow",
                "Principal": {"AWS": asg_role},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
            *_via_service(ctx, "ec2", "Ec2EbsOnly", grants=True),
        ]
    return policy_json(statements)


@dataclass
class KeysArgs:
    ctx: AwsContext
    trail_name: str


class Keys(pulumi.ComponentResource):
    keys: dict[str, aws.kms.Key]

    def __init__(self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:Keys", name, None, opts)
        ctx = args.ctx
        self.keys = {}
        for purpose in PURPOSES:
            protected = purpose in PROTECTED_PURPOSES
            tags = {"fhirfort:purpose": purpose, **({PROTECTED_TAG: "true"} if protected else {})}
            key = aws.kms.Key(
                f"key-{purpose}",
                description=f"fhirfort {ctx.stack}: {purpose}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=key_policy(purpose, ctx, args.trail_name),
                tags=ctx.tags(**tags),
                opts=child(self, retain_on_delete=protected),
            )
            aws.kms.Alias(
                f"alias-{purpose}",
                name=f"alias/{ctx.name(purpose)}",
                target_key_id=key.key_id,
                opts=child(self, retain_on_delete=protected),
            )
            self.keys[purpose] = key
        self.register_outputs({"arns": self.arns})

    @property
    def arns(self) -> dict[str, pulumi.Output[str]]:
        return {p: k.arn for p, k in self.keys.items()}

    def arn(self, purpose: str) -> pulumi.Output[str]:
        return self.keys[purpose].arn
