"""Audit and logging: CloudTrail, the audit archive and access-log buckets, log groups, CIS alarms, SNS.

- Audit archive bucket: object lock in COMPLIANCE mode (default retention from spec
  retention.object_lock_years; config may only raise it), versioned, SSE-KMS with the audit key, public
  access blocked, BucketOwnerEnforced, TLS-only policy plus CloudTrail's write permission (bound to this
  trail's ARN).
- Access-log bucket (ALB access logs, S3 server access logs): Elastic Load Balancing delivers access logs
  only to buckets encrypted with SSE-S3 (SSE-KMS is not supported for ALB access logs), so this bucket uses
  SSE-S3; it is still TLS-only, versioned, public access blocked, and its lifecycle keeps objects at least
  the retention floor.
- CloudTrail: multi-region, global service events, log file validation, KMS-encrypted, delivered to an
  encrypted CloudWatch log group through a dedicated role.
- Every log group is encrypted with the logs key; retention from spec (config may only raise it).
- CIS metric filters (fhirfort/aws/cis.py) raise alarms to an SNS topic encrypted with the audit key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from fhirfort.aws.buckets import S3_LOG_PREFIX, HardenedBucket, HardenedBucketArgs
from fhirfort.aws.cis import CIS_ALARMS
from fhirfort.aws.common import AwsContext, assume_role_policy, child, iam_role, log_group, policy_output
from fhirfort.spec import Spec

ALARM_NAMESPACE = "fhirfort/CIS"
ALB_LOG_PREFIX = "alb"


@dataclass
class AuditArgs:
    ctx: AwsContext
    spec: Spec
    trail_name: str
    logs_key_arn: pulumi.Input[str]
    audit_key_arn: pulumi.Input[str]
    log_retention_days: int
    object_lock_years: int
    alarm_email: str | None = None


class Audit(pulumi.ComponentResource):
    audit_bucket: aws.s3.Bucket
    access_log_bucket: aws.s3.Bucket
    trail: aws.cloudtrail.Trail
    alarm_topic: aws.sns.Topic
    app_log_groups: dict[str, aws.cloudwatch.LogGroup]  # host role -> its log group

    def __init__(self, name: str, args: AuditArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:Audit", name, None, opts)
        ctx = args.ctx
        trail_arn = ctx.arn("cloudtrail", f"trail/{args.trail_name}")
        self.access_log_bucket = self._access_log_bucket(ctx, args)
        audit = HardenedBucket(
            "audit-archive",
            HardenedBucketArgs(
                ctx=ctx,
                purpose="audit",
                kms_key_arn=args.audit_key_arn,
                object_lock_years=args.object_lock_years,
                statements=[
                    lambda arn: _cloudtrail_acl(arn, trail_arn),
                    lambda arn: _cloudtrail_write(arn, ctx, trail_arn),
                ],
                access_log_bucket=self.access_log_bucket.id,
            ),
            opts=child(self),
        )
        self.audit_bucket = audit.bucket

        self.trail_log_group = log_group(
            "cloudtrail-logs",
            f"/fhirfort/{ctx.stack}/cloudtrail",
            args.logs_key_arn,
            args.log_retention_days,
            ctx,
            self,
        )
        trail_role = iam_role("cloudtrail-logs-role", assume_role_policy("cloudtrail.amazonaws.com", ctx), ctx, self)
        aws.iam.RolePolicy(
            "cloudtrail-logs-policy",
            role=trail_role.id,
            policy=policy_output(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": pulumi.Output.concat(self.trail_log_group.arn, ":log-stream:*"),
                    }
                ]
            ),
            opts=child(self),
        )
        self.trail = aws.cloudtrail.Trail(
            "trail",
            name=args.trail_name,
            s3_bucket_name=self.audit_bucket.id,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=args.audit_key_arn,
            cloud_watch_logs_group_arn=pulumi.Output.concat(self.trail_log_group.arn, ":*"),
            cloud_watch_logs_role_arn=trail_role.arn,
            tags=ctx.tags(),
            opts=child(self, depends_on=[audit.policy]),
        )

        self.app_log_groups = {
            role: log_group(
                f"app-logs-{role}",
                f"/fhirfort/{ctx.stack}/{role}",
                args.logs_key_arn,
                args.log_retention_days,
                ctx,
                self,
            )
            for role, host in args.spec.topology.hosts.items()
            if host.aws == "asg"
        }
        self._alarms(ctx, args)
        self.register_outputs(
            {
                "audit_bucket_name": self.audit_bucket.bucket,
                "access_log_bucket_name": self.access_log_bucket.bucket,
                "cloudtrail_arn": self.trail.arn,
                "alarm_topic_arn": self.alarm_topic.arn,
            }
        )

    def _access_log_bucket(self, ctx: AwsContext, args: AuditArgs) -> aws.s3.Bucket:
        elb_account = aws.elb.get_service_account().arn
        floor = args.spec.retention.audit_retention_floor_days
        prefix_alb = f"{ALB_LOG_PREFIX}/AWSLogs/{ctx.account_id}/*"

        def alb_write(arn: pulumi.Output[str]) -> dict[str, Any]:
            return {
                "Sid": "AlbAccessLogDelivery",
                "Effect": "Allow",
                "Principal": {"AWS": elb_account, "Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": pulumi.Output.concat(arn, "/", prefix_alb),
            }

        def s3_write(arn: pulumi.Output[str]) -> dict[str, Any]:
            return {
                "Sid": "S3ServerAccessLogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": pulumi.Output.concat(arn, f"/{S3_LOG_PREFIX}/*"),
                "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
            }

        bucket = HardenedBucket(
            "access-logs",
            HardenedBucketArgs(
                ctx=ctx,
                purpose="access-logs",
                kms_key_arn=None,  # ALB access logs support SSE-S3 only
                expiration_days=max(floor, args.log_retention_days),
                statements=[alb_write, s3_write],
            ),
            opts=child(self),
        )
        self.access_log_bucket_policy = bucket.policy
        return bucket.bucket

    def _alarms(self, ctx: AwsContext, args: AuditArgs) -> None:
        self.alarm_topic = aws.sns.Topic(
            "alarms",
            name=ctx.name("security-alarms"),
            kms_master_key_id=args.audit_key_arn,
            tags=ctx.tags(),
            opts=child(self),
        )
        aws.sns.TopicPolicy(
            "alarms-policy",
            arn=self.alarm_topic.arn,
            policy=policy_output(
                [
                    {
                        "Sid": "CloudWatchAlarmsOfThisAccount",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": self.alarm_topic.arn,
                        "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
                    },
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "sns:Publish",
                        "Resource": self.alarm_topic.arn,
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                ]
            ),
            opts=child(self),
        )
        if args.alarm_email:
            aws.sns.TopicSubscription(
                "alarms-email",
                topic=self.alarm_topic.arn,
                protocol="email",
                endpoint=args.alarm_email,
                opts=child(self),
            )
        for alarm_id, (control, pattern) in CIS_ALARMS.items():
            metric = f"{ctx.stack}-{alarm_id}"
            aws.cloudwatch.LogMetricFilter(
                f"filter-{alarm_id}",
                name=ctx.name(alarm_id),
                log_group_name=self.trail_log_group.name,
                pattern=pattern,
                metric_transformation={
                    "name": metric,
                    "namespace": ALARM_NAMESPACE,
                    "value": "1",
                    "default_value": "0",
                },
                opts=child(self),
            )
            aws.cloudwatch.MetricAlarm(
                f"alarm-{alarm_id}",
                name=ctx.name(alarm_id),
                alarm_description=f"{control}: {alarm_id.replace('-', ' ')}",
                namespace=ALARM_NAMESPACE,
                metric_name=metric,
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[self.alarm_topic.arn],
                tags=ctx.tags(**{"fhirfort:control": control}),
                opts=child(self),
            )


def _cloudtrail_acl(bucket_arn: pulumi.Output[str], trail_arn: str) -> dict[str, Any]:
    return {
        "Sid": "CloudTrailAclCheck",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:GetBucketAcl",
        "Resource": bucket_arn,
        "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
    }


def _cloudtrail_write(bucket_arn: pulumi.Output[str], ctx: AwsContext, trail_arn: str) -> dict[str, Any]:
    return {
        "Sid": "CloudTrailWrite",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": pulumi.Output.concat(bucket_arn, f"/AWSLogs/{ctx.account_id}/*"),
        "Condition": {
            "StringEquals": {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"},
        },
    }
