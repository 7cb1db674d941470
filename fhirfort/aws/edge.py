"""TLS edge: ACM certificate, internet-facing ALB, listeners, target groups and path rules.

- HTTPS listener with the TLS policy chosen from spec/tls.yaml (config picks only from allowed_policies);
  HTTP listener answers only 301 to HTTPS; anything no rule matches gets a fixed 404.
- TLS end to end: target groups speak HTTPS to HAPI and Keycloak, with HTTPS health checks.
- Path rules: the FHIR base path (`{base}` and `{base}/*`, narrower than `{base}*`) and the root SMART
  discovery document go to HAPI; `/realms/*` and `/resources/*` go to Keycloak; Keycloak's admin
  surface (`/admin*`, the `master` realm, admin console resources) is answered 403 first: never public.
- ALB hardening: invalid header fields dropped, strictest desync mitigation, deletion protection (unless
  `optOut.deletionProtection`), access logs to the access-log bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from fhirfort.aws.audit import ALB_LOG_PREFIX
from fhirfort.aws.common import AwsContext, child
from fhirfort.spec import Spec

SMART_WELL_KNOWN = "/.well-known/smart-configuration"
ADMIN_PATHS = ("/admin*", "/realms/master", "/realms/master/*", "/resources/*/admin/*")
IDP_PATHS = ("/realms/*", "/resources/*")


def fhir_paths(s: Spec) -> tuple[str, ...]:
    base = s.identity.fhir_base_path
    return (base, f"{base}/*", SMART_WELL_KNOWN)


def _fixed(status: int, body: str) -> dict[str, Any]:
    return {
        "type": "fixed-response",
        "fixed_response": {"content_type": "text/plain", "status_code": str(status), "message_body": body},
    }


@dataclass
class EdgeArgs:
    ctx: AwsContext
    spec: Spec
    domain_name: str
    hosted_zone_id: str | None
    certificate_arn: str | None
    ssl_policy: str
    vpc_id: pulumi.Input[str]
    public_subnet_ids: list[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    access_log_bucket: pulumi.Input[str]
    access_log_dependency: pulumi.Resource
    deletion_protection: bool


class Edge(pulumi.ComponentResource):
    alb: aws.lb.LoadBalancer
    https_listener: aws.lb.Listener
    http_listener: aws.lb.Listener
    target_groups: dict[str, aws.lb.TargetGroup]  # host role -> target group
    fhir_base_url: str
    smart_config_url: str

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:Edge", name, None, opts)
        ctx, s = args.ctx, args.spec
        certificate_arn = self._certificate(args)
        self.alb = aws.lb.LoadBalancer(
            "alb",
            load_balancer_type="application",
            internal=False,
            ip_address_type="ipv4",
            subnets=args.public_subnet_ids,
            security_groups=[args.security_group_id],
            drop_invalid_header_fields=True,
            desync_mitigation_mode="strictest",
            enable_deletion_protection=args.deletion_protection,
            enable_http2=True,
            preserve_host_header=True,
            xff_header_processing_mode="append",
            access_logs={"bucket": args.access_log_bucket, "prefix": ALB_LOG_PREFIX, "enabled": True},
            tags=ctx.tags(Name=ctx.name("alb"), **ctx.opt_out("ELB-06")),
            opts=child(self, depends_on=[args.access_log_dependency]),
        )
        realm = s.identity.realm
        health = {
            "fhir": f"{s.identity.fhir_base_path}/metadata",
            "idp": f"/realms/{realm}/.well-known/openid-configuration",
        }
        ports = {"fhir": s.port("fhir_https"), "idp": s.port("idp_https")}
        self.target_groups = {
            role: aws.lb.TargetGroup(
                f"tg-{role}",
                port=ports[role],
                protocol="HTTPS",
                protocol_version="HTTP1",
                target_type="instance",
                vpc_id=args.vpc_id,
                deregistration_delay=30,
                health_check={
                    "enabled": True,
                    "protocol": "HTTPS",
                    "port": "traffic-port",
                    "path": health[role],
                    "matcher": "200",
                    "healthy_threshold": 3,
                    "unhealthy_threshold": 3,
                    "interval": 30,
                    "timeout": 10,
                },
                tags=ctx.tags(**{"fhirfort:role": role}),
                opts=child(self),
            )
            for role in ("fhir", "idp")
        }
        self.https_listener = aws.lb.Listener(
            "https",
            load_balancer_arn=self.alb.arn,
            port=s.port("https"),
            protocol="HTTPS",
            ssl_policy=args.ssl_policy,
            certificate_arn=certificate_arn,
            default_actions=[_fixed(404, "Not Found")],
            tags=ctx.tags(),
            opts=child(self),
        )
        self.http_listener = aws.lb.Listener(
            "http",
            load_balancer_arn=self.alb.arn,
            port=s.port("http_redirect"),
            protocol="HTTP",
            default_actions=[
                {
                    "type": "redirect",
                    "redirect": {"protocol": "HTTPS", "port": str(s.port("https")), "status_code": "HTTP_301"},
                }
            ],
            tags=ctx.tags(),
            opts=child(self),
        )
        rules: list[tuple[str, int, tuple[str, ...], dict[str, Any]]] = [
            ("rule-idp-admin-403", 10, ADMIN_PATHS, _fixed(403, "Forbidden")),
            ("rule-fhir", 20, fhir_paths(s), {"type": "forward", "target_group_arn": self.target_groups["fhir"].arn}),
            ("rule-idp", 30, IDP_PATHS, {"type": "forward", "target_group_arn": self.target_groups["idp"].arn}),
        ]
        for rule_name, priority, paths, action in rules:
            aws.lb.ListenerRule(
                rule_name,
                listener_arn=self.https_listener.arn,
                priority=priority,
                conditions=[{"path_pattern": {"values": list(paths)}}],
                actions=[action],
                tags=ctx.tags(),
                opts=child(self),
            )
        if args.hosted_zone_id is not None:
            aws.route53.Record(
                "alias",
                zone_id=args.hosted_zone_id,
                name=args.domain_name,
                type="A",
                aliases=[{"name": self.alb.dns_name, "zone_id": self.alb.zone_id, "evaluate_target_health": True}],
                opts=child(self),
            )
        self.fhir_base_url = f"https://{args.domain_name}{s.identity.fhir_base_path}"
        self.smart_config_url = f"{self.fhir_base_url}{SMART_WELL_KNOWN}"
        self.register_outputs({"alb_arn": self.alb.arn, "fhir_base_url": self.fhir_base_url})

    def _certificate(self, args: EdgeArgs) -> pulumi.Input[str]:
        if args.certificate_arn is not None:
            return args.certificate_arn
        cert = aws.acm.Certificate(
            "certificate",
            domain_name=args.domain_name,
            validation_method="DNS",
            key_algorithm="RSA_2048",
            options={"certificate_transparency_logging_preference": "ENABLED"},
            tags=args.ctx.tags(),
            opts=child(self, protect=False),
        )
        option = cert.domain_validation_options[0]
        record = aws.route53.Record(
            "certificate-validation-record",
            zone_id=args.hosted_zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            allow_overwrite=True,
            opts=child(self),
        )
        validation = aws.acm.CertificateValidation(
            "certificate-validation",
            certificate_arn=cert.arn,
            validation_record_fqdns=[record.fqdn],
            opts=child(self),
        )
        return validation.certificate_arn
