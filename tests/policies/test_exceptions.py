"""Catalogued exceptions are narrow: they apply only to what spec/controls.yaml names."""

from __future__ import annotations

from typing import Any

from fhirfort.compliance.evaluator import evaluate

from .baseline import Change, stack

PROD = {"fhirfort:environment": "prod"}
SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
COUNT_SIZE = [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]


def _waf02(items: list[Any], policies: dict[str, Any]) -> list[Any]:
    result = evaluate(items, "test", PROD, [policies["waf-02-managed-rules-not-count"]])
    return [r for r in result.rows if r.status != "pass"]


def _with_block_rule(items: list[Any]) -> list[Any]:
    for _, name, props in items:
        if name == "acl":
            props["rules"].append(
                {
                    "name": "block-oversize-body",
                    "priority": 4,
                    "action": {"block": {}},
                    "statement": {"labelMatchStatement": {"scope": "LABEL", "key": SIZE_LABEL}},
                }
            )
    return items


def test_size_rule_count_needs_its_compensating_block_rule(policies: dict[str, Any]) -> None:
    change = Change("set", "acl", "rules.0.statement.managedRuleGroupStatement.ruleActionOverrides", COUNT_SIZE)
    assert _waf02(stack(change), policies), "count override without the label-blocking rule must fail"
    assert _waf02(stack(change, extra=_with_block_rule), policies) == []


def test_other_rules_cannot_use_the_exception(policies: dict[str, Any]) -> None:
    other = [{"name": "CrossSiteScripting_BODY", "actionToUse": {"count": {}}}]
    change = Change("set", "acl", "rules.0.statement.managedRuleGroupStatement.ruleActionOverrides", other)
    assert _waf02(stack(change, extra=_with_block_rule), policies)


def test_sse_s3_only_on_the_access_log_bucket(policies: dict[str, Any]) -> None:
    policy = policies["s3-02-every-bucket-sse-kms"]
    assert [r for r in evaluate(stack(), "t", PROD, [policy]).rows if r.status != "pass"] == []
    retag = Change("set", "logs-bucket", "tags", {"fhirfort:purpose": "phi-exports"})
    rows = [r for r in evaluate(stack(retag), "t", PROD, [policy]).rows if r.status != "pass"]
    assert [r.resource_name for r in rows] == ["logs-bucket"]
