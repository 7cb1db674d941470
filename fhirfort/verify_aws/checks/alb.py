"""ALB controls (ELB-01..05): the TLS policy of the HTTPS listener, the HTTP listener's redirect, and the
load balancer's request-hygiene and logging attributes. Allowed policies come from spec/tls.yaml."""

from __future__ import annotations

from typing import Any

from fhirfort.spec import spec
from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, failed, verdict


def _listener(ctx: CheckContext, arn: str) -> dict[str, Any]:
    def fetch() -> dict[str, Any]:
        return dict(ctx.client("elbv2").describe_listeners(ListenerArns=[arn])["Listeners"][0])

    return ctx.memo(f"elbv2.listener.{arn}", fetch)


def check_https_listener_policy(ctx: CheckContext) -> CheckResult:
    title = "HTTPS listener uses an allowed TLS policy"
    allowed = spec().tls.alb.allowed_policies
    listener = _listener(ctx, ctx.outputs.https_listener_arn)
    problems = []
    if listener.get("Protocol") != "HTTPS":
        problems.append(f"protocol is {listener.get('Protocol')}, not HTTPS")
    if listener.get("Port") != spec().port("https"):
        problems.append(f"port is {listener.get('Port')}, not {spec().port('https')}")
    if listener.get("LoadBalancerArn") != ctx.outputs.alb_arn:
        problems.append("the listener belongs to another load balancer")
    policy = listener.get("SslPolicy")
    if policy not in allowed:
        problems.append(f"SSL policy {policy} is not in spec tls.alb.allowed_policies")
    return verdict("ELB-01", title, problems, f"{policy} on port {listener.get('Port')}")


def _redirect_problems(action: dict[str, Any], where: str) -> list[str]:
    if action.get("Type") != "redirect":
        return [f"{where} is {action.get('Type')}, not a redirect"]
    config = action.get("RedirectConfig") or {}
    problems = []
    if config.get("StatusCode") != "HTTP_301":
        problems.append(f"{where} answers {config.get('StatusCode')}, not HTTP_301")
    if config.get("Protocol") != "HTTPS":
        problems.append(f"{where} redirects to {config.get('Protocol')}, not HTTPS")
    if str(config.get("Port", "#{port}")) not in (str(spec().port("https")), "#{port}"):
        problems.append(f"{where} redirects to port {config.get('Port')}")
    return problems


def check_http_listener_redirects(ctx: CheckContext) -> CheckResult:
    title = "HTTP listener only redirects (301) to HTTPS"
    listener = _listener(ctx, ctx.outputs.http_listener_arn)
    if listener.get("Protocol") != "HTTP":
        return failed("ELB-02", title, f"listener protocol is {listener.get('Protocol')}, not HTTP")
    problems = [p for a in listener.get("DefaultActions") or [] for p in _redirect_problems(a, "default action")]
    rules = ctx.client("elbv2").describe_rules(ListenerArn=ctx.outputs.http_listener_arn)["Rules"]
    for rule in rules:
        if rule.get("IsDefault"):
            continue
        for action in rule.get("Actions") or []:
            problems += _redirect_problems(action, f"rule priority {rule.get('Priority')}")
    return verdict("ELB-02", title, problems, "every path answers 301 to HTTPS")


def _attributes(ctx: CheckContext) -> dict[str, str]:
    def fetch() -> dict[str, str]:
        elbv2 = ctx.client("elbv2")
        raw = elbv2.describe_load_balancer_attributes(LoadBalancerArn=ctx.outputs.alb_arn)["Attributes"]
        return {a["Key"]: a["Value"] for a in raw}

    return ctx.memo("elbv2.attributes", fetch)


def _attribute_problems(ctx: CheckContext, wanted: dict[str, str]) -> list[str]:
    attrs = _attributes(ctx)
    return [f"{k}={attrs.get(k, '(unset)')} (want {v})" for k, v in wanted.items() if attrs.get(k) != v]


def check_alb_drop_invalid_headers(ctx: CheckContext) -> CheckResult:
    problems = _attribute_problems(ctx, {"routing.http.drop_invalid_header_fields.enabled": "true"})
    return verdict("ELB-03", "The ALB drops invalid header fields", problems, "drop_invalid_header_fields on")


def check_alb_desync_strictest(ctx: CheckContext) -> CheckResult:
    problems = _attribute_problems(ctx, {"routing.http.desync_mitigation_mode": "strictest"})
    return verdict("ELB-04", "Desync mitigation strictest", problems, "strictest")


def check_alb_access_logs(ctx: CheckContext) -> CheckResult:
    bucket = ctx.outputs.access_log_bucket_name
    problems = _attribute_problems(ctx, {"access_logs.s3.enabled": "true", "access_logs.s3.bucket": bucket})
    return verdict("ELB-05", "The ALB writes access logs to the stack's log bucket", problems, f"to {bucket}")
