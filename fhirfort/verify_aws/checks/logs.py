"""CloudWatch log groups (flow, WAF, applications): retention at or above the floor of
spec/retention.yaml, and KMS encryption."""

from __future__ import annotations

from fhirfort.spec import spec
from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, verdict


def _log_groups(ctx: CheckContext) -> dict[str, dict[str, object]]:
    def fetch() -> dict[str, dict[str, object]]:
        logs = ctx.client("logs")
        found: dict[str, dict[str, object]] = {}
        for name in ctx.outputs.log_group_names:
            for group in logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups") or []:
                if group["logGroupName"] == name:
                    found[name] = group
        return found

    return ctx.memo("logs.groups", fetch)


def check_log_retention(ctx: CheckContext) -> CheckResult:
    floor = spec().retention.audit_retention_floor_days
    title = f"Log groups keep at least {floor} days"
    groups = _log_groups(ctx)
    problems = []
    for name in ctx.outputs.log_group_names:
        if name not in groups:
            problems.append(f"{name} does not exist")
            continue
        days = groups[name].get("retentionInDays")
        if days is None:
            continue  # never expire: above any floor
        if not isinstance(days, int) or days < floor:
            problems.append(f"{name} keeps {days} days")
    return verdict("LOG-02", title, problems, f"{len(groups)} log groups at or above the floor")


def check_log_kms(ctx: CheckContext) -> CheckResult:
    title = "Log groups encrypted with KMS"
    groups = _log_groups(ctx)
    problems = [f"{n} does not exist" for n in ctx.outputs.log_group_names if n not in groups]
    problems += [f"{n} has no KMS key" for n, g in groups.items() if not g.get("kmsKeyId")]
    return verdict("LOG-01", title, problems, f"{len(groups)} log groups with customer KMS keys")
