"""Bad stack config stops the program with one message naming the key, before any resource is declared."""

from __future__ import annotations

from typing import Any

import pytest

from fhirfort.aws.mocked import evaluate_stack, stack_config
from fhirfort.config import ConfigError, parse_config
from fhirfort.spec import spec


def _raw(stack: str, **changes: Any) -> dict[str, Any]:
    raw = {k.split(":", 1)[1]: v for k, v in stack_config(stack).items() if k.startswith("fhirfort:")}
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not None}


BAD = [
    ("dev", {"vpcCidr": "10.0.0.0/33"}, "fhirfort:vpcCidr: '10.0.0.0/33' is not a valid IPv4 network"),
    ("dev", {"vpcCidr": "10.0.0.0/8"}, "fhirfort:vpcCidr: .* /16 to /20"),
    ("dev", {"vpcCidr": "10.0.0.0/24"}, "fhirfort:vpcCidr: .* /16 to /20"),
    ("dev", {"vpcCidr": "8.8.0.0/16"}, "fhirfort:vpcCidr: .* private"),
    ("dev", {"vpcCidr": "10.0.0.1/16"}, "fhirfort:vpcCidr: .* not a valid IPv4 network"),
    ("dev", {"clientCidrs": ["0.0.0.0/0", "300.1.1.0/24"]}, "fhirfort:clientCidrs: '300.1.1.0/24'"),
    ("dev", {"clientCidrs": []}, "fhirfort:clientCidrs: at least one"),
    ("dev", {"logRetentionDays": 365}, "fhirfort:logRetentionDays: 365 is below the floor"),
    ("dev", {"logRetentionDays": 2200}, "fhirfort:logRetentionDays: 2200 is not a CloudWatch retention value"),
    ("dev", {"tlsPolicy": "ELBSecurityPolicy-2016-08"}, "fhirfort:tlsPolicy: .* not in spec/tls.yaml"),
    ("prod", {"tlsPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}, "fhirfort:tlsPolicy: .* not a FIPS policy"),
    ("dev", {"domainName": None}, "fhirfort:domainName: is required"),
    ("dev", {"domainName": "not a name"}, "fhirfort:domainName: .* not a valid DNS name"),
    (
        "dev",
        {"certificateArn": "arn:aws:acm:eu-central-1:123456789012:certificate/x"},
        "fhirfort:hostedZoneId: .*exactly one",
    ),
    ("dev", {"hostedZoneId": None}, "fhirfort:hostedZoneId: .*exactly one"),
    ("prod", {"azCount": 2}, "fhirfort:azCount: 2 is below 3"),
    ("dev", {"azCount": 1}, "fhirfort:azCount: 1 is below 2"),
    ("dev", {"azCount": 9}, "fhirfort:azCount: 9 is above"),
    ("dev", {"objectLockYears": 5}, "fhirfort:objectLockYears: 5 is below the floor of 6"),
    ("dev", {"rateLimitPer5Min": 50}, "fhirfort:rateLimitPer5Min: 50 is outside"),
    ("dev", {"rateLimitPer5Min": 200000}, "fhirfort:rateLimitPer5Min: 200000 is outside"),
    ("dev", {"environment": "staging"}, "fhirfort:environment:"),
    ("dev", {"amiId": "debian"}, "fhirfort:amiId: 'debian' is not an AMI id"),
    ("dev", {"dbInstanceClass": "m5.large"}, "fhirfort:dbInstanceClass:"),
    ("dev", {"optOut": {"encryption": True}}, "fhirfort:optOut.encryption: is not a known key"),
    ("dev", {"sshKeyName": "ops"}, "fhirfort:sshKeyName: is not a known key"),
    (
        "dev",
        {"permissionsBoundaryArn": "arn:aws:iam::123456789012:role/fhirfort/fhirfort-ci-deploy"},
        "fhirfort:permissionsBoundaryArn: .* is not an IAM policy ARN",
    ),
    ("dev", {"permissionsBoundaryArn": "arn:aws:iam::123456789012:policy/*"}, "fhirfort:permissionsBoundaryArn: "),
    ("dev", {"permissionsBoundaryArn": "fhirfort-deploy-boundary"}, "fhirfort:permissionsBoundaryArn: .* not an IAM"),
    ("dev", {"permissionsBoundaryArn": "arn:aws:iam::12345:policy/b"}, "fhirfort:permissionsBoundaryArn: "),
    (
        "dev",
        {"artifactsWriterArns": ["arn:aws:iam::123456789012:role/*"]},
        "fhirfort:artifactsWriterArns: .* is not an IAM role or user ARN",
    ),
    ("dev", {"alarmEmail": "security at example.org"}, "fhirfort:alarmEmail: .* is not an email address"),
    ("dev", {"alarmEmail": "a@b"}, "fhirfort:alarmEmail: "),
    (
        "dev",
        {"secretRotationLambdaArn": "arn:aws:iam::123456789012:role/rotate"},
        "fhirfort:secretRotationLambdaArn: .* is not a Lambda function ARN",
    ),
    (
        "dev",
        {"artifactsWriterArns": ["arn:aws:sts::123456789012:assumed-role/ops/me"]},
        "fhirfort:artifactsWriterArns: ",
    ),
]


@pytest.mark.parametrize(("stack", "changes", "message"), BAD, ids=[f"{s}-{next(iter(c))}" for s, c, _ in BAD])
def test_bad_config_names_the_key(stack: str, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(_raw(stack, **changes))


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"vpcCidr": "10.0.0.0/33"}, "fhirfort:vpcCidr"),
        ({"logRetentionDays": 30}, "fhirfort:logRetentionDays"),
        ({"optout": {"multiAz": True}}, "fhirfort:optout: is not a known key"),
        ({"tlsPolicy": "ELBSecurityPolicy-2016-08"}, "fhirfort:tlsPolicy"),
    ],
)
def test_bad_config_stops_the_program_before_any_resource(changes: dict[str, Any], key: str) -> None:
    run = evaluate_stack("dev", changes, check=False)
    assert isinstance(run.error, ConfigError)
    assert str(run.error).startswith(key)
    assert run.resources == []


def test_permissions_boundary_is_optional_and_accepted_with_a_path() -> None:
    assert parse_config(_raw("dev")).permissions_boundary_arn is None
    arn = "arn:aws:iam::123456789012:policy/fhirfort/fhirfort-deploy-boundary"
    assert parse_config(_raw("dev", permissionsBoundaryArn=arn)).permissions_boundary_arn == arn
    assert parse_config(_raw("prod")).permissions_boundary_arn == arn  # prod documents and uses it
    gov = "arn:aws-us-gov:iam::123456789012:policy/b"
    assert parse_config(_raw("dev", permissionsBoundaryArn=gov)).permissions_boundary_arn == gov


def test_optional_notification_and_rotation_values_are_accepted() -> None:
    lam = "arn:aws:lambda:eu-central-1:123456789012:function:rotate"
    cfg = parse_config(_raw("dev", alarmEmail="security@example.org", secretRotationLambdaArn=lam))
    assert cfg.alarm_email == "security@example.org" and cfg.secret_rotation_lambda_arn == lam
    assert parse_config(_raw("dev", secretRotationLambdaArn=lam + ":live")).secret_rotation_lambda_arn == lam + ":live"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("permissionsBoundaryArn", "arn:aws:iam::210987654321:policy/fhirfort/fhirfort-deploy-boundary"),
        ("artifactsWriterArns", ["arn:aws:iam::210987654321:role/ops"]),
    ],
)
def test_arns_of_another_account_stop_the_program(key: str, value: Any) -> None:
    run = evaluate_stack("dev", {key: value}, check=False)
    assert isinstance(run.error, ConfigError)
    assert str(run.error).startswith(f"fhirfort:{key}: ") and "deploying account" in str(run.error)
    assert run.resources == []


def test_stack_files_are_valid_and_prod_is_stricter() -> None:
    dev, prod = parse_config(_raw("dev")), parse_config(_raw("prod"))
    assert prod.az_count >= 3 > 2 >= dev.az_count or prod.az_count > dev.az_count
    assert prod.deletion_protection and prod.multi_az and prod.final_snapshot
    assert prod.opt_out.model_dump() == {k: False for k in prod.opt_out.model_dump()}
    assert prod.backup_retention_days >= dev.backup_retention_days


def test_effective_values_come_from_spec() -> None:
    s = spec()
    dev = parse_config(_raw("dev"))
    assert dev.stack_ssl_policy == s.tls.alb.default_policy
    assert parse_config(_raw("prod")).stack_ssl_policy == s.tls.alb.fips_policy
    assert dev.effective_log_retention_days == s.retention.log_retention_days["dev"]
    assert dev.effective_object_lock_years == s.retention.object_lock_years
    raised = parse_config(_raw("dev", logRetentionDays=3653, objectLockYears=7))
    assert raised.effective_log_retention_days == 3653 and raised.effective_object_lock_years == 7
    assert (
        parse_config(_raw("dev", tlsPolicy=s.tls.alb.allowed_policies[-1])).stack_ssl_policy
        == s.tls.alb.allowed_policies[-1]
    )
