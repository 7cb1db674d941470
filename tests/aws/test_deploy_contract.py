"""The bootstrap's CI deploy role can run the program: IAM path and permissions boundary, protected keys.

The rules mirrored here are those of bootstrap/fhirfort-bootstrap.yaml (DeployBoundary and DeployPermissions,
ProjectName=fhirfort): the role may create roles and instance profiles only under `/fhirfort/`, only with the
boundary, and cannot delete, disable or re-key KMS keys tagged `fhirfort:protected=true`.
"""

from __future__ import annotations

from typing import Any

import pytest

from fhirfort import REPO_ROOT
from fhirfort.aws.common import IAM_PATH, PROTECTED_TAG
from fhirfort.aws.keys import PROTECTED_PURPOSES, PURPOSES
from fhirfort.aws.mocked import MOCK_ACCOUNT, StackRun, evaluate_stack, stack_config

ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
BOUNDARY = f"arn:aws:iam::{MOCK_ACCOUNT}:policy/fhirfort/fhirfort-deploy-boundary"
BOOTSTRAP = (REPO_ROOT / "bootstrap" / "fhirfort-bootstrap.yaml").read_text()


def deploy_role_refuses(role: dict[str, Any], boundary: str = BOUNDARY) -> list[str]:
    """Why the bootstrap's deploy role would be denied `iam:CreateRole` for these inputs (empty: allowed)."""
    reasons = []
    if role.get("path") != IAM_PATH:
        reasons.append(f"path {role.get('path')!r}: DeployPermissions allows only role/fhirfort/*")
    if role.get("permissionsBoundary") != boundary:
        reasons.append("DenyRolesWithoutThisBoundary: iam:PermissionsBoundary is not the deploy boundary")
    return reasons


@pytest.fixture(scope="module")
def dev_with_boundary() -> StackRun:
    return evaluate_stack("dev", {"permissionsBoundaryArn": BOUNDARY})


def test_the_mirrored_rules_are_the_bootstraps() -> None:
    """If the bootstrap template changes its path or boundary rule, this mirror (and the program) must follow."""
    assert 'Path: !Sub "/${ProjectName}/"' in BOOTSTRAP and IAM_PATH == "/fhirfort/"
    assert '"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${ProjectName}/*"' in BOOTSTRAP
    assert '"arn:${AWS::Partition}:iam::${AWS::AccountId}:instance-profile/${ProjectName}/*"' in BOOTSTRAP
    assert "policy/${ProjectName}/${ProjectName}-deploy-boundary" in BOOTSTRAP
    assert "Sid: DenyRolesWithoutThisBoundary" in BOOTSTRAP
    assert f"aws:ResourceTag/{PROTECTED_TAG}" in BOOTSTRAP


def test_every_role_and_profile_is_under_the_project_path(run: StackRun) -> None:
    roles = run.of_type(ROLE)
    assert len(roles) >= 5  # two host roles, flow logs, CloudTrail logs, RDS monitoring
    for r in roles:
        assert r.props["path"] == IAM_PATH, r.name
        assert f":role{IAM_PATH}" in run.state_of(r.name)["arn"]
    profiles = run.of_type(PROFILE)
    assert profiles and all(p.props["path"] == IAM_PATH for p in profiles)


def test_prod_roles_carry_the_configured_boundary(prod_run: StackRun) -> None:
    assert stack_config("prod")["fhirfort:permissionsBoundaryArn"] == BOUNDARY
    for r in prod_run.of_type(ROLE):
        assert deploy_role_refuses(r.props) == [], r.name


def test_without_the_key_no_boundary_and_the_deploy_role_would_refuse(dev_run: StackRun) -> None:
    """dev sets no boundary (an administrator deploys it): the roles have none, which the CI role refuses."""
    assert "fhirfort:permissionsBoundaryArn" not in stack_config("dev")
    for r in dev_run.of_type(ROLE):
        assert "permissionsBoundary" not in r.props, r.name
        assert any("DenyRolesWithoutThisBoundary" in why for why in deploy_role_refuses(r.props))


def test_the_key_puts_the_boundary_on_every_role(dev_with_boundary: StackRun) -> None:
    roles = dev_with_boundary.of_type(ROLE)
    assert {r.name for r in roles} >= {"role-fhir", "role-idp", "flow-logs-role", "cloudtrail-logs-role"}
    for r in roles:
        assert deploy_role_refuses(r.props) == [], r.name
    other = "arn:aws:iam::123456789012:policy/fhirfort/another-boundary"
    assert deploy_role_refuses(roles[0].props, boundary=other)  # the mirror does tell boundaries apart


def test_audit_logs_and_data_keys_are_protected(run: StackRun) -> None:
    assert {"audit", "logs", "data"} == PROTECTED_PURPOSES < set(PURPOSES)
    for key in run.of_type(KEY):
        purpose = key.props["tags"]["fhirfort:purpose"]
        if purpose in PROTECTED_PURPOSES:
            assert key.props["tags"][PROTECTED_TAG] == "true", purpose
        else:
            assert PROTECTED_TAG not in key.props["tags"], purpose


def test_protected_keys_and_aliases_are_retained_not_deleted(run: StackRun) -> None:
    """The boundary denies ScheduleKeyDeletion and DeleteAlias on protected keys: `pulumi destroy` must
    leave them (retainOnDelete) rather than fail half-way; unprotected keys are deleted normally."""
    for key in run.of_type(KEY):
        purpose = key.props["tags"]["fhirfort:purpose"]
        protected = purpose in PROTECTED_PURPOSES
        assert key.retain_on_delete is protected, purpose
        assert run.named(f"alias-{purpose}").retain_on_delete is protected, purpose
    assert len(run.of_type(ALIAS)) == len(PURPOSES)
