"""A small compliant stack in wire (camelCase) form: every policy of the pack passes on it.

Each test case changes ONE thing (one field, or one resource removed / added) and expects exactly the
policy under test to flag it. Outputs (what stack policies see) are the inputs plus `id` and `arn`, the
values other resources hold when they refer to a resource.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fhirfort.compliance.evaluator import Declared
from fhirfort.spec import spec

ACCOUNT = "123456789012"
REGION = "eu-central-1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def ident(name: str) -> str:
    return f"{name}-id"


def arn(name: str) -> str:
    return f"arn:aws:test:{REGION}:{ACCOUNT}:{name}"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def tls_deny(service: str = "s3") -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": f"{service}:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _endpoints() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            f"endpoint-{svc}",
            {
                "vpcId": ident("vpc"),
                "serviceName": f"com.amazonaws.{REGION}.{svc}",
                "vpcEndpointType": "Interface",
                "privateDnsEnabled": True,
            },
        )
        for svc in ("ssm", "ssmmessages", "ec2messages", "secretsmanager", "kms", "logs")
    ]


def _bucket(name: str, purpose: str, sse: dict[str, Any], lock: bool) -> list[tuple[str, str, dict[str, Any]]]:
    b = ident(f"{name}-bucket")
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("aws:s3/bucket:Bucket", f"{name}-bucket", {"tags": {"fhirfort:purpose": purpose}, "objectLockEnabled": lock}),
        (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            f"{name}-pab",
            {
                "bucket": b,
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
        ),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            f"{name}-sse",
            {"bucket": b, "rules": [{"applyServerSideEncryptionByDefault": sse, "bucketKeyEnabled": True}]},
        ),
        (
            "aws:s3/bucketVersioning:BucketVersioning",
            f"{name}-versioning",
            {"bucket": b, "versioningConfiguration": {"status": "Enabled"}},
        ),
        ("aws:s3/bucketPolicy:BucketPolicy", f"{name}-policy", {"bucket": b, "policy": doc(tls_deny())}),
        (
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            f"{name}-ownership",
            {"bucket": b, "rule": {"objectOwnership": "BucketOwnerEnforced"}},
        ),
    ]
    return out


def resources() -> list[tuple[str, str, dict[str, Any]]]:
    """(type, name, inputs) of the compliant stack."""
    key = arn("key")
    alb_tls = spec().tls.alb.default_policy
    monitor = {"enabled": True}
    return [
        # --- network
        ("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.40.0.0/16"}),
        ("aws:ec2/subnet:Subnet", "subnet-public", {"vpcId": ident("vpc"), "tags": {"fhirfort:tier": "public"}}),
        (
            "aws:ec2/subnet:Subnet",
            "subnet-app",
            {"vpcId": ident("vpc"), "tags": {"fhirfort:tier": "app"}, "mapPublicIpOnLaunch": False},
        ),
        ("aws:ec2/internetGateway:InternetGateway", "igw", {"vpcId": ident("vpc")}),
        ("aws:ec2/routeTable:RouteTable", "rt-public", {"vpcId": ident("vpc")}),
        ("aws:ec2/routeTable:RouteTable", "rt-app", {"vpcId": ident("vpc")}),
        (
            "aws:ec2/route:Route",
            "route-internet",
            {"routeTableId": ident("rt-public"), "gatewayId": ident("igw"), "destinationCidrBlock": "0.0.0.0/0"},
        ),
        (
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "assoc-public",
            {"routeTableId": ident("rt-public"), "subnetId": ident("subnet-public")},
        ),
        (
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "assoc-app",
            {"routeTableId": ident("rt-app"), "subnetId": ident("subnet-app")},
        ),
        (
            "aws:ec2/flowLog:FlowLog",
            "flow-log",
            {"vpcId": ident("vpc"), "trafficType": "ALL", "logDestination": arn("log-group")},
        ),
        (
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
            "default-sg",
            {"vpcId": ident("vpc"), "ingress": [], "egress": []},
        ),
        ("aws:ec2/securityGroup:SecurityGroup", "sg-alb", {"vpcId": ident("vpc")}),
        ("aws:ec2/securityGroup:SecurityGroup", "sg-app", {"vpcId": ident("vpc")}),
        (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "alb-https",
            {
                "securityGroupId": ident("sg-alb"),
                "cidrIpv4": "0.0.0.0/0",
                "ipProtocol": "tcp",
                "fromPort": 443.0,
                "toPort": 443.0,
            },
        ),
        (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "alb-http",
            {
                "securityGroupId": ident("sg-alb"),
                "cidrIpv4": "0.0.0.0/0",
                "ipProtocol": "tcp",
                "fromPort": 80.0,
                "toPort": 80.0,
            },
        ),
        (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "app-from-alb",
            {
                "securityGroupId": ident("sg-app"),
                "referencedSecurityGroupId": ident("sg-alb"),
                "ipProtocol": "tcp",
                "fromPort": 8443.0,
                "toPort": 8443.0,
            },
        ),
        (
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            "app-from-alb-idp",
            {
                "type": "ingress",
                "securityGroupId": ident("sg-app"),
                "sourceSecurityGroupId": ident("sg-alb"),
                "protocol": "tcp",
                "fromPort": 8444,
                "toPort": 8444,
            },
        ),
        (
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            "alb-to-app",
            {
                "securityGroupId": ident("sg-alb"),
                "referencedSecurityGroupId": ident("sg-app"),
                "ipProtocol": "tcp",
                "fromPort": 8443.0,
                "toPort": 8443.0,
            },
        ),
        (
            "aws:ec2/networkAclRule:NetworkAclRule",
            "nacl-in",
            {
                "ruleNumber": 100.0,
                "egress": False,
                "ruleAction": "allow",
                "protocol": "tcp",
                "fromPort": 443.0,
                "toPort": 443.0,
                "cidrBlock": "0.0.0.0/0",
            },
        ),
        *_endpoints(),
        # --- edge
        (
            "aws:lb/loadBalancer:LoadBalancer",
            "alb",
            {
                "loadBalancerType": "application",
                "internal": False,
                "securityGroups": [ident("sg-alb")],
                "dropInvalidHeaderFields": True,
                "desyncMitigationMode": "strictest",
                "accessLogs": {"enabled": True, "bucket": ident("logs-bucket"), "prefix": "alb"},
                "enableDeletionProtection": True,
            },
        ),
        (
            "aws:lb/listener:Listener",
            "listener-https",
            {
                "loadBalancerArn": arn("alb"),
                "port": 443,
                "protocol": "HTTPS",
                "sslPolicy": alb_tls,
                "certificateArn": arn("cert"),
                "defaultActions": [{"type": "forward", "targetGroupArn": arn("tg")}],
            },
        ),
        (
            "aws:lb/listener:Listener",
            "listener-http",
            {
                "loadBalancerArn": arn("alb"),
                "port": 80,
                "protocol": "HTTP",
                "defaultActions": [
                    {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
                ],
            },
        ),
        (
            "aws:lb/targetGroup:TargetGroup",
            "tg",
            {"protocol": "HTTPS", "port": 8443, "healthCheck": {"protocol": "HTTPS", "path": "/fhir/metadata"}},
        ),
        (
            "aws:wafv2/webAcl:WebAcl",
            "acl",
            {
                "scope": "REGIONAL",
                "defaultAction": {"allow": {}},
                "rules": [
                    {
                        "name": "common",
                        "priority": 1,
                        "overrideAction": {"none": {}},
                        "statement": {
                            "managedRuleGroupStatement": {"name": "AWSManagedRulesCommonRuleSet", "vendorName": "AWS"}
                        },
                    },
                    {
                        "name": "known-bad-inputs",
                        "priority": 2,
                        "overrideAction": {"none": {}},
                        "statement": {
                            "managedRuleGroupStatement": {
                                "name": "AWSManagedRulesKnownBadInputsRuleSet",
                                "vendorName": "AWS",
                            }
                        },
                    },
                    {
                        "name": "rate",
                        "priority": 3,
                        "action": {"block": {}},
                        "statement": {"rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP"}},
                    },
                ],
            },
        ),
        (
            "aws:wafv2/webAclAssociation:WebAclAssociation",
            "acl-association",
            {"resourceArn": arn("alb"), "webAclArn": arn("acl")},
        ),
        (
            "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
            "acl-logging",
            {
                "resourceArn": arn("acl"),
                "logDestinationConfigs": [arn("waf-log-group")],
                "redactedFields": [{"singleHeader": {"name": "authorization"}}, {"singleHeader": {"name": "cookie"}}],
            },
        ),
        (
            "aws:acm/certificate:Certificate",
            "cert",
            {"domainName": "fhir.example.org", "validationMethod": "DNS", "keyAlgorithm": "EC_prime256v1"},
        ),
        # --- audit
        (
            "aws:cloudtrail/trail:Trail",
            "trail",
            {
                "s3BucketName": ident("audit-bucket"),
                "isMultiRegionTrail": True,
                "includeGlobalServiceEvents": True,
                "enableLogFileValidation": True,
                "kmsKeyId": key,
                "cloudWatchLogsGroupArn": arn("trail-log-group") + ":*",
                "cloudWatchLogsRoleArn": arn("trail-role"),
            },
        ),
        *_bucket("audit", "audit", {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key}, lock=True),
        *_bucket("logs", "access-logs", {"sseAlgorithm": "AES256"}, lock=False),
        (
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
            "audit-lock",
            {
                "bucket": ident("audit-bucket"),
                "rule": {"defaultRetention": {"mode": "COMPLIANCE", "years": spec().retention.object_lock_years}},
            },
        ),
        (
            "aws:s3/bucketLogging:BucketLogging",
            "audit-logging",
            {"bucket": ident("audit-bucket"), "targetBucket": ident("logs-bucket"), "targetPrefix": "s3/audit/"},
        ),
        (
            "aws:kms/key:Key",
            "key",
            {
                "enableKeyRotation": True,
                "policy": doc(
                    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
                ),
            },
        ),
        (
            "aws:cloudwatch/logGroup:LogGroup",
            "log-group",
            {"kmsKeyId": key, "retentionInDays": spec().retention.log_retention_days["prod"]},
        ),
        ("aws:sns/topic:Topic", "topic", {"kmsMasterKeyId": key}),
        (
            "aws:sns/topicPolicy:TopicPolicy",
            "topic-policy",
            {
                "arn": arn("topic"),
                "policy": doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": arn("topic"),
                    },
                    tls_deny("sns"),
                ),
            },
        ),
        # --- data
        (
            "aws:rds/parameterGroup:ParameterGroup",
            "pg",
            {"name": "fhirfort-pg", "family": "postgres17", "parameters": [{"name": "rds.force_ssl", "value": "1"}]},
        ),
        (
            "aws:rds/instance:Instance",
            "db",
            {
                "engine": "postgres",
                "storageEncrypted": True,
                "kmsKeyId": key,
                "publiclyAccessible": False,
                "backupRetentionPeriod": spec().retention.backup_retention_days["prod"],
                "multiAz": True,
                "deletionProtection": True,
                "skipFinalSnapshot": False,
                "iamDatabaseAuthenticationEnabled": True,
                "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
                "autoMinorVersionUpgrade": True,
                "copyTagsToSnapshot": True,
                "performanceInsightsEnabled": True,
                "performanceInsightsKmsKeyId": key,
                "parameterGroupName": "fhirfort-pg",
                "manageMasterUserPassword": True,
                "masterUserSecretKmsKeyId": key,
                "monitoringInterval": 60,
                "monitoringRoleArn": arn("rds-monitoring"),
            },
        ),
        ("aws:secretsmanager/secret:Secret", "secret", {"kmsKeyId": key}),
        (
            "aws:secretsmanager/secretRotation:SecretRotation",
            "secret-rotation",
            {"secretId": arn("secret"), "rotationRules": {"automaticallyAfterDays": 30}},
        ),
        # --- hosts
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            "lt",
            {
                "metadataOptions": {
                    "httpTokens": "required",
                    "httpPutResponseHopLimit": 1.0,
                    "httpEndpoint": "enabled",
                },
                "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": key}}],
                "networkInterfaces": [{"deviceIndex": 0.0, "associatePublicIpAddress": "false"}],
                "monitoring": monitor,
                "iamInstanceProfile": {"arn": arn("profile")},
            },
        ),
        (
            "aws:ec2/instance:Instance",
            "bastionless",
            {
                "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
                "rootBlockDevice": {"encrypted": True},
                "associatePublicIpAddress": False,
                "monitoring": True,
                "iamInstanceProfile": "profile",
            },
        ),
        (
            "aws:autoscaling/group:Group",
            "asg",
            {
                "launchTemplate": {"id": ident("lt"), "version": "$Latest"},
                "targetGroupArns": [arn("tg")],
                "healthCheckType": "ELB",
            },
        ),
        # --- identity
        (
            "aws:iam/role:Role",
            "role",
            {
                "assumeRolePolicy": doc(
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ),
                "inlinePolicies": [
                    {"name": "kms", "policy": doc({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key})}
                ],
            },
        ),
        (
            "aws:iam/rolePolicy:RolePolicy",
            "role-policy",
            {
                "role": ident("role"),
                "policy": doc(
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": arn("log-group"),
                    }
                ),
            },
        ),
        (
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "role-ssm",
            {"role": ident("role"), "policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"},
        ),
    ]


# --------------------------------------------------------------------------- mutations
def _set(obj: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        obj = obj[int(part)] if isinstance(obj, list) else obj.setdefault(part, {})
    last = parts[-1]
    if isinstance(obj, list):
        obj[int(last)] = value
    else:
        obj[last] = value


def _delete(obj: Any, path: str) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    del obj[parts[-1]]


@dataclass(frozen=True)
class Change:
    """One change to the compliant stack: set or delete one field, drop one resource, or add one."""

    kind: str  # "set" | "del" | "drop" | "add"
    resource: str
    path: str = ""
    value: Any = None
    type: str = ""

    def apply(self, items: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str, dict[str, Any]]]:
        items = copy.deepcopy(items)
        if self.kind == "add":
            return [*items, (self.type, self.resource, copy.deepcopy(self.value))]
        names = [n for _, n, _ in items]
        assert self.resource in names, f"no resource {self.resource} in the baseline"
        if self.kind == "drop":
            return [i for i in items if i[1] != self.resource]
        props = next(p for _, n, p in items if n == self.resource)
        if self.kind == "set":
            _set(props, self.path, self.value)
        elif self.kind == "del":
            _delete(props, self.path)
        else:
            raise ValueError(self.kind)
        return items


def declared(items: list[tuple[str, str, dict[str, Any]]]) -> list[Declared]:
    out = []
    for typ, name, props in items:
        urn = f"urn:pulumi:test::fhirfort::{typ}::{name}"
        outputs = {
            **props,
            "id": props.get("bucket") if typ == "aws:s3/bucket:Bucket" and "bucket" in props else ident(name),
        }
        outputs.setdefault("arn", arn(name))
        out.append(Declared(typ, name, urn, props, outputs, None))
    return out


def stack(change: Change | None = None, extra: Callable[[list[Any]], list[Any]] | None = None) -> list[Declared]:
    items = resources()
    if change is not None:
        items = change.apply(items)
    if extra is not None:
        items = extra(items)
    return declared(items)
