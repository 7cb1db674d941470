"""Application load balancer, listeners and target groups (ELB-*)."""

from __future__ import annotations

from collections.abc import Iterator

from fhirfort.spec import spec

from . import types as t
from ._base import MANDATORY, FhirfortResourcePolicy, Res, as_list, is_true


def _application(r: Res) -> bool:
    return r.get("loadBalancerType", "application") == "application"


def _https_listener_policy(r: Res) -> Iterator[str]:
    if str(r.get("protocol", "")).upper() not in ("HTTPS", "TLS"):
        return
    allowed = spec().tls.alb.allowed_policies
    policy = r.get("sslPolicy")
    if policy not in allowed:
        yield f"sslPolicy {policy!r} is not one of spec tls.alb.allowed_policies ({', '.join(allowed)})"
    if not r.get("certificateArn"):
        yield "the TLS listener has no certificateArn (an ACM certificate is required)"


def _plaintext_redirects_only(r: Res) -> Iterator[str]:
    protocol = str(r.get("protocol", "")).upper()
    if protocol in ("HTTPS", "TLS"):
        return
    if protocol != "HTTP":
        yield f"listener protocol {protocol or '(unset)'} carries traffic unencrypted; use HTTPS"
        return
    actions = as_list(r.get("defaultActions"))
    if not actions:
        yield "the HTTP listener has no default action; it must redirect to HTTPS"
    for action in actions:
        if (
            action.get("type") != "redirect"
            or str((action.get("redirect") or {}).get("protocol", "")).upper() != "HTTPS"
        ):
            yield f"the HTTP listener's default action {action.get('type')!r} does not redirect to HTTPS"


def _drop_invalid_headers(r: Res) -> Iterator[str]:
    if _application(r) and not is_true(r.get("dropInvalidHeaderFields")):
        yield "dropInvalidHeaderFields is not true: malformed headers reach the targets"


def _desync_strictest(r: Res) -> Iterator[str]:
    if _application(r) and r.get("desyncMitigationMode") != "strictest":
        yield f"desyncMitigationMode is {r.get('desyncMitigationMode', 'defensive (default)')!r}, not 'strictest'"


def _access_logs(r: Res) -> Iterator[str]:
    if not is_true(r.get("accessLogs.enabled")) or not r.get("accessLogs.bucket"):
        yield "access logs are not enabled to an S3 bucket"


def _deletion_protection(r: Res) -> Iterator[str]:
    if r.prod and not is_true(r.get("enableDeletionProtection")):
        yield "enableDeletionProtection is off in a prod stack"


def _target_group_tls(r: Res) -> Iterator[str]:
    if r.get("targetType") == "lambda":
        return
    if str(r.get("protocol", "")).upper() != "HTTPS":
        yield f"target group protocol is {r.get('protocol')!r}: the ALB must reach FHIR and IdP hosts over HTTPS"
    hc = r.get("healthCheck.protocol")
    if hc is not None and str(hc).upper() != "HTTPS":
        yield f"health checks use {hc!r}, not HTTPS"


POLICIES = [
    FhirfortResourcePolicy(
        name="elb-01-https-listener-tls-policy",
        enforcement_level=MANDATORY,
        control="ELB-01",
        types=t.LISTENER,
        summary="HTTPS listeners use an ALB TLS policy from spec tls.alb.allowed_policies and an ACM certificate.",
        check=_https_listener_policy,
        remediation="Set sslPolicy to spec tls.alb.default_policy (or the FIPS policy) and certificateArn.",
    ),
    FhirfortResourcePolicy(
        name="elb-02-plaintext-listener-redirects",
        enforcement_level=MANDATORY,
        control="ELB-02",
        types=t.LISTENER,
        summary="Plain HTTP listeners only redirect to HTTPS; no other plaintext listener exists.",
        check=_plaintext_redirects_only,
        remediation="Make the HTTP listener's only default action a redirect with protocol HTTPS (HTTP_301).",
    ),
    FhirfortResourcePolicy(
        name="elb-03-drop-invalid-headers",
        enforcement_level=MANDATORY,
        control="ELB-03",
        types=t.LB,
        summary="Application load balancers drop invalid HTTP header fields.",
        check=_drop_invalid_headers,
        remediation="Set dropInvalidHeaderFields true.",
    ),
    FhirfortResourcePolicy(
        name="elb-04-desync-strictest",
        enforcement_level=MANDATORY,
        control="ELB-04",
        types=t.LB,
        summary="Application load balancers use the strictest HTTP desync mitigation mode.",
        check=_desync_strictest,
        remediation="Set desyncMitigationMode 'strictest'.",
    ),
    FhirfortResourcePolicy(
        name="elb-05-access-logs",
        enforcement_level=MANDATORY,
        control="ELB-05",
        types=t.LB,
        summary="Load balancers write access logs to S3.",
        check=_access_logs,
        remediation="Set accessLogs {enabled: true, bucket: <the ALB log bucket>}.",
    ),
    FhirfortResourcePolicy(
        name="elb-06-deletion-protection-prod",
        enforcement_level=MANDATORY,
        control="ELB-06",
        types=t.LB,
        summary="Load balancers in prod stacks have deletion protection.",
        check=_deletion_protection,
        remediation="Set enableDeletionProtection true (stack config for prod).",
    ),
    FhirfortResourcePolicy(
        name="elb-07-target-group-https",
        enforcement_level=MANDATORY,
        control="ELB-07",
        types=t.TARGET_GROUP,
        summary="Target groups forward and health-check over HTTPS (TLS to the FHIR and IdP hosts).",
        check=_target_group_tls,
        remediation="Set protocol HTTPS and healthCheck.protocol HTTPS on the target group.",
    ),
]
