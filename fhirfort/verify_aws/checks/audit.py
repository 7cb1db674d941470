"""Audit trail controls: CloudTrail (CT-01/02/03/05) and the object-locked audit archive it writes to
(S3-01/03/05). The object-lock floor comes from spec/retention.yaml."""

from __future__ import annotations

from typing import Any

from fhirfort.spec import spec
from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, failed, passed, verdict

DAYS_PER_YEAR = 365


def _trail(ctx: CheckContext) -> dict[str, Any]:
    def fetch() -> dict[str, Any]:
        return dict(ctx.client("cloudtrail").get_trail(Name=ctx.outputs.cloudtrail_arn)["Trail"])

    return ctx.memo("cloudtrail.trail", fetch)


def check_trail_logging(ctx: CheckContext) -> CheckResult:
    title = "CloudTrail is logging"
    status = ctx.client("cloudtrail").get_trail_status(Name=ctx.outputs.cloudtrail_arn)
    if not status.get("IsLogging"):
        return failed("CT-05", title, f"{ctx.outputs.cloudtrail_arn} is not logging (stopped)")
    return passed("CT-05", title, "logging")


def check_trail_multi_region(ctx: CheckContext) -> CheckResult:
    title = "CloudTrail is multi-region with global service events"
    trail = _trail(ctx)
    problems = []
    if not trail.get("IsMultiRegionTrail"):
        problems.append("not a multi-region trail")
    if not trail.get("IncludeGlobalServiceEvents"):
        problems.append("global service events (IAM, STS) excluded")
    return verdict("CT-01", title, problems, f"multi-region, home {trail.get('HomeRegion', ctx.region)}")


def check_trail_log_validation(ctx: CheckContext) -> CheckResult:
    title = "CloudTrail log file validation"
    if not _trail(ctx).get("LogFileValidationEnabled"):
        return failed("CT-02", title, "log file integrity validation is off")
    return passed("CT-02", title, "digest files are written")


def check_trail_kms(ctx: CheckContext) -> CheckResult:
    title = "CloudTrail log files are encrypted with a CMK"
    key = _trail(ctx).get("KmsKeyId")
    if not key:
        return failed("CT-03", title, "no KMS key (SSE-S3 only)")
    return passed("CT-03", title, str(key))


def check_trail_to_audit_archive(ctx: CheckContext) -> CheckResult:
    title = "CloudTrail delivers into the object-locked audit archive"
    bucket = _trail(ctx).get("S3BucketName")
    if bucket != ctx.outputs.audit_bucket_name:
        return failed("S3-05", title, f"delivers to {bucket}, not {ctx.outputs.audit_bucket_name}")
    return passed("S3-05", title, f"s3://{bucket}")


def check_audit_object_lock(ctx: CheckContext) -> CheckResult:
    title = "Audit bucket: object lock COMPLIANCE at or above the floor"
    floor_years = spec().retention.object_lock_years
    s3 = ctx.client("s3")
    try:
        config = s3.get_object_lock_configuration(Bucket=ctx.outputs.audit_bucket_name)["ObjectLockConfiguration"]
    except s3.exceptions.ClientError as exc:
        return failed("S3-05", title, f"no object lock configuration ({exc.response['Error']['Code']})")
    if config.get("ObjectLockEnabled") != "Enabled":
        return failed("S3-05", title, "object lock is not enabled")
    retention = (config.get("Rule") or {}).get("DefaultRetention") or {}
    years = int(retention.get("Years") or 0)
    days = int(retention.get("Days") or 0)
    problems = []
    if retention.get("Mode") != "COMPLIANCE":
        problems.append(f"default retention mode is {retention.get('Mode')}, not COMPLIANCE")
    if years < floor_years and days < floor_years * DAYS_PER_YEAR:
        problems.append(f"default retention {years or days} {'years' if years else 'days'} < {floor_years} years")
    return verdict("S3-05", title, problems, f"COMPLIANCE, {years or days} {'years' if years else 'days'}")


def check_audit_versioning(ctx: CheckContext) -> CheckResult:
    title = "Audit bucket versioning enabled"
    status = ctx.client("s3").get_bucket_versioning(Bucket=ctx.outputs.audit_bucket_name).get("Status")
    if status != "Enabled":
        return failed("S3-03", title, f"versioning status is {status or 'never enabled'}")
    return passed("S3-03", title, "Enabled")


def check_audit_public_access_block(ctx: CheckContext) -> CheckResult:
    title = "Audit bucket public access fully blocked"
    s3 = ctx.client("s3")
    try:
        pab = s3.get_public_access_block(Bucket=ctx.outputs.audit_bucket_name)["PublicAccessBlockConfiguration"]
    except s3.exceptions.ClientError as exc:
        return failed("S3-01", title, f"no bucket public access block ({exc.response['Error']['Code']})")
    keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    off = [k for k in keys if not pab.get(k)]
    return verdict("S3-01", title, [f"{k} is off" for k in off], "all four settings on")
