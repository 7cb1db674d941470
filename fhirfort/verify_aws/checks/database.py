"""RDS PostgreSQL controls: encryption at rest (RDS-01), no public endpoint (RDS-02), deletion protection
(RDS-05, waivable by opt-out), IAM auth (RDS-06), TLS forced (RDS-11)."""

from __future__ import annotations

from typing import Any

from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, failed, passed, verdict
from fhirfort.verify_aws.waivers import apply_waiver, tags_of


def _db(ctx: CheckContext) -> dict[str, Any]:
    def fetch() -> dict[str, Any]:
        rds = ctx.client("rds")
        answer = rds.describe_db_instances(DBInstanceIdentifier=ctx.outputs.db_instance_identifier)
        return dict(answer["DBInstances"][0])

    return ctx.memo("rds.instance", fetch)


def _parameter(ctx: CheckContext, group: str, name: str) -> str | None:
    paginator = ctx.client("rds").get_paginator("describe_db_parameters")
    for page in paginator.paginate(DBParameterGroupName=group):
        for param in page.get("Parameters") or []:
            if param.get("ParameterName") == name:
                return param.get("ParameterValue")
    return None


def check_db_encrypted(ctx: CheckContext) -> CheckResult:
    title = "RDS storage encrypted with KMS"
    db = _db(ctx)
    if not db.get("StorageEncrypted"):
        return failed("RDS-01", title, "storage is not encrypted")
    return passed("RDS-01", title, f"encrypted with {db.get('KmsKeyId')}")


def check_db_not_public(ctx: CheckContext) -> CheckResult:
    title = "RDS not publicly accessible"
    if _db(ctx).get("PubliclyAccessible"):
        return failed("RDS-02", title, "PubliclyAccessible is true")
    return passed("RDS-02", title, "private endpoint only")


def check_db_force_ssl(ctx: CheckContext) -> CheckResult:
    title = "RDS parameter group forces TLS (rds.force_ssl=1)"
    group = ctx.outputs.db_parameter_group_name
    attached = [g.get("DBParameterGroupName") for g in _db(ctx).get("DBParameterGroups") or []]
    problems = []
    if group not in attached:
        problems.append(f"the instance uses {attached}, not {group}")
    value = _parameter(ctx, group, "rds.force_ssl")
    if value != "1":
        problems.append(f"rds.force_ssl is {value if value is not None else 'the engine default'} in {group}")
    pending = [g for g in _db(ctx).get("DBParameterGroups") or [] if g.get("ParameterApplyStatus") != "in-sync"]
    if pending:
        problems.append(f"parameter group not applied yet: {pending}")
    return verdict("RDS-11", title, problems, f"rds.force_ssl=1 in {group}, in sync")


def check_db_iam_auth(ctx: CheckContext) -> CheckResult:
    title = "RDS IAM database authentication enabled"
    if not _db(ctx).get("IAMDatabaseAuthenticationEnabled"):
        return failed("RDS-06", title, "IAM database authentication is off")
    return passed("RDS-06", title, "enabled")


def check_db_deletion_protection(ctx: CheckContext) -> CheckResult:
    title = "RDS deletion protection"
    db = _db(ctx)
    if not db.get("DeletionProtection"):
        return apply_waiver(failed("RDS-05", title, "deletion protection is off"), tags_of(db.get("TagList")))
    return passed("RDS-05", title, "on")
