"""Every live check, in report order, by check name. A check takes a `CheckContext` and returns one
`CheckResult` whose id is the control id of spec/controls.yaml that the name starts with
(`elb-01-https-tls-policy` -> `ELB-01`); a control may have several checks."""

from __future__ import annotations

from collections.abc import Callable

from fhirfort.verify_aws.checks import alb, audit, database, hosts, keys, logs, monitoring, network, waf
from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult

Check = Callable[[CheckContext], CheckResult]

ALL_CHECKS: dict[str, Check] = {
    "waf-01-alb-associated": waf.check_waf_association,
    "waf-02-managed-rules-enforce": waf.check_waf_managed_rules,
    "waf-02-default-action": waf.check_waf_default_action,
    "waf-03-rate-rule-blocks": waf.check_waf_rate_rule,
    "waf-04-logging": waf.check_waf_logging,
    "waf-05-log-redaction": waf.check_waf_log_redaction,
    "waf-06-baseline-rule-groups": waf.check_waf_baseline_groups,
    "elb-01-https-tls-policy": alb.check_https_listener_policy,
    "elb-02-http-redirects": alb.check_http_listener_redirects,
    "elb-03-drop-invalid-headers": alb.check_alb_drop_invalid_headers,
    "elb-04-desync-strictest": alb.check_alb_desync_strictest,
    "elb-05-access-logs": alb.check_alb_access_logs,
    "ct-05-trail-logging": audit.check_trail_logging,
    "ct-01-multi-region": audit.check_trail_multi_region,
    "ct-02-log-file-validation": audit.check_trail_log_validation,
    "ct-03-kms": audit.check_trail_kms,
    "s3-05-trail-to-audit-archive": audit.check_trail_to_audit_archive,
    "s3-05-audit-object-lock": audit.check_audit_object_lock,
    "s3-03-audit-versioning": audit.check_audit_versioning,
    "s3-01-audit-public-access-block": audit.check_audit_public_access_block,
    "rds-01-storage-encrypted": database.check_db_encrypted,
    "rds-02-not-public": database.check_db_not_public,
    "rds-05-deletion-protection": database.check_db_deletion_protection,
    "rds-06-iam-auth": database.check_db_iam_auth,
    "rds-11-force-ssl": database.check_db_force_ssl,
    "ec2-01-imdsv2": hosts.check_hosts_imdsv2,
    "ec2-02-hop-limit": hosts.check_hosts_hop_limit,
    "ec2-03-ebs-encrypted": hosts.check_hosts_ebs_encrypted,
    "ec2-04-no-public-ip": hosts.check_hosts_no_public_ip,
    "kms-01-rotation": keys.check_kms_rotation,
    "net-01-flow-logs": network.check_vpc_flow_logs,
    "log-01-kms": logs.check_log_kms,
    "log-02-retention": logs.check_log_retention,
    "sns-01-topic-kms": monitoring.check_alarm_topic_encrypted,
}
