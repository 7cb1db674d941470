"""AWS WAFv2 web ACLs in front of every ALB (WAF-*)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from . import types as t
from ._base import MANDATORY, FhirfortResourcePolicy, FhirfortStackPolicy, Res, Stack, as_list, exceptions, parameter


def _managed(rule: Mapping[str, Any]) -> Mapping[str, Any] | None:
    statement = rule.get("statement") or {}
    group = statement.get("managedRuleGroupStatement")
    return group if isinstance(group, Mapping) else None


def _label_blocked(r: Res, label: str) -> bool:
    """Does a blocking rule of the ACL match requests carrying `label` (directly or inside and/or/not)?"""

    def mentions(statement: Any) -> bool:
        if isinstance(statement, Mapping):
            match = statement.get("labelMatchStatement")
            if isinstance(match, Mapping) and match.get("key") == label:
                return True
            return any(mentions(v) for v in statement.values())
        if isinstance(statement, Sequence) and not isinstance(statement, str):
            return any(mentions(v) for v in statement)
        return False

    return any(
        (rule.get("action") or {}).get("block") is not None and mentions(rule.get("statement"))
        for rule in as_list(r.get("rules"))
    )


def _count_allowed(r: Res, group: str, rule: str) -> bool:
    """A documented exception applies only with its compensating blocking rule in the same ACL."""
    return any(
        e.get("group") == group and e.get("rule") == rule and _label_blocked(r, e.get("blocked_label", ""))
        for e in exceptions("WAF-02")
    )


def _no_count_overrides(r: Res) -> Iterator[str]:
    for rule in as_list(r.get("rules")):
        group = _managed(rule)
        if group is None:
            continue
        gname = group.get("name")
        if (rule.get("overrideAction") or {}).get("count") is not None:
            yield f"managed rule group {gname} runs in count mode (overrideAction count): it blocks nothing"
        for override in as_list(group.get("ruleActionOverrides")):
            action = override.get("actionToUse") or {}
            if action.get("count") is not None and not _count_allowed(r, str(gname), str(override.get("name"))):
                yield (
                    f"rule {override.get('name')} of {gname} is overridden to count; only the exceptions "
                    "documented in spec/controls.yaml WAF-02 may be"
                )


def _rate_limit(r: Res) -> Iterator[str]:
    for rule in as_list(r.get("rules")):
        if (rule.get("statement") or {}).get("rateBasedStatement") and (rule.get("action") or {}).get(
            "block"
        ) is not None:
            return
    yield "the web ACL has no blocking rate-based rule"


def _baseline_groups(r: Res) -> Iterator[str]:
    present = {str(g.get("name")) for g in (_managed(rule) for rule in as_list(r.get("rules"))) if g is not None}
    missing = [g for g in parameter("WAF-06", "required_rule_groups") if g not in present]
    if missing:
        yield f"the web ACL lacks the managed rule groups {', '.join(missing)}"


def _redaction(r: Res) -> Iterator[str]:
    redacted = {str(prop.get("singleHeader", {}).get("name", "")).lower() for prop in as_list(r.get("redactedFields"))}
    for header in parameter("WAF-05", "redacted_headers"):
        if header not in redacted:
            yield f"WAF logs do not redact the {header} header (bearer tokens and session cookies would be logged)"


def _every_alb_protected(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    for lb in stack.of(*t.LB):
        if lb.get("loadBalancerType", "application") != "application":
            continue
        assocs = stack.referrers(lb, "resourceArn", t.WEB_ACL_ASSOCIATION)
        if not any(stack.referenced(a, "webAclArn", t.WEB_ACL) for a in assocs):
            yield f"load balancer {lb.name} is not associated with a web ACL of this stack", lb


def _every_acl_logged(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    for acl in stack.of(t.WEB_ACL):
        if not stack.referrers(acl, "resourceArn", t.WEB_ACL_LOGGING):
            yield f"web ACL {acl.name} has no logging configuration", acl


POLICIES = [
    FhirfortStackPolicy(
        name="waf-01-alb-associated",
        enforcement_level=MANDATORY,
        control="WAF-01",
        types=(*t.LB, t.WEB_ACL_ASSOCIATION),
        summary="Every application load balancer is associated with a WAFv2 web ACL.",
        check=_every_alb_protected,
        remediation="Add aws:wafv2/webAclAssociation:WebAclAssociation(resourceArn=alb.arn, webAclArn=acl.arn).",
    ),
    FhirfortResourcePolicy(
        name="waf-02-managed-rules-not-count",
        enforcement_level=MANDATORY,
        control="WAF-02",
        types=(t.WEB_ACL,),
        summary="Managed rule groups block: no group in count mode, no rule overridden to count beyond the catalogue.",
        check=_no_count_overrides,
        remediation="Use overrideAction none; scope false positives with a scope-down rule or a catalogued exception.",
    ),
    FhirfortResourcePolicy(
        name="waf-03-rate-based-rule",
        enforcement_level=MANDATORY,
        control="WAF-03",
        types=(t.WEB_ACL,),
        summary="The web ACL has a blocking rate-based rule.",
        check=_rate_limit,
        remediation="Add a rule with rateBasedStatement {limit, aggregateKeyType: IP} and action block.",
    ),
    FhirfortStackPolicy(
        name="waf-04-logging-configured",
        enforcement_level=MANDATORY,
        control="WAF-04",
        types=(t.WEB_ACL, t.WEB_ACL_LOGGING),
        summary="Every web ACL has a logging configuration.",
        check=_every_acl_logged,
        remediation="Add aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration for the web ACL.",
    ),
    FhirfortResourcePolicy(
        name="waf-05-log-redaction",
        enforcement_level=MANDATORY,
        control="WAF-05",
        types=(t.WEB_ACL_LOGGING,),
        summary="WAF logs redact the authorization and cookie headers.",
        check=_redaction,
        remediation="Add redactedFields singleHeader {name: authorization} and {name: cookie}.",
    ),
    FhirfortResourcePolicy(
        name="waf-06-baseline-rule-groups",
        enforcement_level=MANDATORY,
        control="WAF-06",
        types=(t.WEB_ACL,),
        summary="The web ACL includes the baseline AWS managed rule groups named in the catalogue.",
        check=_baseline_groups,
        remediation="Add the missing managedRuleGroupStatement rules (vendorName AWS).",
    ),
]
