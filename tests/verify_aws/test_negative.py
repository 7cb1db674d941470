"""One mutation of the compliant stack per case: the named check fails (with a detail that says why)
and every other check still passes, so each check is shown to see exactly its own control. Each
mutation registers how to undo itself; the test undoes it and proves the check passes again, so the
next test reuses the compliant stack (a failed test makes the next one rebuild it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from verify_aws_fakes import ACCOUNT, REGION, FakeStack, compliant_waf_rules

from fhirfort.compliance.controls import OPT_OUT_PREFIX, catalogue
from fhirfort.spec import spec
from fhirfort.verify_aws.checks import ALL_CHECKS
from fhirfort.verify_aws.runner import run_checks

FULL_PAB = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}

# ---------------------------------------------------------------- WAF


def _acl_rules(rules: list[dict[str, Any]]) -> Callable[[FakeStack], None]:
    def mutate(s: FakeStack) -> None:
        s.update_web_acl(rules)
        s.on_undo(lambda: s.update_web_acl(compliant_waf_rules()))

    return mutate


def _group_in_count() -> list[dict[str, Any]]:
    rules = compliant_waf_rules()
    rules[2]["OverrideAction"] = {"Count": {}}
    return rules


def _rule_in_count() -> list[dict[str, Any]]:
    rules = compliant_waf_rules()
    rules[0]["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"].append(
        {"Name": "CrossSiteScripting_BODY", "ActionToUse": {"Count": {}}}
    )
    return rules


def _rate_counts() -> list[dict[str, Any]]:
    rules = compliant_waf_rules()
    rules[-1]["Action"] = {"Count": {}}
    return rules


def waf_disassociated(s: FakeStack) -> None:
    waf = s.client("wafv2")
    waf.disassociate_web_acl(ResourceArn=s.outputs["alb_arn"])
    s.on_undo(lambda: waf.associate_web_acl(WebACLArn=s.outputs["web_acl_arn"], ResourceArn=s.outputs["alb_arn"]))


def waf_logging_off(s: FakeStack) -> None:
    waf = s.client("wafv2")
    config = waf.get_logging_configuration(ResourceArn=s.outputs["web_acl_arn"])["LoggingConfiguration"]
    waf.delete_logging_configuration(ResourceArn=s.outputs["web_acl_arn"])
    s.on_undo(
        lambda: waf.put_logging_configuration(
            LoggingConfiguration={k: config[k] for k in ("ResourceArn", "LogDestinationConfigs", "RedactedFields")}
        )
    )


def waf_logs_unredacted(s: FakeStack) -> None:
    waf = s.client("wafv2")
    config = waf.get_logging_configuration(ResourceArn=s.outputs["web_acl_arn"])["LoggingConfiguration"]
    keep = {k: config[k] for k in ("ResourceArn", "LogDestinationConfigs")}
    waf.put_logging_configuration(LoggingConfiguration=keep)
    s.on_undo(
        lambda: waf.put_logging_configuration(LoggingConfiguration={**keep, "RedactedFields": config["RedactedFields"]})
    )


# ---------------------------------------------------------------- ALB


def _listener(key: str, **changes: Any) -> Callable[[FakeStack], None]:
    def mutate(s: FakeStack) -> None:
        elbv2 = s.client("elbv2")
        arn = s.outputs[key]
        before = elbv2.describe_listeners(ListenerArns=[arn])["Listeners"][0]
        elbv2.modify_listener(ListenerArn=arn, **changes)
        restore = {k: before[k] for k in changes if k in before}
        s.on_undo(lambda: elbv2.modify_listener(ListenerArn=arn, **restore))

    return mutate


def http_forwards(s: FakeStack) -> None:
    forward = [{"Type": "forward", "TargetGroupArn": s.handles["target_group"]}]
    _listener("http_listener_arn", DefaultActions=forward)(s)


def http_rule_forwards(s: FakeStack) -> None:
    elbv2 = s.client("elbv2")
    rule = elbv2.create_rule(
        ListenerArn=s.outputs["http_listener_arn"],
        Priority=10,
        Conditions=[{"Field": "path-pattern", "Values": ["/fhir/*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": s.handles["target_group"]}],
    )["Rules"][0]["RuleArn"]
    s.on_undo(lambda: elbv2.delete_rule(RuleArn=rule))


def _alb_attribute(key: str, value: str) -> Callable[[FakeStack], None]:
    def mutate(s: FakeStack) -> None:
        elbv2 = s.client("elbv2")
        arn = s.outputs["alb_arn"]
        before = {
            a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        }
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": key, "Value": value}])
        s.on_undo(
            lambda: elbv2.modify_load_balancer_attributes(
                LoadBalancerArn=arn, Attributes=[{"Key": key, "Value": before[key]}]
            )
        )

    return mutate


# ---------------------------------------------------------------- CloudTrail and the audit bucket


def trail_stopped(s: FakeStack) -> None:
    trail = s.client("cloudtrail")
    trail.stop_logging(Name=s.outputs["cloudtrail_arn"])
    s.on_undo(lambda: trail.start_logging(Name=s.outputs["cloudtrail_arn"]))


def _trail(**changes: Any) -> Callable[[FakeStack], None]:
    def mutate(s: FakeStack) -> None:
        trail = s.client("cloudtrail")
        arn, bucket = s.outputs["cloudtrail_arn"], s.outputs["audit_bucket_name"]
        trail.update_trail(Name=arn, **changes)
        s.on_undo(
            lambda: trail.update_trail(
                Name=arn, IsMultiRegionTrail=True, EnableLogFileValidation=True, S3BucketName=bucket
            )
        )

    return mutate


def trail_without_kms(s: FakeStack) -> None:
    trail, arn = s.client("cloudtrail"), s.outputs["cloudtrail_arn"]
    key = trail.get_trail(Name=arn)["Trail"]["KmsKeyId"]
    trail.update_trail(Name=arn, KmsKeyId="")
    s.on_undo(lambda: trail.update_trail(Name=arn, KmsKeyId=key))


def trail_other_bucket(s: FakeStack) -> None:
    s.client("s3").create_bucket(Bucket="elsewhere-1", CreateBucketConfiguration={"LocationConstraint": REGION})
    s.on_undo(lambda: s.client("s3").delete_bucket(Bucket="elsewhere-1"))
    _trail(S3BucketName="elsewhere-1")(s)


def audit_bucket_without_object_lock(s: FakeStack) -> None:
    s.create_audit_bucket("fhirfort-test-audit-2", object_lock=False)
    _trail(S3BucketName="fhirfort-test-audit-2")(s)
    s.outputs["audit_bucket_name"] = "fhirfort-test-audit-2"  # restore() returns to the compliant outputs


def _object_lock(mode: str, years: int) -> Callable[[FakeStack], None]:
    def put(s: FakeStack, mode: str, years: int) -> None:
        s.client("s3").put_object_lock_configuration(
            Bucket=s.outputs["audit_bucket_name"],
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": mode, "Years": years}},
            },
        )

    def mutate(s: FakeStack) -> None:
        put(s, mode, years)
        s.on_undo(lambda: put(s, "COMPLIANCE", spec().retention.object_lock_years))

    return mutate


def audit_versioning_suspended(s: FakeStack) -> None:
    # AWS refuses this on an object-locked bucket; moto accepts it, which lets the check be exercised.
    s3, bucket = s.client("s3"), s.outputs["audit_bucket_name"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s.on_undo(lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}))


def _audit_pab(config: dict[str, bool] | None) -> Callable[[FakeStack], None]:
    def mutate(s: FakeStack) -> None:
        s3, bucket = s.client("s3"), s.outputs["audit_bucket_name"]
        if config is None:
            s3.delete_public_access_block(Bucket=bucket)
        else:
            s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=config)
        s.on_undo(lambda: s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=FULL_PAB))

    return mutate


# ---------------------------------------------------------------- RDS


def db_unencrypted(s: FakeStack) -> None:
    rds, plain = s.client("rds"), "fhirfort-test-db-plain"
    s.create_db(plain, encrypted=False)
    s.on_undo(lambda: rds.delete_db_instance(DBInstanceIdentifier=plain, SkipFinalSnapshot=True))
    s.on_undo(lambda: rds.modify_db_instance(DBInstanceIdentifier=plain, DeletionProtection=False))
    s.outputs["db_instance_identifier"] = plain


def _modify_db(**changes: Any) -> Callable[[FakeStack], None]:
    def mutate(s: FakeStack) -> None:
        rds, db = s.client("rds"), s.outputs["db_instance_identifier"]
        before = rds.describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]
        restore = {
            "PubliclyAccessible": before["PubliclyAccessible"],
            "EnableIAMDatabaseAuthentication": before["IAMDatabaseAuthenticationEnabled"],
            "DeletionProtection": before["DeletionProtection"],
            "DBParameterGroupName": before["DBParameterGroups"][0]["DBParameterGroupName"],
        }
        rds.modify_db_instance(DBInstanceIdentifier=db, ApplyImmediately=True, **changes)
        undo = {k: restore[k] for k in changes}
        s.on_undo(lambda: rds.modify_db_instance(DBInstanceIdentifier=db, ApplyImmediately=True, **undo))

    return mutate


def _force_ssl(s: FakeStack, value: str) -> None:
    s.client("rds").modify_db_parameter_group(
        DBParameterGroupName=s.outputs["db_parameter_group_name"],
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": value, "ApplyMethod": "immediate"}],
    )


def db_force_ssl_off(s: FakeStack) -> None:
    _force_ssl(s, "0")
    s.on_undo(lambda: _force_ssl(s, "1"))


def db_other_parameter_group(s: FakeStack) -> None:
    rds = s.client("rds")
    rds.create_db_parameter_group(
        DBParameterGroupName="default-like", DBParameterGroupFamily="postgres17", Description="engine defaults"
    )
    s.on_undo(lambda: rds.delete_db_parameter_group(DBParameterGroupName="default-like"))
    _modify_db(DBParameterGroupName="default-like")(s)


# ---------------------------------------------------------------- hosts


def host_public_ip(s: FakeStack) -> None:
    ec2 = s.client("ec2")
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    association = ec2.associate_address(AllocationId=allocation, InstanceId=s.handles["fhir_instance"])
    s.on_undo(lambda: ec2.release_address(AllocationId=allocation))
    s.on_undo(lambda: ec2.disassociate_address(AssociationId=association["AssociationId"]))


def _template_version(change: dict[str, Any]) -> Callable[[FakeStack], None]:
    """A new $Latest version of the IdP launch template: the compliant data with `change` applied."""

    def new_version(s: FakeStack, data: dict[str, Any]) -> None:
        s.client("ec2").create_launch_template_version(LaunchTemplateId=s.handles["idp_lt"], LaunchTemplateData=data)

    def mutate(s: FakeStack) -> None:
        new_version(s, {**s.template_data, **change})
        s.on_undo(lambda: new_version(s, s.template_data))

    return mutate


def host_imdsv1(s: FakeStack) -> None:
    ec2, instance = s.client("ec2"), s.handles["idp_instance"]
    ec2.modify_instance_metadata_options(InstanceId=instance, HttpTokens="optional", HttpEndpoint="enabled")
    s.on_undo(
        lambda: ec2.modify_instance_metadata_options(InstanceId=instance, HttpTokens="required", HttpEndpoint="enabled")
    )


def host_unencrypted_volume(s: FakeStack) -> None:
    ec2 = s.client("ec2")
    volume = ec2.create_volume(Size=10, AvailabilityZone=f"{REGION}a", Encrypted=False)["VolumeId"]
    ec2.attach_volume(VolumeId=volume, InstanceId=s.handles["fhir_instance"], Device="/dev/sdf")
    s.on_undo(lambda: ec2.detach_volume(VolumeId=volume, InstanceId=s.handles["fhir_instance"], Device="/dev/sdf"))


# ---------------------------------------------------------------- keys, network, logs, monitoring


def key_rotation_off(s: FakeStack) -> None:
    kms, key = s.client("kms"), s.outputs["kms_key_arns"]["audit"]
    kms.disable_key_rotation(KeyId=key)
    s.on_undo(lambda: kms.enable_key_rotation(KeyId=key))


def no_keys_exported(s: FakeStack) -> None:
    s.outputs["kms_key_arns"] = {}


def _recreate_flow_log(s: FakeStack, traffic: str) -> None:
    ec2 = s.client("ec2")
    ids = [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]]
    if ids:
        ec2.delete_flow_logs(FlowLogIds=ids)
    if traffic:
        ec2.create_flow_logs(
            ResourceIds=[s.outputs["vpc_id"]],
            ResourceType="VPC",
            TrafficType=traffic,
            LogDestinationType="cloud-watch-logs",
            LogGroupName=s.outputs["flow_log_group_name"],
            DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/fhirfort/flow-logs",
        )


def _flow_logs(traffic: str) -> Callable[[FakeStack], None]:
    def mutate(s: FakeStack) -> None:
        _recreate_flow_log(s, traffic)
        s.on_undo(lambda: _recreate_flow_log(s, "ALL"))

    return mutate


def log_retention_short(s: FakeStack) -> None:
    logs, group = s.client("logs"), s.outputs["app_log_group_names"][0]
    logs.put_retention_policy(logGroupName=group, retentionInDays=365)
    floor = spec().retention.audit_retention_floor_days
    s.on_undo(lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=floor))


def log_group_without_kms(s: FakeStack) -> None:
    s.create_log_group("/fhirfort/test/extra", kms=False)
    s.on_undo(lambda: s.client("logs").delete_log_group(logGroupName="/fhirfort/test/extra"))
    s.outputs["app_log_group_names"] = [*s.outputs["app_log_group_names"], "/fhirfort/test/extra"]


def log_group_missing(s: FakeStack) -> None:
    s.outputs["app_log_group_names"] = [*s.outputs["app_log_group_names"], "/fhirfort/test/never-created"]


def topic_unencrypted(s: FakeStack) -> None:
    sns, topic = s.client("sns"), s.outputs["alarm_topic_arn"]
    key = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue="")
    s.on_undo(lambda: sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=key))


REDIRECT_302 = {
    "Type": "redirect",
    "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_302"},
}

# case -> (mutation, the checks that must fail, a fragment of the failing detail)
CASES: dict[str, tuple[Callable[[FakeStack], None], set[str], str]] = {
    "WebACL not associated": (waf_disassociated, {"waf-01-alb-associated"}, "no WebACL is associated"),
    "managed group overridden to Count": (
        _acl_rules(_group_in_count()),
        {"waf-02-managed-rules-enforce"},
        "overridden to Count",
    ),
    "managed rule overridden to Count": (
        _acl_rules(_rule_in_count()),
        {"waf-02-managed-rules-enforce"},
        "CrossSiteScripting_BODY",
    ),
    "SizeRestrictions_BODY exception unscoped": (
        _acl_rules([r for r in compliant_waf_rules() if r["Name"] != "size-body-outside-fhir"]),
        {"waf-02-managed-rules-enforce"},
        "not scoped",
    ),
    "no managed rule groups": (
        _acl_rules([r for r in compliant_waf_rules() if "ManagedRuleGroupStatement" not in r["Statement"]]),
        {"waf-02-managed-rules-enforce", "waf-02-default-action", "waf-06-baseline-rule-groups"},
        "no managed rule groups",
    ),
    "rate rule only counts": (
        _acl_rules(_rate_counts()),
        {"waf-03-rate-rule-blocks", "waf-02-default-action"},
        "only count",
    ),
    "no rate rule": (
        _acl_rules(compliant_waf_rules()[:-1]),
        {"waf-03-rate-rule-blocks", "waf-02-default-action"},
        "no rate-based rule",
    ),
    "WAF logging off": (waf_logging_off, {"waf-04-logging", "waf-05-log-redaction"}, "no logging configuration"),
    "listener policy ELBSecurityPolicy-2016-08": (
        _listener("https_listener_arn", SslPolicy="ELBSecurityPolicy-2016-08"),
        {"elb-01-https-tls-policy"},
        "ELBSecurityPolicy-2016-08",
    ),
    "HTTP listener forwards": (http_forwards, {"elb-02-http-redirects"}, "not a redirect"),
    "HTTP redirect is 302": (
        _listener("http_listener_arn", DefaultActions=[REDIRECT_302]),
        {"elb-02-http-redirects"},
        "HTTP_302",
    ),
    "HTTP listener rule forwards": (http_rule_forwards, {"elb-02-http-redirects"}, "rule priority 10"),
    "invalid headers kept": (
        _alb_attribute("routing.http.drop_invalid_header_fields.enabled", "false"),
        {"elb-03-drop-invalid-headers"},
        "drop_invalid_header_fields",
    ),
    "desync defensive": (
        _alb_attribute("routing.http.desync_mitigation_mode", "defensive"),
        {"elb-04-desync-strictest"},
        "defensive",
    ),
    "ALB access logs off": (
        _alb_attribute("access_logs.s3.enabled", "false"),
        {"elb-05-access-logs"},
        "access_logs.s3.enabled",
    ),
    "CloudTrail stopped": (trail_stopped, {"ct-05-trail-logging"}, "not logging"),
    "CloudTrail single-region": (_trail(IsMultiRegionTrail=False), {"ct-01-multi-region"}, "not a multi-region trail"),
    "CloudTrail without log file validation": (
        _trail(EnableLogFileValidation=False),
        {"ct-02-log-file-validation"},
        "validation is off",
    ),
    "CloudTrail writes elsewhere": (trail_other_bucket, {"s3-05-trail-to-audit-archive"}, "elsewhere-1"),
    "audit bucket without object lock": (
        audit_bucket_without_object_lock,
        {"s3-05-audit-object-lock"},
        "no object lock",
    ),
    "object lock GOVERNANCE": (_object_lock("GOVERNANCE", 6), {"s3-05-audit-object-lock"}, "GOVERNANCE"),
    "object lock below the floor": (_object_lock("COMPLIANCE", 1), {"s3-05-audit-object-lock"}, "< "),
    "audit versioning suspended": (audit_versioning_suspended, {"s3-03-audit-versioning"}, "Suspended"),
    "audit public access block deleted": (
        _audit_pab(None),
        {"s3-01-audit-public-access-block"},
        "no bucket public access",
    ),
    "audit public access block partial": (
        _audit_pab({**FULL_PAB, "RestrictPublicBuckets": False}),
        {"s3-01-audit-public-access-block"},
        "RestrictPublicBuckets",
    ),
    "RDS unencrypted": (db_unencrypted, {"rds-01-storage-encrypted"}, "not encrypted"),
    "RDS public": (_modify_db(PubliclyAccessible=True), {"rds-02-not-public"}, "PubliclyAccessible"),
    "rds.force_ssl=0": (db_force_ssl_off, {"rds-11-force-ssl"}, "rds.force_ssl is 0"),
    "RDS on another parameter group": (db_other_parameter_group, {"rds-11-force-ssl"}, "default-like"),
    "RDS IAM auth off": (_modify_db(EnableIAMDatabaseAuthentication=False), {"rds-06-iam-auth"}, "IAM database"),
    "RDS deletion protection off": (
        _modify_db(DeletionProtection=False),
        {"rds-05-deletion-protection"},
        "deletion protection is off",
    ),
    "instance with public IP": (host_public_ip, {"ec2-04-no-public-ip"}, "public IP"),
    "template associates public IP": (
        _template_version({"NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}]}),
        {"ec2-04-no-public-ip"},
        "launch template",
    ),
    "instance allows IMDSv1": (host_imdsv1, {"ec2-01-imdsv2"}, "IMDSv1 allowed"),
    "template allows IMDSv1": (
        _template_version({"MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"}}),
        {"ec2-01-imdsv2"},
        "launch template",
    ),
    "template hop limit 2": (
        _template_version({"MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}}),
        {"ec2-02-hop-limit"},
        "HttpPutResponseHopLimit=2",
    ),
    "unencrypted EBS volume attached": (host_unencrypted_volume, {"ec2-03-ebs-encrypted"}, "is not encrypted"),
    "template with unencrypted EBS": (
        _template_version({"BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"Encrypted": False}}]}),
        {"ec2-03-ebs-encrypted"},
        "block device /dev/sda1",
    ),
    "KMS rotation off": (key_rotation_off, {"kms-01-rotation"}, "audit"),
    "no KMS keys exported": (no_keys_exported, {"kms-01-rotation"}, "kms_key_arns is empty"),
    "flow logs deleted": (_flow_logs(""), {"net-01-flow-logs"}, "no active flow log"),
    "flow logs REJECT only": (_flow_logs("REJECT"), {"net-01-flow-logs"}, "REJECT"),
    "log retention below floor": (log_retention_short, {"log-02-retention"}, "keeps 365 days"),
    "log group without KMS": (log_group_without_kms, {"log-01-kms"}, "has no KMS key"),
    "log group missing": (log_group_missing, {"log-01-kms", "log-02-retention"}, "does not exist"),
    "alarm topic unencrypted": (topic_unencrypted, {"sns-01-topic-kms"}, "not encrypted"),
    "WAF logs keep credentials": (waf_logs_unredacted, {"waf-05-log-redaction"}, "authorization"),
    "baseline group missing": (
        _acl_rules([r for r in compliant_waf_rules() if r["Name"] != "AWSManagedRulesKnownBadInputsRuleSet"]),
        {"waf-06-baseline-rule-groups"},
        "AWSManagedRulesKnownBadInputsRuleSet is missing",
    ),
    "CloudTrail without CMK": (trail_without_kms, {"ct-03-kms"}, "no KMS key"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_mutation_fails_its_check_only(stack: FakeStack, case: str) -> None:
    mutate, expected, fragment = CASES[case]
    stack.dirty = True
    mutate(stack)
    results = run_checks(stack.context())
    failing = {r.check for r in results if not r.passed}
    details = {r.check: r.detail for r in results if not r.passed}
    assert failing == expected, f"{case}: expected {sorted(expected)} to fail, got {details}"
    assert any(fragment in details[i] for i in expected), f"{case}: no detail mentions {fragment!r}: {details}"

    stack.restore()
    again = run_checks(stack.context(), {i: ALL_CHECKS[i] for i in sorted(expected)})
    assert all(r.passed for r in again), f"{case}: undo did not restore compliance: {again}"
    stack.dirty = False


def test_every_check_has_a_negative_case() -> None:
    covered = {name for _, names, _ in CASES.values() for name in names}
    assert covered == set(ALL_CHECKS)


def test_documented_opt_out_waives_a_waivable_control(stack: FakeStack) -> None:
    """Deletion protection off on a database tagged with the opt-out the AWS program derives from
    `fhirfort:optOut.deletionProtection`: reported WAIVED with the reason, the run passes."""
    stack.dirty = True
    rds = stack.client("rds")
    db = stack.outputs["db_instance_identifier"]
    arn = rds.describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]["DBInstanceArn"]
    rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": f"{OPT_OUT_PREFIX}RDS-05", "Value": "dev stack"}])
    _modify_db(DeletionProtection=False)(stack)
    results = {r.check: r for r in run_checks(stack.context())}
    waived = results["rds-05-deletion-protection"]
    assert waived.passed and waived.status == "WAIVED" and waived.waiver == "dev stack"
    assert all(r.passed for r in results.values())
    stack.restore()
    rds.remove_tags_from_resource(ResourceName=arn, TagKeys=[f"{OPT_OUT_PREFIX}RDS-05"])
    stack.dirty = False


def test_opt_out_tag_does_not_waive_a_non_waivable_control(stack: FakeStack) -> None:
    stack.dirty = True
    rds = stack.client("rds")
    db = stack.outputs["db_instance_identifier"]
    arn = rds.describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]["DBInstanceArn"]
    rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": f"{OPT_OUT_PREFIX}RDS-02", "Value": "please"}])
    _modify_db(PubliclyAccessible=True)(stack)
    results = {r.check: r for r in run_checks(stack.context())}
    assert results["rds-02-not-public"].status == "FAIL"
    stack.restore()
    rds.remove_tags_from_resource(ResourceName=arn, TagKeys=[f"{OPT_OUT_PREFIX}RDS-02"])
    stack.dirty = False


def test_result_ids_are_catalogue_controls(stack: FakeStack) -> None:
    """Names travel: every result carries a control id of spec/controls.yaml, the one its name starts with."""
    controls = catalogue().controls
    for result in run_checks(stack.context()):
        assert result.id in controls, f"{result.check}: {result.id} is not in spec/controls.yaml"
        assert result.check.upper().startswith(result.id)


def _wire(node: Any) -> Any:
    """pulumi-aws snake_case WAF rule arguments -> the WAFv2 API's CamelCase shape."""
    special = {"cloudwatch_metrics_enabled": "CloudWatchMetricsEnabled"}
    if isinstance(node, dict):
        return {special.get(k, "".join(p.capitalize() for p in k.split("_"))): _wire(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_wire(v) for v in node]
    return node


def test_the_aws_programs_waf_rules_pass(stack: FakeStack) -> None:
    """Cross-check with fhirfort/aws/waf.py: the rules the Pulumi program deploys satisfy WAF-02/03/06,
    including its scoped SizeRestrictions_BODY exception."""
    from fhirfort.aws.waf import rules

    stack.dirty = True
    stack.update_web_acl(_wire(rules(spec(), 2000)))
    stack.on_undo(lambda: stack.update_web_acl(compliant_waf_rules()))
    results = [r for r in run_checks(stack.context()) if r.id.startswith("WAF-")]
    assert [f"{r.check}: {r.detail}" for r in results if not r.passed] == []
    stack.restore()
    stack.dirty = False
