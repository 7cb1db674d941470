"""RDS for PostgreSQL (RDS-*)."""

from __future__ import annotations

from collections.abc import Iterator

from fhirfort.spec import spec

from . import types as t
from ._base import (
    MANDATORY,
    Check,
    FhirfortResourcePolicy,
    FhirfortStackPolicy,
    Res,
    Stack,
    as_list,
    is_true,
    parameter,
)

RDS = (t.RDS_INSTANCE,)


def _encrypted(r: Res) -> Iterator[str]:
    if not is_true(r.get("storageEncrypted")):
        yield "storageEncrypted is not true"
    elif not r.get("kmsKeyId"):
        yield "storage is encrypted with the AWS-managed key; set kmsKeyId to the stack's CMK"


def _private(r: Res) -> Iterator[str]:
    if is_true(r.get("publiclyAccessible")):
        yield "publiclyAccessible is true"


def _backups(r: Res) -> Iterator[str]:
    days = spec().retention.backup_retention_days
    required = days.get(r.env, max(days.values()))
    actual = int(r.get("backupRetentionPeriod", 0) or 0)
    if actual < required:
        yield f"backupRetentionPeriod is {actual}; spec retention.backup_retention_days.{r.env} requires {required}"


def _multi_az(r: Res) -> Iterator[str]:
    if r.prod and not is_true(r.get("multiAz")):
        yield "multiAz is off in a prod stack"


def _deletion_protection(r: Res) -> Iterator[str]:
    if not r.prod:
        return
    if not is_true(r.get("deletionProtection")):
        yield "deletionProtection is off in a prod stack"
    if is_true(r.get("skipFinalSnapshot")):
        yield "skipFinalSnapshot is true in a prod stack"


def _iam_auth(r: Res) -> Iterator[str]:
    if not is_true(r.get("iamDatabaseAuthenticationEnabled")):
        yield "iamDatabaseAuthenticationEnabled is not true"


def _log_exports(r: Res) -> Iterator[str]:
    exports = {str(e) for e in as_list(r.get("enabledCloudwatchLogsExports"))}
    engine = str(r.get("engine", ""))
    required = parameter("RDS-07", "postgres_exports") if engine.startswith(("postgres", "aurora-postgresql")) else []
    missing = [e for e in required if e not in exports]
    if not exports or missing:
        yield f"enabledCloudwatchLogsExports lacks {', '.join(missing) or 'any log type'}"


def _minor_upgrades(r: Res) -> Iterator[str]:
    if r.get("autoMinorVersionUpgrade") is False:
        yield "autoMinorVersionUpgrade is false: security patches wait for a manual upgrade"


def _copy_tags(r: Res) -> Iterator[str]:
    if not is_true(r.get("copyTagsToSnapshot")):
        yield "copyTagsToSnapshot is not true: snapshots lose their data classification tags"


def _pi_encrypted(r: Res) -> Iterator[str]:
    if is_true(r.get("performanceInsightsEnabled")) and not r.get("performanceInsightsKmsKeyId"):
        yield "Performance Insights is on without performanceInsightsKmsKeyId (query text may hold PHI)"


def _forces_ssl(r: Res) -> bool:
    return any(p.get("name") == "rds.force_ssl" and str(p.get("value")) == "1" for p in as_list(r.get("parameters")))


def _param_group_ssl(r: Res) -> Iterator[str]:
    if str(r.get("family", "")).startswith("postgres") and not _forces_ssl(r):
        yield "the PostgreSQL parameter group does not set rds.force_ssl = 1"


def _every_instance_forces_ssl(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    for db in stack.of(*RDS):
        groups = stack.referenced(db, "parameterGroupName", t.RDS_PARAMETER_GROUP)
        if not groups:
            yield (
                f"DB instance {db.name} does not use a parameter group of this stack (the default allows plaintext)",
                db,
            )
        elif not any(_forces_ssl(g) for g in groups):
            yield f"DB instance {db.name} uses a parameter group without rds.force_ssl = 1", db


def _managed_password(r: Res) -> Iterator[str]:
    if not is_true(r.get("manageMasterUserPassword")):
        yield "manageMasterUserPassword is not true (the master password would live in the program or state)"
    if r.get("password"):
        yield "a master password is set in the program"
    if is_true(r.get("manageMasterUserPassword")) and not r.get("masterUserSecretKmsKeyId"):
        yield "the managed master secret uses the AWS-managed key; set masterUserSecretKmsKeyId"


def _enhanced_monitoring(r: Res) -> Iterator[str]:
    if int(r.get("monitoringInterval", 0) or 0) <= 0 or not r.get("monitoringRoleArn"):
        yield "enhanced monitoring is off (monitoringInterval and monitoringRoleArn)"


def _policy(name: str, control: str, summary: str, check: Check, remediation: str) -> FhirfortResourcePolicy:
    return FhirfortResourcePolicy(
        name=name,
        enforcement_level=MANDATORY,
        control=control,
        types=RDS,
        summary=summary,
        check=check,
        remediation=remediation,
    )


POLICIES = [
    _policy(
        "rds-01-storage-encrypted",
        "RDS-01",
        "DB storage is encrypted with a customer-managed KMS key.",
        _encrypted,
        "Set storageEncrypted true and kmsKeyId.",
    ),
    _policy(
        "rds-02-not-public",
        "RDS-02",
        "DB instances are not publicly accessible.",
        _private,
        "Set publiclyAccessible false; keep the instance in the data tier.",
    ),
    _policy(
        "rds-03-backup-retention",
        "RDS-03",
        "Automated backups are kept per spec retention.backup_retention_days.",
        _backups,
        "Set backupRetentionPeriod from spec retention.backup_retention_days[<stack>].",
    ),
    _policy(
        "rds-04-multi-az-prod",
        "RDS-04",
        "DB instances in prod stacks are Multi-AZ.",
        _multi_az,
        "Set multiAz true in prod.",
    ),
    _policy(
        "rds-05-deletion-protection-prod",
        "RDS-05",
        "DB instances in prod stacks have deletion protection and a final snapshot.",
        _deletion_protection,
        "Set deletionProtection true and skipFinalSnapshot false in prod.",
    ),
    _policy(
        "rds-06-iam-auth",
        "RDS-06",
        "IAM database authentication is enabled.",
        _iam_auth,
        "Set iamDatabaseAuthenticationEnabled true.",
    ),
    _policy(
        "rds-07-log-exports",
        "RDS-07",
        "PostgreSQL and upgrade logs are exported to CloudWatch Logs.",
        _log_exports,
        "Set enabledCloudwatchLogsExports [postgresql, upgrade].",
    ),
    _policy(
        "rds-08-auto-minor-upgrade",
        "RDS-08",
        "Minor engine upgrades (security patches) apply automatically.",
        _minor_upgrades,
        "Leave autoMinorVersionUpgrade true.",
    ),
    _policy(
        "rds-09-copy-tags-to-snapshot",
        "RDS-09",
        "Snapshots inherit the instance's tags.",
        _copy_tags,
        "Set copyTagsToSnapshot true.",
    ),
    _policy(
        "rds-10-performance-insights-kms",
        "RDS-10",
        "Performance Insights data is encrypted with a CMK.",
        _pi_encrypted,
        "Set performanceInsightsKmsKeyId when performanceInsightsEnabled.",
    ),
    FhirfortResourcePolicy(
        name="rds-11-parameter-group-force-ssl",
        enforcement_level=MANDATORY,
        control="RDS-11",
        types=(t.RDS_PARAMETER_GROUP,),
        summary="PostgreSQL parameter groups set rds.force_ssl = 1.",
        check=_param_group_ssl,
        remediation="Add parameter {name: rds.force_ssl, value: '1'}.",
    ),
    FhirfortStackPolicy(
        name="rds-11-every-instance-forces-ssl",
        enforcement_level=MANDATORY,
        control="RDS-11",
        types=(t.RDS_INSTANCE, t.RDS_PARAMETER_GROUP),
        summary="Every DB instance uses a parameter group of this stack that forces SSL.",
        check=_every_instance_forces_ssl,
        remediation="Set parameterGroupName to the stack's parameter group with rds.force_ssl = 1.",
    ),
    _policy(
        "rds-12-managed-master-password",
        "RDS-12",
        "The master password is managed by RDS in Secrets Manager with a CMK.",
        _managed_password,
        "Set manageMasterUserPassword true and masterUserSecretKmsKeyId; drop password.",
    ),
    _policy(
        "rds-13-enhanced-monitoring",
        "RDS-13",
        "Enhanced monitoring is enabled.",
        _enhanced_monitoring,
        "Set monitoringInterval (e.g. 60) and monitoringRoleArn.",
    ),
]
