"""Composition of the hardened FHIR stack on AWS, and the program entry used by __main__.py and the mocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from fhirfort.aws.artifacts import Artifacts, ArtifactsArgs
from fhirfort.aws.audit import Audit, AuditArgs
from fhirfort.aws.common import AwsContext
from fhirfort.aws.database import Database, DatabaseArgs
from fhirfort.aws.edge import Edge, EdgeArgs
from fhirfort.aws.flows import FlowRules, FlowRulesArgs
from fhirfort.aws.hosts import Hosts, HostsArgs
from fhirfort.aws.keys import Keys, KeysArgs
from fhirfort.aws.network import Network, NetworkArgs
from fhirfort.aws.secrets import Secrets, SecretsArgs
from fhirfort.aws.waf import Waf, WafArgs
from fhirfort.compliance.controls import opt_out_tags
from fhirfort.config import NAMESPACE, ConfigError, StackConfig, load_config
from fhirfort.spec import Spec, spec

OUTPUT_NAMES = (
    "fhir_base_url",
    "smart_config_url",
    "alb_arn",
    "alb_dns_name",
    "https_listener_arn",
    "http_listener_arn",
    "web_acl_arn",
    "cloudtrail_arn",
    "audit_bucket_name",
    "access_log_bucket_name",
    "db_instance_identifier",
    "db_parameter_group_name",
    "fhir_asg_name",
    "idp_asg_name",
    "vpc_id",
    "flow_log_group_name",
    "waf_log_group_name",
    "alarm_topic_arn",
    "kms_key_arns",
    "app_log_group_names",
    "artifacts_bucket_name",
    "ssm_transfer_bucket_name",
)


@dataclass
class FhirStackArgs:
    config: StackConfig
    spec: Spec
    ctx: AwsContext


class FhirStack(pulumi.ComponentResource):
    """Everything of one stack; `outputs` holds the exported contract (see OUTPUT_NAMES)."""

    outputs: dict[str, Any]

    def __init__(self, name: str, args: FhirStackArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:FhirStack", name, None, opts)
        cfg, s, ctx = args.config, args.spec, args.ctx
        mine = pulumi.ResourceOptions(parent=self)
        retention = cfg.effective_log_retention_days
        trail_name = ctx.name("trail")

        keys = Keys("keys", KeysArgs(ctx=ctx, trail_name=trail_name), opts=mine)
        audit = Audit(
            "audit",
            AuditArgs(
                ctx=ctx,
                spec=s,
                trail_name=trail_name,
                logs_key_arn=keys.arn("logs"),
                audit_key_arn=keys.arn("audit"),
                log_retention_days=retention,
                object_lock_years=cfg.effective_object_lock_years,
                alarm_email=cfg.alarm_email,
            ),
            opts=mine,
        )
        network = Network(
            "network",
            NetworkArgs(
                ctx=ctx, spec=s, vpc_cidr=cfg.vpc_cidr, logs_key_arn=keys.arn("logs"), log_retention_days=retention
            ),
            opts=mine,
        )
        sgs = network.security_groups
        FlowRules(
            "flows",
            FlowRulesArgs(
                ctx=ctx,
                spec=s,
                security_groups=sgs,
                client_cidrs=cfg.client_cidrs,
                s3_prefix_list_id=network.s3_prefix_list_id,
            ),
            opts=mine,
        )
        secrets = Secrets(
            "secrets",
            SecretsArgs(
                ctx=ctx, secrets_key_arn=keys.arn("secrets"), rotation_lambda_arn=cfg.secret_rotation_lambda_arn
            ),
            opts=mine,
        )
        tiers = {role: host.tier for role, host in s.topology.hosts.items()}
        database = Database(
            "database",
            DatabaseArgs(
                ctx=ctx,
                spec=s,
                subnet_ids=[sn.id for sn in network.subnets[tiers["db"]]],
                security_group_id=sgs["db"].id,
                data_key_arn=keys.arn("data"),
                secrets_key_arn=keys.arn("secrets"),
                logs_key_arn=keys.arn("logs"),
                log_retention_days=retention,
                instance_class=cfg.db_instance_class,
                allocated_storage=cfg.db_allocated_storage,
                backup_retention_days=cfg.backup_retention_days,
                multi_az=cfg.multi_az,
                deletion_protection=cfg.deletion_protection,
                final_snapshot=cfg.final_snapshot,
            ),
            opts=mine,
        )
        edge = Edge(
            "edge",
            EdgeArgs(
                ctx=ctx,
                spec=s,
                domain_name=cfg.domain_name,
                hosted_zone_id=cfg.hosted_zone_id,
                certificate_arn=cfg.certificate_arn,
                ssl_policy=cfg.stack_ssl_policy,
                vpc_id=network.vpc.id,
                public_subnet_ids=[sn.id for sn in network.subnets[tiers["edge"]]],
                security_group_id=sgs["edge"].id,
                access_log_bucket=audit.access_log_bucket.id,
                access_log_dependency=audit.access_log_bucket_policy,
                deletion_protection=cfg.deletion_protection,
            ),
            opts=mine,
        )
        waf = Waf(
            "waf",
            WafArgs(
                ctx=ctx,
                spec=s,
                alb_arn=edge.alb.arn,
                rate_limit=cfg.rate_limit_per_5min,
                logs_key_arn=keys.arn("logs"),
                log_retention_days=retention,
            ),
            opts=mine,
        )
        artifacts = Artifacts(
            "artifacts",
            ArtifactsArgs(
                ctx=ctx,
                artifacts_key_arn=keys.arn("artifacts"),
                s3_endpoint_id=network.s3_endpoint_id,
                access_log_bucket=audit.access_log_bucket.id,
                writer_arns=cfg.artifacts_writer_arns,
            ),
            opts=mine,
        )
        hosts = Hosts(
            "hosts",
            HostsArgs(
                ctx=ctx,
                spec=s,
                subnet_ids=[sn.id for sn in network.subnets[tiers["fhir"]]],
                security_groups={role: sgs[role].id for role in edge.target_groups},
                target_groups={role: tg.arn for role, tg in edge.target_groups.items()},
                secret_arns={role: secrets.arns_for(role) for role in edge.target_groups},
                log_group_arns={role: lg.arn for role, lg in audit.app_log_groups.items()},
                secrets_key_arn=keys.arn("secrets"),
                hosts_key_arn=keys.arn("hosts"),
                access_log_bucket=audit.access_log_bucket.id,
                db_resource_id=database.instance.resource_id,
                artifacts_bucket_arn=artifacts.bucket.arn,
                artifacts_key_arn=keys.arn("artifacts"),
                instance_type=cfg.host_instance_type,
                hosts_per_tier=cfg.hosts_per_tier,
                ami_id=cfg.ami_id,
            ),
            opts=mine,
        )
        self.outputs = {
            "fhir_base_url": edge.fhir_base_url,
            "smart_config_url": edge.smart_config_url,
            "alb_arn": edge.alb.arn,
            "alb_dns_name": edge.alb.dns_name,
            "https_listener_arn": edge.https_listener.arn,
            "http_listener_arn": edge.http_listener.arn,
            "web_acl_arn": waf.web_acl.arn,
            "cloudtrail_arn": audit.trail.arn,
            "audit_bucket_name": audit.audit_bucket.bucket,
            "access_log_bucket_name": audit.access_log_bucket.bucket,
            "db_instance_identifier": database.instance.identifier,
            "db_parameter_group_name": database.parameter_group.name,
            "fhir_asg_name": hosts.groups["fhir"].name,
            "idp_asg_name": hosts.groups["idp"].name,
            "vpc_id": network.vpc.id,
            "flow_log_group_name": network.flow_log_group.name,
            "waf_log_group_name": waf.log_group.name,
            "alarm_topic_arn": audit.alarm_topic.arn,
            "kms_key_arns": keys.arns,
            "app_log_group_names": [lg.name for lg in audit.app_log_groups.values()],
            "artifacts_bucket_name": artifacts.bucket.bucket,
            "ssm_transfer_bucket_name": hosts.ssm_transfer_bucket.bucket,
        }
        self.register_outputs(self.outputs)


def build(cfg: StackConfig) -> FhirStack:
    opt_outs = opt_out_tags(cfg.opt_out.model_dump(by_alias=True))
    ctx = AwsContext.lookup(
        pulumi.get_stack(),
        cfg.az_count,
        environment=cfg.environment,
        opt_out_tags=opt_outs,
        permissions_boundary_arn=cfg.permissions_boundary_arn,
    )
    check_accounts(cfg, ctx)
    return FhirStack("fhirfort", FhirStackArgs(config=cfg, spec=spec(), ctx=ctx))


def check_accounts(cfg: StackConfig, ctx: AwsContext) -> None:
    """ARNs in the config must name the account the program deploys into (checked before any resource)."""
    named = [("permissionsBoundaryArn", cfg.permissions_boundary_arn)]
    named += [("artifactsWriterArns", arn) for arn in cfg.artifacts_writer_arns]
    for key, arn in named:
        if arn is not None and arn.split(":")[4] != ctx.account_id:
            raise ConfigError(f"{NAMESPACE}:{key}: {arn!r} is not in the deploying account {ctx.account_id}")


def run_program() -> None:
    """The whole program: validate config (before any resource), build the stack, export the contract."""
    cfg = load_config()
    stack = build(cfg)
    for name, value in stack.outputs.items():
        pulumi.export(name, value)
