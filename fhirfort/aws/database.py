"""RDS PostgreSQL in the isolated data tier.

Encrypted storage and Performance Insights with the data key; TLS forced (`rds.force_ssl`, minimum
protocol from spec/tls.yaml); connection and pgaudit logging (statement parameters are not logged: they
carry PHI); IAM database authentication; master credentials managed by RDS in Secrets Manager under the
secrets key (RDS rotates them); backups from spec retention; deletion protection, Multi-AZ and a final
snapshot unless explicitly opted out; log exports into pre-created, KMS-encrypted log groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from fhirfort.aws.common import AwsContext, assume_role_policy, child, iam_role, log_group
from fhirfort.spec import Spec

ENGINE_MAJOR = "17"
LOG_EXPORTS = ("postgresql", "upgrade")
MASTER_USERNAME = "fhirfort_admin"


def parameters(s: Spec) -> dict[str, tuple[str, str]]:
    """name -> (value, apply method) of the parameter group."""
    min_tls = min(s.tls.protocols)  # "TLSv1.2" sorts before "TLSv1.3"
    return {
        "rds.force_ssl": ("1", "immediate"),
        "ssl_min_protocol_version": (min_tls, "immediate"),
        "password_encryption": ("scram-sha-256", "immediate"),
        "log_connections": ("1", "immediate"),
        "log_disconnections": ("1", "immediate"),
        "log_statement": ("ddl", "immediate"),
        "shared_preload_libraries": ("pg_stat_statements,pgaudit", "pending-reboot"),
        "pgaudit.role": ("rds_pgaudit", "immediate"),
        "pgaudit.log": ("ddl,role,write", "immediate"),
        "pgaudit.log_parameter": ("0", "immediate"),
    }


@dataclass
class DatabaseArgs:
    ctx: AwsContext
    spec: Spec
    subnet_ids: list[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    secrets_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int
    instance_class: str
    allocated_storage: int
    backup_retention_days: int
    multi_az: bool
    deletion_protection: bool
    final_snapshot: bool


class Database(pulumi.ComponentResource):
    instance: aws.rds.Instance
    parameter_group: aws.rds.ParameterGroup

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:Database", name, None, opts)
        ctx = args.ctx
        identifier = ctx.name("db")
        subnet_group = aws.rds.SubnetGroup(
            "db-subnets", name=identifier, subnet_ids=args.subnet_ids, tags=ctx.tags(), opts=child(self)
        )
        self.parameter_group = aws.rds.ParameterGroup(
            "db-params",
            name=f"{identifier}-pg{ENGINE_MAJOR}",
            family=f"postgres{ENGINE_MAJOR}",
            description="fhirfort: TLS forced, connection and pgaudit logging",
            parameters=[
                {"name": k, "value": v, "apply_method": m} for k, (v, m) in sorted(parameters(args.spec).items())
            ],
            tags=ctx.tags(),
            opts=child(self),
        )
        log_groups = [
            log_group(
                f"db-logs-{export}",
                f"/aws/rds/instance/{identifier}/{export}",
                args.logs_key_arn,
                args.log_retention_days,
                ctx,
                self,
            )
            for export in LOG_EXPORTS
        ]
        monitoring_role = iam_role(
            "db-monitoring-role", assume_role_policy("monitoring.rds.amazonaws.com", ctx), ctx, self
        )
        aws.iam.RolePolicyAttachment(
            "db-monitoring-policy",
            role=monitoring_role.name,
            policy_arn=ctx.managed_policy("service-role/AmazonRDSEnhancedMonitoringRole"),
            opts=child(self),
        )
        self.instance = aws.rds.Instance(
            "db",
            identifier=identifier,
            engine="postgres",
            engine_version=ENGINE_MAJOR,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage,
            max_allocated_storage=args.allocated_storage * 4,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=args.data_key_arn,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[args.security_group_id],
            publicly_accessible=False,
            parameter_group_name=self.parameter_group.name,
            username=MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.secrets_key_arn,
            iam_database_authentication_enabled=True,
            backup_retention_period=args.backup_retention_days,
            multi_az=args.multi_az,
            deletion_protection=args.deletion_protection,
            skip_final_snapshot=not args.final_snapshot,
            final_snapshot_identifier=f"{identifier}-final" if args.final_snapshot else None,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=args.data_key_arn,
            performance_insights_retention_period=7,
            monitoring_interval=60,
            monitoring_role_arn=monitoring_role.arn,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            ca_cert_identifier="rds-ca-rsa2048-g1",
            apply_immediately=False,
            tags=ctx.tags(**ctx.opt_out("RDS-04", "RDS-05")),
            opts=child(self, depends_on=log_groups),
        )
        self.register_outputs(
            {"identifier": self.instance.identifier, "parameter_group_name": self.parameter_group.name}
        )
