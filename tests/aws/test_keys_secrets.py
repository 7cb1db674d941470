"""KMS keys per purpose with rotation and scoped policies; secrets under the secrets key; nothing leaks."""

from __future__ import annotations

import json

from fhirfort.aws.keys import PURPOSES
from fhirfort.aws.mocked import MOCK_ACCOUNT, MOCK_REGION, StackRun, evaluate_stack
from fhirfort.aws.secrets import SECRETS

KEY = "aws:kms/key:Key"
SECRET = "aws:secretsmanager/secret:Secret"


def _key_policy(run: StackRun, purpose: str) -> list[dict]:
    return json.loads(run.named(f"key-{purpose}").props["policy"])["Statement"]


def test_one_rotating_key_per_purpose(run: StackRun) -> None:
    keys = {k.props["tags"]["fhirfort:purpose"]: k.props for k in run.of_type(KEY)}
    assert set(keys) == set(PURPOSES) == {"logs", "audit", "data", "secrets", "hosts", "artifacts"}
    for purpose, key in keys.items():
        assert key["enableKeyRotation"] is True, purpose
        assert key["deletionWindowInDays"] == 30
    assert set(run.outputs["kms_key_arns"]) == set(PURPOSES)


def test_key_policies_are_least_privilege(run: StackRun) -> None:
    for purpose in PURPOSES:
        statements = _key_policy(run, purpose)
        root, *services = statements
        assert root["Principal"] == {"AWS": f"arn:aws:iam::{MOCK_ACCOUNT}:root"}
        for s in services:
            assert s["Effect"] == "Allow"
            assert s["Action"] != "kms:*" and "kms:*" not in s["Action"], (purpose, s["Sid"])
            assert s["Principal"] != {"AWS": "*"} and s["Principal"] != "*", (purpose, s["Sid"])
            if s["Principal"] == {"AWS": f"arn:aws:iam::{MOCK_ACCOUNT}:root"}:
                conditions = s["Condition"]["StringEquals"]
                assert conditions["kms:CallerAccount"] == MOCK_ACCOUNT
                assert conditions["kms:ViaService"].endswith(f".{MOCK_REGION}.amazonaws.com")
            elif "Service" in s["Principal"]:
                assert s.get("Condition"), (purpose, s["Sid"])
    logs = _key_policy(run, "logs")[1]
    assert logs["Principal"] == {"Service": f"logs.{MOCK_REGION}.amazonaws.com"}
    assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["ArnLike"]


def test_only_expected_services_use_each_key(run: StackRun) -> None:
    via = {
        p: {
            s["Condition"]["StringEquals"]["kms:ViaService"].split(".")[0]
            for s in _key_policy(run, p)
            if "kms:ViaService" in s.get("Condition", {}).get("StringEquals", {})
        }
        for p in PURPOSES
    }
    assert via["data"] == {"rds"}
    assert via["secrets"] == {"secretsmanager"}
    assert via["hosts"] == {"ec2"}
    assert via["artifacts"] == {"s3"}
    assert via["logs"] == set() and via["audit"] == set()


def test_grants_only_for_aws_resources_and_never_combined_with_use(run: StackRun) -> None:
    for purpose in PURPOSES:
        for s in _key_policy(run, purpose)[1:]:
            actions = [s["Action"]] if isinstance(s["Action"], str) else s["Action"]
            if "kms:CreateGrant" in actions:
                assert actions == ["kms:CreateGrant"], (purpose, s["Sid"])
                assert s["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
            else:
                assert "Bool" not in s.get("Condition", {}), (purpose, s["Sid"])


def test_app_secrets_encrypted_with_secrets_key(run: StackRun) -> None:
    secrets = run.of_type(SECRET)
    assert {s.name.removeprefix("secret-") for s in secrets} == set(SECRETS)
    for s in secrets:
        assert s.props["kmsKeyId"] == run.outputs["kms_key_arns"]["secrets"]
        assert s.props["name"].startswith(f"fhirfort/{run.stack}/")


def test_generated_secret_values_are_pulumi_secrets(run: StackRun) -> None:
    versions = run.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert len(versions) == sum(1 for s in SECRETS.values() if s.generated)
    for v in versions:
        assert "secretString" in v.secret_paths, v.name


def test_rotation_only_with_a_configured_lambda(dev_run: StackRun) -> None:
    assert not dev_run.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    arn = f"arn:aws:lambda:{MOCK_REGION}:{MOCK_ACCOUNT}:function:rotate"
    run = evaluate_stack("dev", {"secretRotationLambdaArn": arn})
    rotations = run.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    assert len(rotations) == len(SECRETS)
    assert all(r.props["rotationLambdaArn"] == arn for r in rotations)
    assert all(r.props["rotationRules"]["automaticallyAfterDays"] <= 90 for r in rotations)


def test_db_master_secret_is_rds_managed_under_secrets_key(run: StackRun) -> None:
    db = run.one("aws:rds/instance:Instance").props
    assert db["manageMasterUserPassword"] is True
    assert db["masterUserSecretKmsKeyId"] == run.outputs["kms_key_arns"]["secrets"]
    assert "password" not in db


def test_no_secret_in_outputs_or_plain_inputs(run: StackRun) -> None:
    plain = json.dumps(run.outputs)
    assert "mock-random-password" not in plain
    for r in run.resources:
        if "mock-random-password" in json.dumps(r.props):
            assert r.secret_paths, f"{r.name} carries a generated secret in a non-secret input"
    assert not run.secret_outputs  # nothing secret is exported at all
