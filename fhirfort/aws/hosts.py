"""Application hosts: one launch template + auto scaling group per AWS-hosted role (spec hosts.*.aws == asg).

- Private app subnets only, no public IP, no key pair, no port 22 (management is SSM Session Manager; the
  Ansible inventory selects hosts by the `fhirfort:role` / `fhirfort:stack` tags).
- IMDSv2 only (tokens required, hop limit 1: containers on the host cannot reach IMDS); instance metadata
  tags are off (nothing on the host needs them; the role comes from the inventory).
- Root volume encrypted with the hosts key; detailed monitoring on.
- Instance role: AmazonSSMManagedInstanceCore plus one inline policy scoped to the role's own secrets,
  KMS decrypt of the secrets key only via Secrets Manager, its own log group, its own metric namespace and
  `rds-db:connect` as its own database user (IAM database authentication), and read-only access to its
  prefixes of the artifacts bucket (`<role>/` and `apt/`, artifacts.py) with the artifacts key only via S3.
- Roles and instance profiles live under the `/fhirfort/` IAM path and carry `permissionsBoundaryArn`
  (common.iam_role), as the bootstrap's deploy role requires.
- AMI: the newest official Debian 13 image (owner 136693071363), unless `amiId` is configured. Debian's
  images carry no SSM agent: user data installs it from the regional SSM bucket through the S3 gateway
  endpoint (FLOW-14/15); no NAT is needed.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from fhirfort.aws.artifacts import READ_ACTIONS, role_prefixes
from fhirfort.aws.buckets import HardenedBucket, HardenedBucketArgs
from fhirfort.aws.common import IAM_PATH, ROLE_TAG, AwsContext, child, iam_role, policy_output
from fhirfort.spec import Spec

DEBIAN_OWNER = "136693071363"
DEBIAN_NAME = "debian-13-amd64-*"
ROOT_DEVICE = "/dev/xvda"
SSM_TRANSFER_EXPIRATION_DAYS = 1  # Ansible's aws_ssm connection stages module files here only briefly
DB_USERS = {"fhir": "hapi", "idp": "keycloak"}  # PostgreSQL users that authenticate with IAM tokens


def asg_roles(s: Spec) -> list[str]:
    return [name for name, host in s.topology.hosts.items() if host.aws == "asg"]


def debian_ami() -> str:
    ami = aws.ec2.get_ami(
        most_recent=True,
        owners=[DEBIAN_OWNER],
        filters=[
            {"name": "name", "values": [DEBIAN_NAME]},
            {"name": "architecture", "values": ["x86_64"]},
            {"name": "virtualization-type", "values": ["hvm"]},
        ],
    )
    return ami.id


def user_data(ctx: AwsContext) -> str:
    script = f"""#!/bin/sh
# fhirfort: install the SSM agent (Debian images have none) from the regional SSM bucket via the S3
# gateway endpoint; everything else is configured by Ansible over SSM.
set -eu
if ! systemctl is-active --quiet amazon-ssm-agent; then
  curl --fail --silent --show-error --proto =https --tlsv1.2 -o /tmp/amazon-ssm-agent.deb \\
    https://s3.{ctx.region}.amazonaws.com/amazon-ssm-{ctx.region}/latest/debian_amd64/amazon-ssm-agent.deb
  dpkg -i /tmp/amazon-ssm-agent.deb
  rm -f /tmp/amazon-ssm-agent.deb
  systemctl enable --now amazon-ssm-agent
fi
"""
    return base64.b64encode(script.encode()).decode()


@dataclass
class HostsArgs:
    ctx: AwsContext
    spec: Spec
    subnet_ids: list[pulumi.Input[str]]
    security_groups: dict[str, pulumi.Input[str]]  # role -> security group id
    target_groups: dict[str, pulumi.Input[str]]  # role -> target group ARN
    secret_arns: dict[str, list[pulumi.Output[str]]]  # role -> its secrets
    log_group_arns: dict[str, pulumi.Input[str]]  # role -> its log group
    secrets_key_arn: pulumi.Input[str]
    hosts_key_arn: pulumi.Input[str]
    access_log_bucket: pulumi.Input[str]
    db_resource_id: pulumi.Input[str]
    artifacts_bucket_arn: pulumi.Input[str]
    artifacts_key_arn: pulumi.Input[str]
    instance_type: str
    hosts_per_tier: int
    ami_id: str | None


class Hosts(pulumi.ComponentResource):
    groups: dict[str, aws.autoscaling.Group]
    roles: dict[str, aws.iam.Role]
    ssm_transfer_bucket: aws.s3.Bucket

    def __init__(self, name: str, args: HostsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:Hosts", name, None, opts)
        ctx = args.ctx
        image_id = args.ami_id or debian_ami()
        # File transfer bucket of Ansible's amazon.aws.aws_ssm connection: the controller uploads and presigns
        # URLs, hosts fetch them through the S3 gateway endpoint; SSE-KMS by bucket default (hosts key).
        self.ssm_transfer_bucket = HardenedBucket(
            "ssm-transfer",
            HardenedBucketArgs(
                ctx=ctx,
                purpose="ssm-transfer",
                kms_key_arn=args.hosts_key_arn,
                expiration_days=SSM_TRANSFER_EXPIRATION_DAYS,
                access_log_bucket=args.access_log_bucket,
            ),
            opts=child(self),
        ).bucket
        self.groups, self.roles = {}, {}
        for role in asg_roles(args.spec):
            profile = self._instance_profile(role, args)
            tags = ctx.tags(**{ROLE_TAG: role, "Name": ctx.name(role)})
            template = aws.ec2.LaunchTemplate(
                f"lt-{role}",
                name_prefix=f"{ctx.name(role)}-",
                image_id=image_id,
                instance_type=args.instance_type,
                iam_instance_profile={"arn": profile.arn},
                metadata_options={
                    "http_endpoint": "enabled",
                    "http_tokens": "required",
                    "http_put_response_hop_limit": 1,
                    "http_protocol_ipv6": "disabled",
                    "instance_metadata_tags": "disabled",
                },
                monitoring={"enabled": True},
                ebs_optimized="true",
                network_interfaces=[
                    {
                        "device_index": 0,
                        "associate_public_ip_address": "false",
                        "delete_on_termination": "true",
                        "security_groups": [args.security_groups[role]],
                    }
                ],
                block_device_mappings=[
                    {
                        "device_name": ROOT_DEVICE,
                        "ebs": {
                            "encrypted": "true",
                            "kms_key_id": args.hosts_key_arn,
                            "volume_size": 30,
                            "volume_type": "gp3",
                            "delete_on_termination": "true",
                        },
                    }
                ],
                user_data=user_data(ctx),
                update_default_version=True,
                tag_specifications=[
                    {"resource_type": "instance", "tags": tags},
                    {"resource_type": "volume", "tags": tags},
                ],
                tags=tags,
                opts=child(self),
            )
            self.groups[role] = aws.autoscaling.Group(
                f"asg-{role}",
                name=ctx.name(role),
                vpc_zone_identifiers=args.subnet_ids,
                min_size=args.hosts_per_tier,
                desired_capacity=args.hosts_per_tier,
                max_size=args.hosts_per_tier * 2,
                launch_template={"id": template.id, "version": template.latest_version.apply(str)},
                target_group_arns=[args.target_groups[role]],
                health_check_type="ELB",
                health_check_grace_period=900,
                tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in sorted(tags.items())],
                opts=child(self),
            )
        self.register_outputs({role: g.name for role, g in self.groups.items()})

    def _instance_profile(self, role: str, args: HostsArgs) -> aws.iam.InstanceProfile:
        ctx = args.ctx
        host_role = iam_role(
            f"role-{role}",
            pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ],
                }
            ),
            ctx,
            self,
            name=ctx.name(f"{role}-host"),
            tags=ctx.tags(**{ROLE_TAG: role}),
        )
        aws.iam.RolePolicyAttachment(
            f"role-{role}-ssm",
            role=host_role.name,
            policy_arn=ctx.managed_policy("AmazonSSMManagedInstanceCore"),
            opts=child(self),
        )
        log_arn = args.log_group_arns[role]
        db_user_arn = pulumi.Output.concat(
            f"arn:{ctx.partition}:rds-db:{ctx.region}:{ctx.account_id}:dbuser:",
            args.db_resource_id,
            f"/{DB_USERS[role]}",
        )
        bucket_arn = args.artifacts_bucket_arn
        prefixes = role_prefixes(role)
        aws.iam.RolePolicy(
            f"role-{role}-scoped",
            role=host_role.id,
            policy=policy_output(
                [
                    {
                        "Sid": "ReadOwnSecrets",
                        "Effect": "Allow",
                        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                        "Resource": args.secret_arns[role],
                    },
                    {
                        "Sid": "DecryptSecretsViaSecretsManager",
                        "Effect": "Allow",
                        "Action": "kms:Decrypt",
                        "Resource": args.secrets_key_arn,
                        "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{ctx.region}.amazonaws.com"}},
                    },
                    {
                        "Sid": "WriteOwnLogs",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        "Resource": [log_arn, pulumi.Output.concat(log_arn, ":log-stream:*")],
                    },
                    {
                        "Sid": "PutOwnMetrics",
                        "Effect": "Allow",
                        "Action": "cloudwatch:PutMetricData",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"cloudwatch:namespace": f"fhirfort/{role}"}},
                    },
                    {
                        "Sid": "ConnectAsOwnDatabaseUser",
                        "Effect": "Allow",
                        "Action": "rds-db:connect",
                        "Resource": db_user_arn,
                    },
                    {
                        "Sid": "ReadOwnArtifacts",
                        "Effect": "Allow",
                        "Action": READ_ACTIONS,
                        "Resource": [pulumi.Output.concat(bucket_arn, "/", p, "*") for p in prefixes],
                    },
                    {
                        "Sid": "ListOwnArtifacts",
                        "Effect": "Allow",
                        "Action": "s3:ListBucket",
                        "Resource": bucket_arn,
                        "Condition": {"StringLike": {"s3:prefix": [f"{p}*" for p in prefixes]}},
                    },
                    {
                        "Sid": "DecryptArtifactsViaS3",
                        "Effect": "Allow",
                        "Action": "kms:Decrypt",
                        "Resource": args.artifacts_key_arn,
                        "Condition": {"StringEquals": {"kms:ViaService": f"s3.{ctx.region}.amazonaws.com"}},
                    },
                ]
            ),
            opts=child(self),
        )
        self.roles[role] = host_role
        return aws.iam.InstanceProfile(
            f"profile-{role}", name=ctx.name(f"{role}-host"), path=IAM_PATH, role=host_role.name, opts=child(self)
        )
