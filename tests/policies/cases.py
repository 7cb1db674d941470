"""One violating change per policy (the compliant stack is tests/policies/baseline.py)."""

from __future__ import annotations

from .baseline import ROOT, Change, arn, doc, tls_deny

S = Change

CASES: dict[str, Change] = {
    # network
    "net-01-vpc-flow-logs": S("set", "flow-log", "trafficType", "REJECT"),
    "net-02-default-sg-closed": S(
        "set", "default-sg", "ingress", [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]
    ),
    "net-02-default-sg-adopted": S("drop", "default-sg"),
    "net-03-subnet-no-auto-public-ip": S("set", "subnet-app", "mapPublicIpOnLaunch", True),
    "net-04-sg-world-ingress-web-only": S("set", "alb-https", "toPort", 8443.0),
    "net-05-world-ingress-only-on-alb": S("set", "alb", "securityGroups", []),
    "net-06-no-admin-ports": S("set", "app-from-alb", "fromPort", 22.0),
    "net-07-vpc-endpoints": S("drop", "endpoint-kms"),
    "net-08-endpoint-private-dns": S("set", "endpoint-kms", "privateDnsEnabled", False),
    "net-09-no-internet-egress": S("set", "alb-to-app", "cidrIpv4", "0.0.0.0/0"),
    "net-10-nacl-no-world-admin-ports": S("set", "nacl-in", "toPort", 3389.0),
    "net-11-internet-routes-public-tier-only": S("set", "assoc-app", "routeTableId", "rt-public-id"),
    # alb
    "elb-01-https-listener-tls-policy": S("set", "listener-https", "sslPolicy", "ELBSecurityPolicy-2016-08"),
    "elb-02-plaintext-listener-redirects": S("set", "listener-http", "defaultActions.0.type", "forward"),
    "elb-03-drop-invalid-headers": S("set", "alb", "dropInvalidHeaderFields", False),
    "elb-04-desync-strictest": S("set", "alb", "desyncMitigationMode", "defensive"),
    "elb-05-access-logs": S("set", "alb", "accessLogs.enabled", False),
    "elb-06-deletion-protection-prod": S("set", "alb", "enableDeletionProtection", False),
    "elb-07-target-group-https": S("set", "tg", "protocol", "HTTP"),
    # waf
    "waf-01-alb-associated": S("drop", "acl-association"),
    "waf-02-managed-rules-not-count": S("set", "acl", "rules.0.overrideAction", {"count": {}}),
    "waf-03-rate-based-rule": S("set", "acl", "rules.2.action", {"count": {}}),
    "waf-04-logging-configured": S("drop", "acl-logging"),
    "waf-05-log-redaction": S("set", "acl-logging", "redactedFields.1.singleHeader.name", "user-agent"),
    "waf-06-baseline-rule-groups": S(
        "set", "acl", "rules.1.statement.managedRuleGroupStatement.name", "AWSManagedRulesSQLiRuleSet"
    ),
    # acm
    "acm-01-managed-renewal": S("set", "cert", "validationMethod", "EMAIL"),
    "acm-02-strong-transparent-certificate": S("set", "cert", "keyAlgorithm", "RSA_1024"),
    # cloudtrail
    "ct-01-multi-region": S("set", "trail", "isMultiRegionTrail", False),
    "ct-02-log-file-validation": S("set", "trail", "enableLogFileValidation", False),
    "ct-03-kms-encrypted": S("del", "trail", "kmsKeyId"),
    "ct-04-cloudwatch-delivery": S("del", "trail", "cloudWatchLogsGroupArn"),
    "ct-05-trail-present": S("drop", "trail"),
    # s3
    "s3-01-public-access-block-all": S("set", "audit-pab", "restrictPublicBuckets", False),
    "s3-01-every-bucket-public-access-block": S("drop", "logs-pab"),
    "s3-02-every-bucket-sse-kms": S(
        "set", "audit-sse", "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm", "AES256"
    ),
    "s3-03-every-bucket-versioned": S("set", "audit-versioning", "versioningConfiguration.status", "Suspended"),
    "s3-04-bucket-policy-tls-only": S(
        "set",
        "audit-policy",
        "policy",
        doc({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "s3:GetObject", "Resource": "*"}),
    ),
    "s3-04-every-bucket-tls-only": S("drop", "logs-policy"),
    "s3-05-object-lock-compliance": S("set", "audit-lock", "rule.defaultRetention.mode", "GOVERNANCE"),
    "s3-05-audit-bucket-object-lock": S("set", "audit-bucket", "objectLockEnabled", False),
    "s3-06-every-bucket-owner-enforced": S("set", "logs-ownership", "rule.objectOwnership", "ObjectWriter"),
    "s3-07-no-public-grants": S(
        "set",
        "audit-policy",
        "policy",
        doc(tls_deny(), {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}),
    ),
    "s3-08-every-bucket-access-logging": S("drop", "audit-logging"),
    # kms
    "kms-01-key-rotation": S("set", "key", "enableKeyRotation", False),
    "kms-02-no-wildcard-principal": S(
        "set",
        "key",
        "policy",
        doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}),
    ),
    "kms-03-deletion-window-prod": S("set", "key", "deletionWindowInDays", 7),
    # logs, sns
    "log-01-log-group-kms": S("del", "log-group", "kmsKeyId"),
    "log-02-log-group-retention": S("set", "log-group", "retentionInDays", 365),
    "sns-01-topic-kms": S("del", "topic", "kmsMasterKeyId"),
    "sns-02-topic-policy-tls-only": S(
        "set",
        "topic-policy",
        "policy",
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": arn("topic"),
            }
        ),
    ),
    "sns-02-every-topic-tls-only": S("drop", "topic-policy"),
    # rds
    "rds-01-storage-encrypted": S("set", "db", "storageEncrypted", False),
    "rds-02-not-public": S("set", "db", "publiclyAccessible", True),
    "rds-03-backup-retention": S("set", "db", "backupRetentionPeriod", 7),
    "rds-04-multi-az-prod": S("set", "db", "multiAz", False),
    "rds-05-deletion-protection-prod": S("set", "db", "deletionProtection", False),
    "rds-06-iam-auth": S("set", "db", "iamDatabaseAuthenticationEnabled", False),
    "rds-07-log-exports": S("set", "db", "enabledCloudwatchLogsExports", ["postgresql"]),
    "rds-08-auto-minor-upgrade": S("set", "db", "autoMinorVersionUpgrade", False),
    "rds-09-copy-tags-to-snapshot": S("set", "db", "copyTagsToSnapshot", False),
    "rds-10-performance-insights-kms": S("del", "db", "performanceInsightsKmsKeyId"),
    "rds-11-parameter-group-force-ssl": S("set", "pg", "parameters.0.value", "0"),
    "rds-11-every-instance-forces-ssl": S("set", "db", "parameterGroupName", "default.postgres17"),
    "rds-12-managed-master-password": S("set", "db", "manageMasterUserPassword", False),
    "rds-13-enhanced-monitoring": S("set", "db", "monitoringInterval", 0),
    # secrets
    "sec-01-secret-cmk": S("del", "secret", "kmsKeyId"),
    "sec-02-secret-rotation": S("drop", "secret-rotation"),
    # hosts
    "ec2-01-imdsv2-required": S("set", "lt", "metadataOptions.httpTokens", "optional"),
    "ec2-02-imds-hop-limit": S("set", "lt", "metadataOptions.httpPutResponseHopLimit", 2.0),
    "ec2-03-ebs-encrypted": S("set", "lt", "blockDeviceMappings.0.ebs.encrypted", "false"),
    "ec2-04-no-public-ip": S("set", "lt", "networkInterfaces.0.associatePublicIpAddress", "true"),
    "ec2-05-no-key-pair": S("set", "lt", "keyName", "ops"),
    "ec2-06-detailed-monitoring": S("set", "lt", "monitoring.enabled", False),
    "ec2-07-asg-launch-template-private": S("set", "asg", "launchTemplate.id", "lt-elsewhere"),
    "ec2-08-asg-elb-health-check": S("set", "asg", "healthCheckType", "EC2"),
    "ec2-09-instance-profile": S("del", "lt", "iamInstanceProfile"),
    # iam
    "iam-01-no-admin-statements": S(
        "set", "role-policy", "policy", doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    ),
    "iam-02-no-broad-managed-policies": S(
        "set", "role-ssm", "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess"
    ),
    "iam-03-no-sensitive-service-wildcards": S(
        "set", "role-policy", "policy", doc({"Effect": "Allow", "Action": "kms:*", "Resource": arn("key")})
    ),
    "iam-04-no-iam-users": S("add", "operator", value={"name": "operator"}, type="aws:iam/user:User"),
    # governance: an opt-out tag on a waivable control is always reported
    "gov-01-opt-outs-reported": S("set", "db", "tags", {"fhirfort:opt-out:RDS-13": "cost review 2026-12"}),
}
