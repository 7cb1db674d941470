"""Monitoring: the alarm topic exists and is encrypted."""

from __future__ import annotations

from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, failed, passed


def check_alarm_topic_encrypted(ctx: CheckContext) -> CheckResult:
    title = "Alarm topic exists and is KMS encrypted"
    attrs = ctx.client("sns").get_topic_attributes(TopicArn=ctx.outputs.alarm_topic_arn)["Attributes"]
    if not attrs.get("KmsMasterKeyId"):
        return failed("SNS-01", title, "the alarm topic is not encrypted")
    return passed("SNS-01", title, f"encrypted with {attrs['KmsMasterKeyId']}")
