"""The bootstrap template is valid CloudFormation (cfn-lint, no errors, no warnings) and hardened
(fhirfort.bootstrap_checks); each hardening check fails on a mutated copy that breaks one thing."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

from fhirfort.bootstrap_checks import TEMPLATE_PATH, check_template, load_template
from fhirfort.spec import spec

CFN_LINT = Path(sys.executable).parent / "cfn-lint"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def _res(t: dict[str, Any], name: str) -> dict[str, Any]:
    return t["Resources"][name]["Properties"]


# ---------------------------------------------------------------- the shipped template


def test_cfn_lint_exit_code_is_zero() -> None:
    """The CLI as an operator runs it: exit 0 means no error (2), warning (4) or informational (8)."""
    proc = subprocess.run(
        [str(CFN_LINT), "--non-zero-exit-code", "informational", "--", str(TEMPLATE_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cfn_lint_api_reports_nothing() -> None:
    matches = lint_file(TEMPLATE_PATH, ManualArgs(regions=["us-east-1", "eu-central-1"]))
    assert matches == [], "\n".join(str(m) for m in matches)


def test_structural_checks_pass(template: dict[str, Any]) -> None:
    findings = check_template(template)
    assert findings == [], "\n".join(str(f) for f in findings)


def test_state_bucket_shape(template: dict[str, Any]) -> None:
    bucket = _res(template, "StateBucket")
    sse = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": ["StateKey", "Arn"]},
    }
    assert sse["BucketKeyEnabled"] is True
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogBucket"}
    assert template["Resources"]["StateBucket"]["DeletionPolicy"] == "Retain"


def test_trust_policy_is_github_main_only(template: dict[str, Any]) -> None:
    (stmt,) = _res(template, "DeployRole")["AssumeRolePolicyDocument"]["Statement"]
    equals = stmt["Condition"]["StringEquals"]
    assert equals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    sub = equals["token.actions.githubusercontent.com:sub"]["Fn::If"]
    assert sub[2] == [{"Fn::Sub": "repo:${GitHubOrg}/${GitHubRepo}:ref:refs/heads/${GitHubBranch}"}]
    assert template["Parameters"]["GitHubBranch"]["Default"] == "main"
    assert "StringLike" not in stmt["Condition"]


def test_oidc_provider_is_conditional(template: dict[str, Any]) -> None:
    assert template["Resources"]["GitHubOidcProvider"]["Condition"] == "CreateOidcProvider"
    assert template["Conditions"]["CreateOidcProvider"] == {"Fn::Equals": [{"Ref": "ExistingOidcProviderArn"}, ""]}


def test_access_log_retention_floor_matches_spec(template: dict[str, Any]) -> None:
    param = template["Parameters"]["AccessLogRetentionDays"]
    floor = spec().retention.audit_retention_floor_days
    assert param["MinValue"] == floor, "bootstrap AccessLogRetentionDays.MinValue drifted from spec/retention.yaml"
    assert param["Default"] >= floor


def test_outputs_give_the_pulumi_commands(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["PulumiLogin"]["Value"]["Fn::Sub"].startswith("pulumi login 's3://${StateBucket}")
    assert outputs["SecretsProvider"]["Value"]["Fn::Sub"].startswith("awskms://${StateKeyAlias}")


# ---------------------------------------------------------------- negative: one mutation, one finding


def _pab_off(t: dict[str, Any]) -> None:
    _res(t, "StateBucket")["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] = False


def _pab_missing(t: dict[str, Any]) -> None:
    del _res(t, "AccessLogBucket")["PublicAccessBlockConfiguration"]


def _acls_enabled(t: dict[str, Any]) -> None:
    _res(t, "StateBucket")["OwnershipControls"]["Rules"][0]["ObjectOwnership"] = "ObjectWriter"


def _versioning_suspended(t: dict[str, Any]) -> None:
    _res(t, "StateBucket")["VersioningConfiguration"]["Status"] = "Suspended"


def _sse_s3_on_state(t: dict[str, Any]) -> None:
    _res(t, "StateBucket")["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] = {"SSEAlgorithm": "AES256"}


def _foreign_key(t: dict[str, Any]) -> None:
    _res(t, "StateBucket")["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
        "KMSMasterKeyID"
    ] = "alias/aws/s3"


def _no_tls_statement(t: dict[str, Any]) -> None:
    stmts = _res(t, "StateBucketPolicy")["PolicyDocument"]["Statement"]
    stmts[:] = [s for s in stmts if s["Sid"] != "DenyInsecureTransport"]


def _no_logging(t: dict[str, Any]) -> None:
    del _res(t, "StateBucket")["LoggingConfiguration"]


def _no_noncurrent_expiry(t: dict[str, Any]) -> None:
    del _res(t, "StateBucket")["LifecycleConfiguration"]["Rules"][0]["NoncurrentVersionExpiration"]


def _rotation_off(t: dict[str, Any]) -> None:
    _res(t, "StateKey")["EnableKeyRotation"] = False


def _key_open_to_all(t: dict[str, Any]) -> None:
    stmt = _res(t, "StateKey")["KeyPolicy"]["Statement"][1]
    stmt["Principal"] = {"AWS": "*"}


def _key_star(t: dict[str, Any]) -> None:
    _res(t, "StateKey")["KeyPolicy"]["Statement"][0]["Action"] = "kms:*"


def _no_alias(t: dict[str, Any]) -> None:
    del t["Resources"]["StateKeyAlias"]


def _trust_without_sub(t: dict[str, Any]) -> None:
    stmt = _res(t, "DeployRole")["AssumeRolePolicyDocument"]["Statement"][0]
    del stmt["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]


def _trust_wildcard_sub(t: dict[str, Any]) -> None:
    stmt = _res(t, "DeployRole")["AssumeRolePolicyDocument"]["Statement"][0]
    del stmt["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
    stmt["Condition"]["StringLike"] = {"token.actions.githubusercontent.com:sub": "repo:acme/*"}


def _trust_wrong_aud(t: dict[str, Any]) -> None:
    stmt = _res(t, "DeployRole")["AssumeRolePolicyDocument"]["Statement"][0]
    stmt["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"] = "https://github.com/acme"


def _trust_also_account(t: dict[str, Any]) -> None:
    stmt = _res(t, "DeployRole")["AssumeRolePolicyDocument"]["Statement"][0]
    stmt["Principal"]["AWS"] = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}


def _no_boundary(t: dict[str, Any]) -> None:
    del _res(t, "DeployRole")["PermissionsBoundary"]


def _boundary_allows_key_deletion(t: dict[str, Any]) -> None:
    stmts = _res(t, "DeployBoundary")["PolicyDocument"]["Statement"]
    for s in stmts:
        if s["Sid"] == "DenyDeletingProtectedKeys":
            s["Action"].remove("kms:ScheduleKeyDeletion")


def _boundary_allows_boundary_removal(t: dict[str, Any]) -> None:
    stmts = _res(t, "DeployBoundary")["PolicyDocument"]["Statement"]
    stmts[:] = [s for s in stmts if s["Sid"] != "DenyBoundaryRemoval"]


def _no_role_output(t: dict[str, Any]) -> None:
    del t["Outputs"]["DeployRoleArn"]


MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    "public access block off": (_pab_off, "BOOT-S3-PAB", "StateBucket"),
    "public access block missing": (_pab_missing, "BOOT-S3-PAB", "AccessLogBucket"),
    "ACLs enabled": (_acls_enabled, "BOOT-S3-OWNER", "StateBucket"),
    "versioning suspended": (_versioning_suspended, "BOOT-S3-VERSIONING", "StateBucket"),
    "SSE-S3 on state bucket": (_sse_s3_on_state, "BOOT-S3-SSE", "StateBucket"),
    "SSE-KMS with a foreign key": (_foreign_key, "BOOT-S3-SSE", "StateBucket"),
    "no TLS-only statement": (_no_tls_statement, "BOOT-S3-TLS", "StateBucket"),
    "no access logging": (_no_logging, "BOOT-S3-LOGGING", "StateBucket"),
    "no noncurrent expiry": (_no_noncurrent_expiry, "BOOT-S3-LIFECYCLE", "StateBucket"),
    "key rotation off": (_rotation_off, "BOOT-KMS-ROTATION", "StateKey"),
    "key usable by anyone": (_key_open_to_all, "BOOT-KMS-POLICY", "StateKey"),
    "kms:* in key policy": (_key_star, "BOOT-KMS-POLICY", "StateKey"),
    "no alias": (_no_alias, "BOOT-KMS-ALIAS", "StateKey"),
    "trust without sub": (_trust_without_sub, "BOOT-IAM-OIDC", "DeployRole"),
    "trust with wildcard sub": (_trust_wildcard_sub, "BOOT-IAM-OIDC", "DeployRole"),
    "trust with wrong aud": (_trust_wrong_aud, "BOOT-IAM-OIDC", "DeployRole"),
    "trust also for the account": (_trust_also_account, "BOOT-IAM-OIDC", "DeployRole"),
    "no permissions boundary": (_no_boundary, "BOOT-IAM-BOUNDARY", "DeployRole"),
    "boundary allows key deletion": (_boundary_allows_key_deletion, "BOOT-IAM-BOUNDARY", "DeployRole"),
    "boundary allows its removal": (_boundary_allows_boundary_removal, "BOOT-IAM-BOUNDARY", "DeployRole"),
    "no role ARN output": (_no_role_output, "BOOT-OUTPUTS", "Outputs"),
}


@pytest.mark.parametrize("case", list(MUTATIONS))
def test_mutation_is_flagged(template: dict[str, Any], case: str) -> None:
    mutate, check_id, resource = MUTATIONS[case]
    mutated = copy.deepcopy(template)
    mutate(mutated)
    findings = check_template(mutated)
    assert any(f.check == check_id and f.resource == resource for f in findings), (
        f"{case}: expected {check_id} on {resource}, got {[str(f) for f in findings]}"
    )


def test_cfn_lint_flags_an_invalid_mutation(tmp_path: Path) -> None:
    """cfn-lint itself catches what is not CloudFormation (here a versioning status AWS does not know)."""
    text = TEMPLATE_PATH.read_text().replace(
        "Status: Enabled\n      BucketEncryption", "Status: Paused\n      BucketEncryption"
    )
    assert "Status: Paused" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    proc = subprocess.run([str(CFN_LINT), "--", str(bad)], capture_output=True, text=True, check=False)
    assert proc.returncode & 2, f"cfn-lint did not report an error:\n{proc.stdout}"
    assert "E3030" in proc.stdout and "Paused" in proc.stdout
