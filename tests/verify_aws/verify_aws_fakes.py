"""A compliant fake of the deployed AWS stack, built with boto3 against a moto server.

The server runs once per session; every test resets it and builds the stack afresh, so a mutation
made by one test never leaks into another. moto accepts much that AWS rejects: these fixtures prove
the boto3 code paths and the verdicts, not the validity of the resources against AWS.
"""

from __future__ import annotations

import copy
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from fhirfort.spec import spec
from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.outputs import StackOutputs

REGION = "eu-central-1"
ACCOUNT = "123456789012"  # moto's default account
SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"


def _vis(name: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def _managed(name: str, priority: int, overrides: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"VendorName": "AWS", "Name": name}
    if overrides:
        statement["RuleActionOverrides"] = overrides
    return {
        "Name": name,
        "Priority": priority,
        "Statement": {"ManagedRuleGroupStatement": statement},
        "OverrideAction": {"None": {}},
        "VisibilityConfig": _vis(name),
    }


def compliant_waf_rules() -> list[dict[str, Any]]:
    fhir_path = spec().identity.fhir_base_path
    return [
        _managed(
            "AWSManagedRulesCommonRuleSet",
            10,
            [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}],
        ),
        {
            "Name": "size-body-outside-fhir",
            "Priority": 11,
            "Action": {"Block": {}},
            "Statement": {
                "AndStatement": {
                    "Statements": [
                        {"LabelMatchStatement": {"Scope": "LABEL", "Key": SIZE_LABEL}},
                        {
                            "NotStatement": {
                                "Statement": {
                                    "ByteMatchStatement": {
                                        "SearchString": fhir_path,
                                        "FieldToMatch": {"UriPath": {}},
                                        "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                                        "PositionalConstraint": "STARTS_WITH",
                                    }
                                }
                            }
                        },
                    ]
                }
            },
            "VisibilityConfig": _vis("size-body-outside-fhir"),
        },
        _managed("AWSManagedRulesKnownBadInputsRuleSet", 20),
        _managed("AWSManagedRulesSQLiRuleSet", 30),
        {
            "Name": "rate-per-ip",
            "Priority": 40,
            "Action": {"Block": {}},
            "Statement": {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}},
            "VisibilityConfig": _vis("rate-per-ip"),
        },
    ]


@dataclass
class FakeStack:
    """The compliant stack in moto: outputs to hand to the checks, handles for mutating it, and the
    undo steps a mutation registers so the next test starts from the compliant stack again."""

    url: str
    outputs: dict[str, Any]
    handles: dict[str, str] = field(default_factory=dict)
    template_data: dict[str, Any] = field(default_factory=dict)
    dirty: bool = False
    _undo: list[Callable[[], None]] = field(default_factory=list)
    _compliant_outputs: dict[str, Any] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=REGION, endpoint_url=self.url)
        return self._clients[service]

    def context(self) -> CheckContext:
        return CheckContext(outputs=StackOutputs.model_validate(self.outputs), region=REGION, endpoint_url=self.url)

    def freeze(self) -> None:
        """Remember the compliant outputs (restore() returns to them)."""
        self._compliant_outputs = copy.deepcopy(self.outputs)

    def on_undo(self, step: Callable[[], None]) -> None:
        self._undo.append(step)

    def restore(self) -> None:
        """Undo the registered steps (last first) and return to the compliant outputs."""
        while self._undo:
            self._undo.pop()()
        self.outputs = copy.deepcopy(self._compliant_outputs)

    # ---------------------------------------------------------------- helpers for mutations

    def update_web_acl(self, rules: list[dict[str, Any]], default_action: dict[str, Any] | None = None) -> None:
        waf = self.client("wafv2")
        acl_id = self.outputs["web_acl_arn"].rsplit("/", 1)[1]
        current = waf.get_web_acl(Name="fhirfort-test", Scope="REGIONAL", Id=acl_id)
        waf.update_web_acl(
            Name="fhirfort-test",
            Scope="REGIONAL",
            Id=acl_id,
            DefaultAction=default_action or current["WebACL"]["DefaultAction"],
            Rules=rules,
            VisibilityConfig=_vis("fhirfort-test"),
            LockToken=current["LockToken"],
        )

    def create_db(self, identifier: str, *, encrypted: bool) -> None:
        kwargs: dict[str, Any] = {"StorageEncrypted": encrypted}
        if encrypted:
            kwargs["KmsKeyId"] = self.outputs["kms_key_arns"]["database"]
        self.client("rds").create_db_instance(
            DBInstanceIdentifier=identifier,
            DBInstanceClass="db.t4g.medium",
            Engine="postgres",
            MasterUsername="fhirfort",
            MasterUserPassword="not-a-real-password-1",
            AllocatedStorage=20,
            PubliclyAccessible=False,
            EnableIAMDatabaseAuthentication=True,
            DeletionProtection=True,
            DBParameterGroupName=self.outputs["db_parameter_group_name"],
            DBSubnetGroupName=self.handles["db_subnet_group"],
            **kwargs,
        )

    def create_log_group(self, name: str, *, kms: bool) -> None:
        logs = self.client("logs")
        kwargs: dict[str, Any] = {"logGroupName": name}
        if kms:
            kwargs["kmsKeyId"] = self.outputs["kms_key_arns"]["logs"]
        logs.create_log_group(**kwargs)
        logs.put_retention_policy(logGroupName=name, retentionInDays=spec().retention.audit_retention_floor_days)

    def create_audit_bucket(self, name: str, *, object_lock: bool) -> None:
        s3 = self.client("s3")
        s3.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": REGION},
            ObjectLockEnabledForBucket=object_lock,
        )
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": self.outputs["kms_key_arns"]["audit"],
                        }
                    }
                ]
            },
        )
        if object_lock:
            s3.put_object_lock_configuration(
                Bucket=name,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": spec().retention.object_lock_years}},
                },
            )


def reset(url: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")  # noqa: S310 - 127.0.0.1 only
    with urllib.request.urlopen(request) as answer:  # noqa: S310
        assert answer.status == 200


_IMAGE: dict[str, str] = {}


def _image_id(ec2: Any) -> str:
    """moto's AMI catalogue is fixed (a reset reloads the same ids): look one up once per session."""
    if "id" not in _IMAGE:
        _IMAGE["id"] = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return _IMAGE["id"]


def build(url: str) -> FakeStack:
    stack = FakeStack(url=url, outputs={})
    c = stack.client
    ec2, elb, waf, kms, logs = c("ec2"), c("elbv2"), c("wafv2"), c("kms"), c("logs")

    keys = {}
    for purpose in ("audit", "logs", "database", "ebs", "sns"):
        arn = kms.create_key(Description=f"fhirfort-test {purpose}")["KeyMetadata"]["Arn"]
        kms.enable_key_rotation(KeyId=arn)
        keys[purpose] = arn
    stack.outputs["kms_key_arns"] = keys

    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate(("a", "b"))
    ]
    app_subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.16.0/24", AvailabilityZone=f"{REGION}a")["Subnet"][
        "SubnetId"
    ]

    floor = spec().retention.audit_retention_floor_days
    flow_group, waf_group = "/fhirfort/test/vpc-flow", "aws-waf-logs-fhirfort-test"
    app_groups = ["/fhirfort/test/fhir", "/fhirfort/test/idp"]
    for name in (flow_group, waf_group, *app_groups):
        logs.create_log_group(logGroupName=name, kmsKeyId=keys["logs"])
        logs.put_retention_policy(logGroupName=name, retentionInDays=floor)
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName=flow_group,
        DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/fhirfort/flow-logs",
    )

    audit_bucket, access_bucket = "fhirfort-test-audit-1", "fhirfort-test-access-logs-1"
    stack.outputs["kms_key_arns"] = keys
    stack.create_audit_bucket(audit_bucket, object_lock=True)
    c("s3").create_bucket(Bucket=access_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})

    trail = c("cloudtrail").create_trail(
        Name="fhirfort-test",
        S3BucketName=audit_bucket,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=keys["audit"],
    )["TrailARN"]
    c("cloudtrail").start_logging(Name=trail)

    alb = elb.create_load_balancer(Name="fhirfort-test", Subnets=subnets, Scheme="internet-facing", Type="application")
    alb_arn, alb_dns = alb["LoadBalancers"][0]["LoadBalancerArn"], alb["LoadBalancers"][0]["DNSName"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=alb_arn,
        Attributes=[
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
            {"Key": "routing.http.desync_mitigation_mode", "Value": "strictest"},
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": access_bucket},
        ],
    )
    cert = c("acm").request_certificate(DomainName="fhir.example.test")["CertificateArn"]
    tg = elb.create_target_group(Name="fhir", Protocol="HTTPS", Port=spec().port("fhir_https"), VpcId=vpc)
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    https = elb.create_listener(
        LoadBalancerArn=alb_arn,
        Protocol="HTTPS",
        Port=spec().port("https"),
        SslPolicy=spec().tls.alb.default_policy,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
    )["Listeners"][0]["ListenerArn"]
    http = elb.create_listener(
        LoadBalancerArn=alb_arn,
        Protocol="HTTP",
        Port=spec().port("http_redirect"),
        DefaultActions=[
            {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
        ],
    )["Listeners"][0]["ListenerArn"]
    stack.handles["target_group"] = tg_arn

    acl = waf.create_web_acl(
        Name="fhirfort-test",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig=_vis("fhirfort-test"),
        Rules=compliant_waf_rules(),
    )["Summary"]["ARN"]
    waf.associate_web_acl(WebACLArn=acl, ResourceArn=alb_arn)
    waf.put_logging_configuration(
        LoggingConfiguration={
            "ResourceArn": acl,
            "LogDestinationConfigs": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{waf_group}"],
            "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}, {"SingleHeader": {"Name": "cookie"}}],
        }
    )

    rds = c("rds")
    rds.create_db_subnet_group(DBSubnetGroupName="fhirfort-test", DBSubnetGroupDescription="data", SubnetIds=subnets)
    stack.handles["db_subnet_group"] = "fhirfort-test"
    rds.create_db_parameter_group(
        DBParameterGroupName="fhirfort-test-pg17", DBParameterGroupFamily="postgres17", Description="fhirfort"
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="fhirfort-test-pg17",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    stack.outputs["db_parameter_group_name"] = "fhirfort-test-pg17"
    stack.create_db("fhirfort-test-db", encrypted=True)

    image = _image_id(ec2)
    template_data = {
        "ImageId": image,
        "InstanceType": "t3.small",
        "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"},
        "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False, "SubnetId": app_subnet}],
        # /dev/sda1 is moto's root device: mapping it replaces moto's unencrypted default root volume.
        "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"Encrypted": True, "VolumeSize": 20}}],
    }
    asg = c("autoscaling")
    for role in ("fhir", "idp"):
        stack.template_data = copy.deepcopy(template_data)
        lt = ec2.create_launch_template(LaunchTemplateName=f"fhirfort-test-{role}", LaunchTemplateData=template_data)
        lt_id = lt["LaunchTemplate"]["LaunchTemplateId"]
        stack.handles[f"{role}_lt"] = lt_id
        asg.create_auto_scaling_group(
            AutoScalingGroupName=f"fhirfort-test-{role}",
            LaunchTemplate={"LaunchTemplateId": lt_id, "Version": "$Latest"},
            MinSize=1,
            MaxSize=1,
            DesiredCapacity=1,
            VPCZoneIdentifier=app_subnet,
        )
        group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[f"fhirfort-test-{role}"])
        for instance in group["AutoScalingGroups"][0]["Instances"]:
            # moto gap: it does not apply a launch template's MetadataOptions to the instances it launches.
            ec2.modify_instance_metadata_options(
                InstanceId=instance["InstanceId"], HttpTokens="required", HttpEndpoint="enabled"
            )
            stack.handles[f"{role}_instance"] = instance["InstanceId"]

    topic = c("sns").create_topic(Name="fhirfort-test-alarms", Attributes={"KmsMasterKeyId": keys["sns"]})["TopicArn"]

    stack.outputs.update(
        {
            "fhir_base_url": f"https://fhir.example.test{spec().identity.fhir_base_path}",
            "smart_config_url": f"https://fhir.example.test{spec().identity.fhir_base_path}/.well-known/smart-configuration",
            "alb_arn": alb_arn,
            "alb_dns_name": alb_dns,
            "https_listener_arn": https,
            "http_listener_arn": http,
            "web_acl_arn": acl,
            "cloudtrail_arn": trail,
            "audit_bucket_name": audit_bucket,
            "access_log_bucket_name": access_bucket,
            "db_instance_identifier": "fhirfort-test-db",
            "fhir_asg_name": "fhirfort-test-fhir",
            "idp_asg_name": "fhirfort-test-idp",
            "vpc_id": vpc,
            "flow_log_group_name": flow_group,
            "waf_log_group_name": waf_group,
            "alarm_topic_arn": topic,
            "app_log_group_names": app_groups,
        }
    )
    stack.freeze()
    return stack
