"""The exported contract: every name present, resolved, and nothing secret exported in plain text."""

from __future__ import annotations

from fhirfort.aws.mocked import StackRun
from fhirfort.aws.stack import OUTPUT_NAMES
from fhirfort.spec import spec

CONTRACT = {
    "fhir_base_url", "smart_config_url", "alb_arn", "alb_dns_name", "https_listener_arn", "http_listener_arn",
    "web_acl_arn", "cloudtrail_arn", "audit_bucket_name", "access_log_bucket_name", "db_instance_identifier",
    "db_parameter_group_name", "fhir_asg_name", "idp_asg_name", "vpc_id", "flow_log_group_name",
    "waf_log_group_name", "alarm_topic_arn", "kms_key_arns", "app_log_group_names", "artifacts_bucket_name",
    "ssm_transfer_bucket_name",
}  # fmt: skip


def test_every_contract_output_is_exported_and_known(run: StackRun) -> None:
    assert set(OUTPUT_NAMES) == CONTRACT
    assert set(run.outputs) >= CONTRACT
    for name in CONTRACT:
        assert run.outputs[name] not in (None, "", [], {}), name


def test_urls_come_from_config_and_spec(run: StackRun) -> None:
    base = spec().identity.fhir_base_path
    assert run.outputs["fhir_base_url"].startswith("https://") and run.outputs["fhir_base_url"].endswith(base)
    assert run.outputs["smart_config_url"] == run.outputs["fhir_base_url"] + "/.well-known/smart-configuration"


def test_types_of_structured_outputs(run: StackRun) -> None:
    assert isinstance(run.outputs["kms_key_arns"], dict)
    assert all(v.startswith("arn:aws:kms:") for v in run.outputs["kms_key_arns"].values())
    assert isinstance(run.outputs["app_log_group_names"], list) and len(run.outputs["app_log_group_names"]) == 2


def test_no_secret_exported(run: StackRun) -> None:
    assert not run.secret_outputs
    text = repr(run.outputs).lower()
    for word in ("password", "secret_string", "private"):
        assert word not in text


def test_opt_outs_are_tagged_on_the_resources_they_weaken(dev_resources, prod_resources) -> None:
    """A live `pulumi preview --policy-pack` sees only tags: dev's opt-outs must be visible on the ALB and DB."""
    for resources, expect in ((dev_resources, True), (prod_resources, False)):
        alb = next(r for r in resources if r.type == "aws:lb/loadBalancer:LoadBalancer")
        db = next(r for r in resources if r.type == "aws:rds/instance:Instance")
        assert ("fhirfort:opt-out:ELB-06" in alb.props["tags"]) is expect
        assert ("fhirfort:opt-out:RDS-04" in db.props["tags"]) is expect
        assert alb.props["tags"]["fhirfort:environment"] in ("dev", "prod")
