"""WAF controls of the edge (WAF-01..06): the WebACL in front of the ALB and what its rules really do.

The documented exceptions of WAF-02 come from spec/controls.yaml (`exceptions` of WAF-02): today one,
`AWSManagedRulesCommonRuleSet`/`SizeRestrictions_BODY` in Count, accepted only when a later rule of the
same WebACL blocks the label that rule emits (so oversized bodies stay blocked outside the scoped FHIR
bundle POST). Any other rule or group overridden to Count (or Allow) fails WAF-02.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fhirfort.compliance.controls import Waiver, catalogue
from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, failed, passed, verdict

ENFORCING_ACTIONS = frozenset({"Block", "Captcha", "Challenge"})


def _count_exceptions() -> tuple[Waiver, ...]:
    return catalogue().controls["WAF-02"].exceptions


def _web_acl_for_alb(ctx: CheckContext) -> dict[str, Any] | None:
    def fetch() -> dict[str, Any] | None:
        answer = ctx.client("wafv2").get_web_acl_for_resource(ResourceArn=ctx.outputs.alb_arn)
        return answer.get("WebACL")

    return ctx.memo("waf.acl_for_alb", fetch)


def _web_acl(ctx: CheckContext) -> dict[str, Any]:
    """The WebACL named by the outputs (whether or not it is associated)."""

    def fetch() -> dict[str, Any]:
        # arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>
        scope_part, _, name, acl_id = ctx.outputs.web_acl_arn.split(":", 5)[5].split("/")
        scope = "REGIONAL" if scope_part == "regional" else "CLOUDFRONT"
        return dict(ctx.client("wafv2").get_web_acl(Name=name, Scope=scope, Id=acl_id)["WebACL"])

    return ctx.memo("waf.acl", fetch)


def _statements(node: Any) -> Iterator[Mapping[str, Any]]:
    """Every nested statement (And/Or/Not, scope-down) of a rule statement."""
    if isinstance(node, Mapping):
        yield node
        for value in node.values():
            yield from _statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from _statements(item)


def _blocks_label_after(rules: list[Mapping[str, Any]], label: str, priority: int) -> bool:
    """A Block rule evaluated after `priority` matches the label (labels exist only once emitted)."""
    return any(
        "Block" in (r.get("Action") or {})
        and int(r.get("Priority", -1)) > priority
        and any((s.get("LabelMatchStatement") or {}).get("Key") == label for s in _statements(r.get("Statement")))
        for r in rules
    )


def check_waf_association(ctx: CheckContext) -> CheckResult:
    title = "The ALB is behind the stack's WAFv2 WebACL"
    acl = _web_acl_for_alb(ctx)
    if acl is None:
        return failed("WAF-01", title, f"no WebACL is associated with {ctx.outputs.alb_arn}")
    if acl.get("ARN") != ctx.outputs.web_acl_arn:
        return failed("WAF-01", title, f"the ALB carries {acl.get('ARN')}, not the stack's {ctx.outputs.web_acl_arn}")
    return passed("WAF-01", title, f"{acl['Name']} protects the ALB")


def _group_problems(rule: Mapping[str, Any], rules: list[Mapping[str, Any]]) -> list[str]:
    group = rule["Statement"]["ManagedRuleGroupStatement"]
    label = f"rule {rule['Name']} ({group.get('VendorName')}/{group.get('Name')})"
    problems: list[str] = []
    override = rule.get("OverrideAction") or {}
    if "None" not in override:
        problems.append(f"{label} is overridden to {'/'.join(override) or 'nothing'} (must be None)")
    weakened = [
        (o.get("Name"), next(iter(o.get("ActionToUse") or {}), "?"))
        for o in group.get("RuleActionOverrides") or []
        if not ENFORCING_ACTIONS.intersection(o.get("ActionToUse") or {})
    ]
    weakened += [(e.get("Name"), "Count") for e in group.get("ExcludedRules") or []]
    for name, action in weakened:
        exception = next(
            (
                w
                for w in _count_exceptions()
                if w.match.get("group") == group.get("Name") and w.match.get("rule") == name
            ),
            None,
        )
        if exception is None or action != "Count":
            problems.append(f"{label}: rule {name} overridden to {action}")
        elif not _blocks_label_after(rules, exception.match["blocked_label"], int(rule.get("Priority", 0))):
            problems.append(
                f"{label}: {name} is in Count (exception {exception.id}) but no later rule blocks label "
                f"{exception.match['blocked_label']}: the exception is not scoped"
            )
    return problems


def check_waf_managed_rules(ctx: CheckContext) -> CheckResult:
    title = "Managed rule groups block (Count only for the documented, scoped exceptions)"
    rules = _web_acl(ctx).get("Rules") or []
    groups = [r for r in rules if "ManagedRuleGroupStatement" in (r.get("Statement") or {})]
    if not groups:
        return failed("WAF-02", title, "the WebACL has no managed rule groups")
    problems = [p for g in groups for p in _group_problems(g, rules)]
    names = ", ".join(g["Statement"]["ManagedRuleGroupStatement"]["Name"] for g in groups)
    return verdict("WAF-02", title, problems, f"{len(groups)} managed groups enforce: {names}")


def check_waf_rate_rule(ctx: CheckContext) -> CheckResult:
    title = "A rate-based rule blocks floods"
    rules = _web_acl(ctx).get("Rules") or []
    rate = [r for r in rules if "RateBasedStatement" in (r.get("Statement") or {})]
    if not rate:
        return failed("WAF-03", title, "no rate-based rule in the WebACL")
    blocking = [r for r in rate if ENFORCING_ACTIONS.intersection(r.get("Action") or {})]
    if not blocking:
        return failed("WAF-03", title, f"rate rule(s) {[r['Name'] for r in rate]} only count")
    limits = ", ".join(f"{r['Name']}={r['Statement']['RateBasedStatement'].get('Limit')}" for r in blocking)
    return passed("WAF-03", title, f"blocking rate rule(s): {limits}")


def check_waf_default_action(ctx: CheckContext) -> CheckResult:
    """Block is accepted as is; Allow only behind at least one enforcing managed group and rate rule."""
    title = "Default action Block, or Allow only behind blocking rules"
    acl = _web_acl(ctx)
    action = next(iter(acl.get("DefaultAction") or {}), None)
    if action == "Block":
        return passed("WAF-02", title, "default Block (allow-list WebACL)")
    if action != "Allow":
        return failed("WAF-02", title, f"unexpected default action {acl.get('DefaultAction')}")
    rules = acl.get("Rules") or []
    enforcing_group = any(
        "ManagedRuleGroupStatement" in (r.get("Statement") or {}) and "None" in (r.get("OverrideAction") or {})
        for r in rules
    )
    blocking_rate = any(
        "RateBasedStatement" in (r.get("Statement") or {}) and ENFORCING_ACTIONS.intersection(r.get("Action") or {})
        for r in rules
    )
    if enforcing_group and blocking_rate:
        return passed("WAF-02", title, "default Allow behind enforcing managed groups and a blocking rate rule")
    return failed("WAF-02", title, "default Allow with no enforcing managed group or no blocking rate rule before it")


def _logging(ctx: CheckContext) -> dict[str, Any] | None:
    def fetch() -> dict[str, Any] | None:
        wafv2 = ctx.client("wafv2")
        try:
            return dict(wafv2.get_logging_configuration(ResourceArn=ctx.outputs.web_acl_arn)["LoggingConfiguration"])
        except wafv2.exceptions.WAFNonexistentItemException:
            return None

    return ctx.memo("waf.logging", fetch)


def check_waf_logging(ctx: CheckContext) -> CheckResult:
    title = "The WebACL logs to the stack's WAF log group"
    config = _logging(ctx)
    if config is None:
        return failed("WAF-04", title, "the WebACL has no logging configuration")
    wanted = f":log-group:{ctx.outputs.waf_log_group_name}"
    destinations = config.get("LogDestinationConfigs") or []
    if not any(d.removesuffix(":*").endswith(wanted) for d in destinations):
        return failed("WAF-04", title, f"logs go to {destinations}, not {ctx.outputs.waf_log_group_name}")
    return passed("WAF-04", title, f"logging to {ctx.outputs.waf_log_group_name}")


def check_waf_log_redaction(ctx: CheckContext) -> CheckResult:
    title = "WAF logs redact credentials"
    wanted = [h.lower() for h in catalogue().controls["WAF-05"].parameters.get("redacted_headers", [])]
    config = _logging(ctx)
    if config is None:
        return failed("WAF-05", title, "the WebACL has no logging configuration (nothing to redact)")
    redacted = {
        str(field["SingleHeader"]["Name"]).lower()
        for field in config.get("RedactedFields") or []
        if "SingleHeader" in field
    }
    missing = [h for h in wanted if h not in redacted]
    return verdict("WAF-05", title, [f"header {h} is not redacted" for h in missing], f"redacted: {', '.join(wanted)}")


def check_waf_baseline_groups(ctx: CheckContext) -> CheckResult:
    title = "Baseline AWS managed rule groups are in place"
    wanted = catalogue().controls["WAF-06"].parameters.get("required_rule_groups", [])
    present = {
        r["Statement"]["ManagedRuleGroupStatement"].get("Name")
        for r in _web_acl(ctx).get("Rules") or []
        if "ManagedRuleGroupStatement" in (r.get("Statement") or {})
    }
    missing = [g for g in wanted if g not in present]
    return verdict("WAF-06", title, [f"{g} is missing" for g in missing], f"present: {', '.join(wanted)}")
