"""WAF: managed groups blocking, per-IP rate limit, the narrow FHIR Bundle exception, redacted logging."""

from __future__ import annotations

import re

from fhirfort.aws.mocked import StackRun
from fhirfort.aws.waf import BUNDLE_LABEL, MANAGED_RULE_GROUPS, SIZE_LABEL, SIZE_RULE
from fhirfort.config import RATE_LIMIT_RANGE
from fhirfort.spec import spec

ACL = "aws:wafv2/webAcl:WebAcl"


def _rules(run: StackRun) -> dict[str, dict]:
    return {r["name"]: r for r in run.one(ACL).props["rules"]}


def test_regional_acl_associated_with_the_alb_default_allow(run: StackRun) -> None:
    acl = run.one(ACL).props
    assert acl["scope"] == "REGIONAL"
    assert acl["defaultAction"] == {"allow": {}}
    assoc = run.one("aws:wafv2/webAclAssociation:WebAclAssociation").props
    assert assoc["resourceArn"] == run.outputs["alb_arn"]
    assert assoc["webAclArn"] == run.outputs["web_acl_arn"]


def test_managed_groups_block_with_only_the_size_rule_counted(run: StackRun) -> None:
    rules = _rules(run)
    required = {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesSQLiRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesLinuxRuleSet",
    }
    assert required <= set(MANAGED_RULE_GROUPS)
    for group in required:
        rule = rules[group]
        assert rule["overrideAction"] == {"none": {}}, group  # not {"count": {}}
        statement = rule["statement"]["managedRuleGroupStatement"]
        assert statement["vendorName"] == "AWS" and statement["name"] == group
        overrides = statement.get("ruleActionOverrides") or []
        if group == "AWSManagedRulesCommonRuleSet":
            assert overrides == [{"name": SIZE_RULE, "actionToUse": {"count": {}}}]
        else:
            assert not overrides, group


def test_rate_limit_per_client_ip_from_config(dev_run: StackRun, prod_run: StackRun) -> None:
    for run, expected in ((dev_run, 2000), (prod_run, 1000)):
        rule = _rules(run)["rate-limit-per-ip"]
        statement = rule["statement"]["rateBasedStatement"]
        assert statement["aggregateKeyType"] == "IP"
        assert statement["limit"] == expected
        assert RATE_LIMIT_RANGE[0] <= statement["limit"] <= RATE_LIMIT_RANGE[1]
        assert rule["action"] == {"block": {}}


def test_large_bodies_stay_blocked_except_fhir_bundle_posts(run: StackRun) -> None:
    rules = _rules(run)
    bundle, block = rules["fhir-bundle-post"], rules["block-oversize-body"]
    common = rules["AWSManagedRulesCommonRuleSet"]
    # order: Common (labels) < bundle label < block
    assert common["priority"] < bundle["priority"] < block["priority"]
    # the bundle rule only labels (count), never allows
    assert bundle["action"] == {"count": {}}
    assert bundle["ruleLabels"] == [{"name": BUNDLE_LABEL}]
    parts = bundle["statement"]["andStatement"]["statements"]
    method = parts[0]["byteMatchStatement"]
    assert method["fieldToMatch"] == {"method": {}}
    assert method["positionalConstraint"] == "EXACTLY" and method["searchString"] == "POST"
    path = parts[1]["regexMatchStatement"]
    assert path["fieldToMatch"] == {"uriPath": {}}
    pattern = re.compile(path["regexString"])
    base = spec().identity.fhir_base_path
    assert pattern.match(base) and pattern.match(base + "/")
    for other in (f"{base}/Patient", f"{base}/Bundle", "/realms/fhirfort", f"{base.upper()}", f"/x{base}"):
        assert not pattern.match(other), other
    media = parts[2]["regexMatchStatement"]
    assert media["fieldToMatch"] == {"singleHeader": {"name": "content-type"}}
    assert re.match(media["regexString"], "application/fhir+json; charset=utf-8")
    assert not re.match(media["regexString"], "application/json")
    # the block rule: size label and not the bundle label
    assert block["action"] == {"block": {}}
    size, negated = block["statement"]["andStatement"]["statements"]
    assert size == {"labelMatchStatement": {"scope": "LABEL", "key": SIZE_LABEL}}
    assert negated == {"notStatement": {"statement": {"labelMatchStatement": {"scope": "LABEL", "key": BUNDLE_LABEL}}}}


def test_no_rule_allows_or_counts_outside_the_bundle_exception(run: StackRun) -> None:
    for name, rule in _rules(run).items():
        if "action" in rule:
            assert rule["action"] in ({"block": {}}, {"count": {}})
            if rule["action"] == {"count": {}}:
                assert name == "fhir-bundle-post"


def test_logging_to_encrypted_waf_log_group_with_redaction(run: StackRun) -> None:
    logging = run.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").props
    group = run.named("waf-logs").props
    assert group["name"].startswith("aws-waf-logs-")
    assert group["kmsKeyId"] == run.outputs["kms_key_arns"]["logs"]
    assert logging["logDestinationConfigs"] == [run.state_of("waf-logs")["arn"]]
    redacted = {f["singleHeader"]["name"] for f in logging["redactedFields"]}
    assert redacted == {"authorization", "cookie"}
    assert run.outputs["waf_log_group_name"] == group["name"]
