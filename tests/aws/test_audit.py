"""Audit and logging: CloudTrail, the object-locked archive, the access-log bucket, log groups, alarms."""

from __future__ import annotations

import json

from fhirfort.aws.cis import CIS_ALARMS
from fhirfort.aws.mocked import MOCK_ACCOUNT, MOCK_REGION, StackRun, evaluate_stack
from fhirfort.spec import spec

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _bucket_parts(run: StackRun, prefix: str) -> dict[str, dict]:
    return {r.name.removeprefix(prefix + "-"): r.props for r in run.resources if r.name.startswith(prefix + "-")}


def _policy(run: StackRun, prefix: str) -> list[dict]:
    return json.loads(run.named(f"{prefix}-policy").props["policy"])["Statement"]


def test_cloudtrail_multi_region_validated_encrypted_to_logs(run: StackRun) -> None:
    trail = run.one("aws:cloudtrail/trail:Trail").props
    assert trail["isMultiRegionTrail"] is True
    assert trail["includeGlobalServiceEvents"] is True
    assert trail["enableLogFileValidation"] is True
    assert trail["kmsKeyId"] == run.outputs["kms_key_arns"]["audit"]
    assert trail["s3BucketName"] == run.outputs["audit_bucket_name"]
    assert trail["cloudWatchLogsGroupArn"] == run.state_of("cloudtrail-logs")["arn"] + ":*"
    assert trail["cloudWatchLogsRoleArn"] == run.state_of("cloudtrail-logs-role")["arn"]


def test_audit_archive_is_object_locked_in_compliance_mode(dev_run: StackRun, prod_run: StackRun) -> None:
    for run in (dev_run, prod_run):
        parts = _bucket_parts(run, "audit-archive")
        assert parts["bucket"]["objectLockEnabled"] is True
        lock = parts["object-lock"]["rule"]["defaultRetention"]
        assert lock["mode"] == "COMPLIANCE"
        assert lock["years"] == spec().retention.object_lock_years


def test_object_lock_years_may_be_raised() -> None:
    run = evaluate_stack("dev", {"objectLockYears": 10, "logRetentionDays": 3653})
    assert _bucket_parts(run, "audit-archive")["object-lock"]["rule"]["defaultRetention"]["years"] == 10
    assert {g.props["retentionInDays"] for g in run.of_type(LOG_GROUP)} == {3653}


def test_audit_archive_is_versioned_kms_encrypted_private_and_owner_enforced(run: StackRun) -> None:
    parts = _bucket_parts(run, "audit-archive")
    assert parts["versioning"]["versioningConfiguration"]["status"] == "Enabled"
    sse = parts["encryption"]["rules"][0]["applyServerSideEncryptionByDefault"]
    assert sse == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": run.outputs["kms_key_arns"]["audit"]}
    pab = parts["public-access"]
    assert all(
        pab[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert parts["ownership"]["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_every_bucket_is_tls_only_versioned_and_private(run: StackRun) -> None:
    buckets = [b.name.removesuffix("-bucket") for b in run.of_type("aws:s3/bucket:Bucket")]
    assert {"audit-archive", "access-logs", "ssm-transfer"} <= set(buckets)
    for prefix in buckets:
        parts = _bucket_parts(run, prefix)
        assert parts["versioning"]["versioningConfiguration"]["status"] == "Enabled", prefix
        assert parts["public-access"]["restrictPublicBuckets"] is True, prefix
        assert parts["ownership"]["rule"]["objectOwnership"] == "BucketOwnerEnforced", prefix
        if prefix != "access-logs":  # the access-log bucket is the target of the others' access logs
            assert parts["access-logging"]["targetBucket"] == run.id_of("access-logs-bucket"), prefix
        deny = [s for s in _policy(run, prefix) if s["Effect"] == "Deny"]
        assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and s["Action"] == "s3:*" for s in deny)


def test_cloudtrail_may_write_only_for_this_trail(run: StackRun) -> None:
    statements = {s.get("Sid"): s for s in _policy(run, "audit-archive")}
    trail_arn = f"arn:aws:cloudtrail:{MOCK_REGION}:{MOCK_ACCOUNT}:trail/fhirfort-{run.stack}-trail"
    for sid in ("CloudTrailAclCheck", "CloudTrailWrite"):
        assert statements[sid]["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert statements[sid]["Condition"]["StringEquals"]["aws:SourceArn"] == trail_arn
    assert set(statements) == {"DenyInsecureTransport", "CloudTrailAclCheck", "CloudTrailWrite"}


def test_access_log_bucket_sse_s3_for_alb_and_retained_at_least_the_floor(run: StackRun) -> None:
    parts = _bucket_parts(run, "access-logs")
    sse = parts["encryption"]["rules"][0]["applyServerSideEncryptionByDefault"]
    assert sse == {"sseAlgorithm": "AES256"}  # ELB access logs support SSE-S3 only
    rule = parts["lifecycle"]["rules"][0]
    floor = spec().retention.audit_retention_floor_days
    assert rule["expiration"]["days"] >= floor
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] >= floor
    sids = {s.get("Sid") for s in _policy(run, "access-logs")}
    assert "AlbAccessLogDelivery" in sids


def test_every_log_group_is_kms_encrypted_with_retention_from_spec(run: StackRun) -> None:
    floor = spec().retention.log_retention_days[run.stack]
    groups = run.of_type(LOG_GROUP)
    assert len(groups) >= 7
    for group in groups:
        assert group.props["kmsKeyId"] == run.outputs["kms_key_arns"]["logs"], group.name
        assert group.props["retentionInDays"] == floor, group.name
    assert floor >= 6 * 365


def test_rds_log_exports_land_in_precreated_encrypted_groups(run: StackRun) -> None:
    identifier = run.outputs["db_instance_identifier"]
    names = {g.props["name"] for g in run.of_type(LOG_GROUP)}
    for export in run.one("aws:rds/instance:Instance").props["enabledCloudwatchLogsExports"]:
        assert f"/aws/rds/instance/{identifier}/{export}" in names


def test_cis_metric_filters_raise_alarms_to_the_encrypted_topic(run: StackRun) -> None:
    topic = run.one("aws:sns/topic:Topic").props
    assert topic["kmsMasterKeyId"] == run.outputs["kms_key_arns"]["audit"]
    filters = {
        f.name.removeprefix("filter-"): f.props for f in run.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")
    }
    alarms = {a.name.removeprefix("alarm-"): a.props for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    required = {
        "unauthorized-api-calls",
        "root-account-usage",
        "console-signin-without-mfa",
        "iam-policy-changes",
        "cloudtrail-config-changes",
        "kms-key-disable-or-deletion",
        "security-group-changes",
        "nacl-changes",
        "vpc-changes",
        "s3-bucket-policy-changes",
    }
    assert required <= set(CIS_ALARMS) == set(filters) == set(alarms)
    trail_group = run.named("cloudtrail-logs").props["name"]
    for alarm_id, f in filters.items():
        assert f["logGroupName"] == trail_group
        assert f["pattern"] == CIS_ALARMS[alarm_id][1]
        alarm = alarms[alarm_id]
        assert alarm["metricName"] == f["metricTransformation"]["name"]
        assert alarm["namespace"] == f["metricTransformation"]["namespace"]
        assert alarm["alarmActions"] == [run.outputs["alarm_topic_arn"]]
        assert alarm["threshold"] == 1 and alarm["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert "ScheduleKeyDeletion" in filters["kms-key-disable-or-deletion"]["pattern"]
    assert '"Root"' in filters["root-account-usage"]["pattern"]


def test_alarm_topic_accepts_only_cloudwatch_of_this_account_over_tls(run: StackRun) -> None:
    statements = json.loads(run.one("aws:sns/topicPolicy:TopicPolicy").props["policy"])["Statement"]
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allow] == [{"Service": "cloudwatch.amazonaws.com"}]
    assert allow[0]["Condition"]["StringEquals"]["aws:SourceAccount"] == MOCK_ACCOUNT
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )
