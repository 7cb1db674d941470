"""CIS AWS Foundations (section "Monitoring") metric filters on the CloudTrail log group.

Each entry: alarm id -> (CIS control, CloudWatch Logs filter pattern). Any match raises the alarm (>= 1
in 5 minutes) to the encrypted SNS topic.
"""

from __future__ import annotations


def _any_event(*names: str, source: str | None = None) -> str:
    names_expr = " || ".join(f"($.eventName = {n})" for n in names)
    if source is None:
        return "{ " + names_expr + " }"
    return "{ ($.eventSource = " + source + ") && (" + names_expr + ") }"


CIS_ALARMS: dict[str, tuple[str, str]] = {
    "unauthorized-api-calls": (
        "CIS 4.1",
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
        '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    ),
    "console-signin-without-mfa": (
        "CIS 4.2",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    "root-account-usage": (
        "CIS 4.3",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    ),
    "iam-policy-changes": (
        "CIS 4.4",
        _any_event(
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        ),
    ),
    "cloudtrail-config-changes": (
        "CIS 4.5",
        _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
    ),
    "console-auth-failures": (
        "CIS 4.6",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    ),
    "kms-key-disable-or-deletion": (
        "CIS 4.7",
        _any_event("DisableKey", "ScheduleKeyDeletion", source="kms.amazonaws.com"),
    ),
    "s3-bucket-policy-changes": (
        "CIS 4.8",
        _any_event(
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
            source="s3.amazonaws.com",
        ),
    ),
    "security-group-changes": (
        "CIS 4.10",
        _any_event(
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ),
    ),
    "nacl-changes": (
        "CIS 4.11",
        _any_event(
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ),
    ),
    "network-gateway-changes": (
        "CIS 4.12",
        _any_event(
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        ),
    ),
    "route-table-changes": (
        "CIS 4.13",
        _any_event(
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        ),
    ),
    "vpc-changes": (
        "CIS 4.14",
        _any_event(
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        ),
    ),
}
