"""WAFv2 web ACL in front of the ALB: AWS managed rule groups in BLOCK mode, a per-IP rate limit, logging.

The one FHIR-aware exception, and why it is narrow:
  FHIR `transaction`/`batch` Bundles are POSTed to the base path itself (`POST [base]`) and routinely exceed
  the 8 KB that AWSManagedRulesCommonRuleSet's `SizeRestrictions_BODY` allows. Turning that rule off would
  let oversized bodies through everywhere, so instead:
  1. inside the Common group only `SizeRestrictions_BODY` is overridden to COUNT (every other rule of
     every group blocks); a counted match still carries the group's label
     `awswaf:managed:aws:core-rule-set:SizeRestrictions_Body`;
  2. rule `fhir-bundle-post` only labels (COUNT) requests that are exactly `POST`, to exactly the FHIR
     base path (`^{base}/?$`, case-sensitive), with a FHIR media type (`application/fhir+json|xml`);
  3. rule `block-oversize-body` BLOCKS every request with the size label that does not also carry the
     bundle label. So large bodies stay blocked on every other path, method and content type.
  (ALB web ACLs inspect at most the first 8 KB of a body; HAPI enforces its own maximum Bundle size.)
Logging goes to a KMS-encrypted log group named `aws-waf-logs-*` with the `authorization` and `cookie`
headers redacted (bearer tokens and sessions never reach the logs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from fhirfort.aws.common import AwsContext, child, log_group, policy_output
from fhirfort.spec import Spec

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesLinuxRuleSet",
)
COMMON = "AWSManagedRulesCommonRuleSet"
SIZE_RULE = "SizeRestrictions_BODY"
SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
BUNDLE_LABEL = "fhirfort:fhir-bundle-post"
FHIR_MEDIA_TYPES = r"^application/fhir\+(json|xml)"
REDACTED_HEADERS = ("authorization", "cookie")


def _visibility(metric: str) -> dict[str, Any]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


def _label(key: str) -> dict[str, Any]:
    return {"label_match_statement": {"scope": "LABEL", "key": key}}


def bundle_path_regex(s: Spec) -> str:
    return f"^{re.escape(s.identity.fhir_base_path)}/?$"


def rules(s: Spec, rate_limit: int) -> list[dict[str, Any]]:
    """The web ACL's rules in evaluation order (lowest priority first)."""
    out: list[dict[str, Any]] = [
        {
            "name": "rate-limit-per-ip",
            "priority": 0,
            "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": rate_limit, "aggregate_key_type": "IP"}},
            "visibility_config": _visibility("rate-limit-per-ip"),
        }
    ]
    for i, group in enumerate(MANAGED_RULE_GROUPS, start=1):
        statement: dict[str, Any] = {"vendor_name": "AWS", "name": group}
        if group == COMMON:
            statement["rule_action_overrides"] = [{"name": SIZE_RULE, "action_to_use": {"count": {}}}]
        out.append(
            {
                "name": group,
                "priority": i,
                "override_action": {"none": {}},
                "statement": {"managed_rule_group_statement": statement},
                "visibility_config": _visibility(group),
            }
        )
    base = len(out)
    out.append(
        {
            "name": "fhir-bundle-post",
            "priority": base,
            "action": {"count": {}},
            "rule_labels": [{"name": BUNDLE_LABEL}],
            "statement": {
                "and_statement": {
                    "statements": [
                        {
                            "byte_match_statement": {
                                "field_to_match": {"method": {}},
                                "positional_constraint": "EXACTLY",
                                "search_string": "POST",
                                "text_transformations": [{"priority": 0, "type": "NONE"}],
                            }
                        },
                        {
                            "regex_match_statement": {
                                "field_to_match": {"uri_path": {}},
                                "regex_string": bundle_path_regex(s),
                                "text_transformations": [{"priority": 0, "type": "NONE"}],
                            }
                        },
                        {
                            "regex_match_statement": {
                                "field_to_match": {"single_header": {"name": "content-type"}},
                                "regex_string": FHIR_MEDIA_TYPES,
                                "text_transformations": [{"priority": 0, "type": "LOWERCASE"}],
                            }
                        },
                    ]
                }
            },
            "visibility_config": _visibility("fhir-bundle-post"),
        }
    )
    out.append(
        {
            "name": "block-oversize-body",
            "priority": base + 1,
            "action": {"block": {}},
            "statement": {
                "and_statement": {
                    "statements": [_label(SIZE_LABEL), {"not_statement": {"statement": _label(BUNDLE_LABEL)}}]
                }
            },
            "visibility_config": _visibility("block-oversize-body"),
        }
    )
    return out


@dataclass
class WafArgs:
    ctx: AwsContext
    spec: Spec
    alb_arn: pulumi.Input[str]
    rate_limit: int
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int


class Waf(pulumi.ComponentResource):
    web_acl: aws.wafv2.WebAcl
    log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: WafArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:Waf", name, None, opts)
        ctx = args.ctx
        self.web_acl = aws.wafv2.WebAcl(
            "web-acl",
            name=ctx.name("web-acl"),
            scope="REGIONAL",
            default_action={"allow": {}},
            rules=rules(args.spec, args.rate_limit),
            visibility_config=_visibility(ctx.name("web-acl")),
            tags=ctx.tags(),
            opts=child(self),
        )
        aws.wafv2.WebAclAssociation(
            "web-acl-alb", resource_arn=args.alb_arn, web_acl_arn=self.web_acl.arn, opts=child(self)
        )
        self.log_group = log_group(
            "waf-logs", f"aws-waf-logs-{ctx.name('alb')}", args.logs_key_arn, args.log_retention_days, ctx, self
        )
        delivery = aws.cloudwatch.LogResourcePolicy(
            "waf-logs-delivery",
            policy_name=ctx.name("waf-logs-delivery"),
            policy_document=policy_output(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "delivery.logs.amazonaws.com"},
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": pulumi.Output.concat(self.log_group.arn, ":*"),
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": ctx.account_id},
                            "ArnLike": {"aws:SourceArn": ctx.arn("logs", "*")},
                        },
                    }
                ]
            ),
            opts=child(self),
        )
        aws.wafv2.WebAclLoggingConfiguration(
            "web-acl-logging",
            resource_arn=self.web_acl.arn,
            log_destination_configs=[self.log_group.arn],
            redacted_fields=[{"single_header": {"name": h}} for h in REDACTED_HEADERS],
            opts=child(self, depends_on=[delivery]),
        )
        self.register_outputs({"web_acl_arn": self.web_acl.arn, "waf_log_group_name": self.log_group.name})
