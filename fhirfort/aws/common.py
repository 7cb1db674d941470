"""Small shared pieces of the AWS components: the account context, tags, log groups, policy statements."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from fhirfort.compliance.controls import ENV_TAG, OPT_OUT_PREFIX

PROJECT = "fhirfort"
ROLE_TAG = "fhirfort:role"  # the Ansible inventory (inventories/aws_ec2.yml) groups hosts by this tag
STACK_TAG = "fhirfort:stack"
# The bootstrap's deploy role (bootstrap/fhirfort-bootstrap.yaml) may create roles and instance profiles only
# under this path, only with its permissions boundary, and cannot delete, disable or re-key KMS keys that
# carry PROTECTED_TAG=true.
IAM_PATH = f"/{PROJECT}/"
PROTECTED_TAG = "fhirfort:protected"


@dataclass(frozen=True)
class AwsContext:
    """Facts about the target account, read once through invokes (plain strings, no Outputs)."""

    stack: str
    account_id: str
    region: str
    partition: str
    azs: tuple[str, ...]
    environment: str = "prod"
    # `fhirfort:opt-out:<CONTROL>` tags implied by the stack's explicit opt-outs: each resource carries the
    # ones of the controls it weakens, so the policy pack (offline or live in `pulumi preview`) reports them.
    opt_out_tags: tuple[tuple[str, str], ...] = ()
    # Who runs the program (sts get-caller-identity ARN) and the boundary every created role carries.
    caller_arn: str = ""
    permissions_boundary_arn: str | None = None

    @classmethod
    def lookup(
        cls,
        stack: str,
        az_count: int,
        environment: str = "prod",
        opt_out_tags: dict[str, str] | None = None,
        permissions_boundary_arn: str | None = None,
    ) -> AwsContext:
        identity = aws.get_caller_identity()
        region = aws.get_region()
        partition = aws.get_partition()
        zones = aws.get_availability_zones(state="available")
        if len(zones.names) < az_count:
            raise ValueError(f"fhirfort:azCount: {az_count} exceeds the {len(zones.names)} zones of {region.region}")
        return cls(
            stack=stack,
            account_id=identity.account_id,
            region=region.region,
            partition=partition.partition,
            azs=tuple(zones.names[:az_count]),
            environment=environment,
            opt_out_tags=tuple(sorted((opt_out_tags or {}).items())),
            caller_arn=identity.arn,
            permissions_boundary_arn=permissions_boundary_arn,
        )

    def name(self, suffix: str) -> str:
        """A physical name unique per stack: fhirfort-<stack>-<suffix>."""
        return f"{PROJECT}-{self.stack}-{suffix}"

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account_id if account else ''}:{resource}"
        )

    @property
    def root_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def managed_policy(self, name: str) -> str:
        return f"arn:{self.partition}:iam::aws:policy/{name}"

    @property
    def caller_principal_patterns(self) -> list[str]:
        """`aws:PrincipalArn` patterns (ArnLike) of the identity running the program.

        An assumed-role session (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`) is matched by its role,
        at the root path or under any path (the session ARN does not carry the role's path; role names are
        unique per account). An IAM user or the root is matched exactly.
        """
        arn = self.caller_arn
        parts = arn.split(":", 5)
        if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("assumed-role/"):
            role = parts[5].split("/")[1]
            base = f"arn:{parts[1]}:iam::{parts[4]}:role/"
            return [f"{base}{role}", f"{base}*/{role}"]
        return [arn] if arn else []

    def tags(self, **extra: str) -> dict[str, str]:
        return {
            STACK_TAG: self.stack,
            ENV_TAG: self.environment,
            "fhirfort:managed-by": "pulumi",
            **extra,
        }

    def opt_out(self, *controls: str) -> dict[str, str]:
        """The opt-out tags of these controls that the stack's config implies (for the resource they weaken)."""
        wanted = {OPT_OUT_PREFIX + c for c in controls}
        return {k: v for k, v in self.opt_out_tags if k in wanted}


def child(parent: pulumi.Resource, **kwargs: Any) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, **kwargs)


def policy_json(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def policy_output(statements: pulumi.Input[list[Any]]) -> pulumi.Output[str]:
    """A policy document whose statements contain Outputs (ARNs of resources of this stack)."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def deny_insecure_transport(bucket_arn: pulumi.Input[str]) -> dict[str, Any]:
    """The TLS-only statement every bucket policy carries (deny aws:SecureTransport = false)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def assume_role_policy(service: str, ctx: AwsContext) -> str:
    return policy_json(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
            }
        ]
    )


def iam_role(
    resource_name: str,
    assume_role_policy: pulumi.Input[str],
    ctx: AwsContext,
    parent: pulumi.Resource,
    name: str | None = None,
    tags: dict[str, str] | None = None,
) -> aws.iam.Role:
    """Every IAM role of the stack: under IAM_PATH and with the configured permissions boundary (the
    bootstrap's deploy role refuses to create a role without it). Without `permissionsBoundaryArn` (a stack
    deployed by an administrator) the role has no boundary."""
    return aws.iam.Role(
        resource_name,
        name=name,
        path=IAM_PATH,
        permissions_boundary=ctx.permissions_boundary_arn,
        assume_role_policy=assume_role_policy,
        tags=tags if tags is not None else ctx.tags(),
        opts=child(parent),
    )


def log_group(
    resource_name: str,
    log_group_name: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str],
    retention_days: int,
    ctx: AwsContext,
    parent: pulumi.Resource,
) -> aws.cloudwatch.LogGroup:
    """Every log group of the stack: KMS-encrypted with the logs key, retention from spec/config."""
    return aws.cloudwatch.LogGroup(
        resource_name,
        name=log_group_name,
        kms_key_id=kms_key_arn,
        retention_in_days=retention_days,
        tags=ctx.tags(),
        opts=child(parent),
    )
