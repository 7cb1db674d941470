"""Hosts: launch templates and ASGs in the app tier, IMDSv2, encrypted EBS, SSM-only, scoped IAM."""

from __future__ import annotations

import json

import pytest

from fhirfort.aws.common import ROLE_TAG, STACK_TAG
from fhirfort.aws.hosts import DEBIAN_NAME, DEBIAN_OWNER
from fhirfort.aws.mocked import MOCK_AMI, StackRun, evaluate_stack
from fhirfort.aws.secrets import SECRETS

ROLES = ("fhir", "idp")


@pytest.mark.parametrize("role", ROLES)
def test_launch_template_is_hardened(run: StackRun, role: str) -> None:
    lt = run.named(f"lt-{role}").props
    md = lt["metadataOptions"]
    assert md["httpTokens"] == "required" and md["httpPutResponseHopLimit"] == 1 and md["httpEndpoint"] == "enabled"
    assert lt["monitoring"] == {"enabled": True}
    assert "keyName" not in lt
    (nic,) = lt["networkInterfaces"]
    assert nic["associatePublicIpAddress"] == "false"
    assert nic["securityGroups"] == [run.id_of(f"sg-{role}")]
    (disk,) = lt["blockDeviceMappings"]
    assert disk["ebs"]["encrypted"] == "true"
    assert disk["ebs"]["kmsKeyId"] == run.outputs["kms_key_arns"]["hosts"]
    assert lt["imageId"] == MOCK_AMI
    tagged = {t["resourceType"]: t["tags"] for t in lt["tagSpecifications"]}
    assert tagged["instance"][ROLE_TAG] == role and tagged["instance"][STACK_TAG] == run.stack


@pytest.mark.parametrize("role", ROLES)
def test_asg_in_private_app_subnets_with_inventory_tags(run: StackRun, role: str) -> None:
    asg = run.named(f"asg-{role}").props
    app = {run.id_of(s.name) for s in run.of_type("aws:ec2/subnet:Subnet") if s.props["tags"]["fhirfort:tier"] == "app"}
    assert set(asg["vpcZoneIdentifiers"]) == app
    tags = {t["key"]: t for t in asg["tags"]}
    assert tags[ROLE_TAG]["value"] == role and tags[ROLE_TAG]["propagateAtLaunch"] is True
    assert tags[STACK_TAG]["value"] == run.stack and tags[STACK_TAG]["propagateAtLaunch"] is True
    assert asg["targetGroupArns"] == [run.state_of(f"tg-{role}")["arn"]]
    assert asg["launchTemplate"]["id"] == run.id_of(f"lt-{role}")
    assert run.outputs[f"{role}_asg_name"] == asg["name"]


def test_ami_lookup_is_official_debian_13_and_overridable(dev_run: StackRun) -> None:
    assert "aws:ec2/getAmi:getAmi" in dev_run.invokes
    assert DEBIAN_OWNER == "136693071363" and DEBIAN_NAME == "debian-13-amd64-*"
    run = evaluate_stack("dev", {"amiId": "ami-0fedcba9876543210"})
    assert "aws:ec2/getAmi:getAmi" not in run.invokes
    assert {run.named(f"lt-{r}").props["imageId"] for r in ROLES} == {"ami-0fedcba9876543210"}


def _inline_policy(run: StackRun, role: str) -> list[dict]:
    return json.loads(run.named(f"role-{role}-scoped").props["policy"])["Statement"]


@pytest.mark.parametrize("role", ROLES)
def test_instance_role_is_ssm_core_plus_scoped_permissions(run: StackRun, role: str) -> None:
    attachments = [
        a.props
        for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name.startswith(f"role-{role}-")
    ]
    assert [a["policyArn"] for a in attachments] == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    profile = run.named(f"profile-{role}").props
    assert profile["role"] == run.named(f"role-{role}").props["name"]
    statements = {s["Sid"]: s for s in _inline_policy(run, role)}
    own = {run.state_of(f"secret-{n}")["arn"] for n, s in SECRETS.items() if s.owner == role}
    assert own and set(statements["ReadOwnSecrets"]["Resource"]) == own
    assert statements["DecryptSecretsViaSecretsManager"]["Resource"] == run.outputs["kms_key_arns"]["secrets"]
    assert statements["DecryptSecretsViaSecretsManager"]["Condition"]["StringEquals"]["kms:ViaService"].startswith(
        "secretsmanager."
    )
    log_arn = run.state_of(f"app-logs-{role}")["arn"]
    assert all(r.startswith(log_arn) for r in statements["WriteOwnLogs"]["Resource"])
    for s in statements.values():
        assert "*" not in s["Action"] and not any(
            a.endswith(":*") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        )
        if s["Resource"] == "*":
            assert s.get("Condition"), s["Sid"]


def test_hosts_cannot_read_each_others_secrets(run: StackRun) -> None:
    fhir = set(next(s for s in _inline_policy(run, "fhir") if s["Sid"] == "ReadOwnSecrets")["Resource"])
    idp = set(next(s for s in _inline_policy(run, "idp") if s["Sid"] == "ReadOwnSecrets")["Resource"])
    assert not fhir & idp
    operator_only = {run.state_of(f"secret-{n}")["arn"] for n, s in SECRETS.items() if s.owner not in ROLES}
    assert not operator_only & (fhir | idp)


def test_no_host_in_public_tier_and_no_key_pairs(run: StackRun) -> None:
    assert not run.of_type("aws:ec2/keyPair:KeyPair")
    assert not run.of_type("aws:ec2/instance:Instance")
    public = {
        run.id_of(s.name) for s in run.of_type("aws:ec2/subnet:Subnet") if s.props["tags"]["fhirfort:tier"] == "public"
    }
    for asg in run.of_type("aws:autoscaling/group:Group"):
        assert not set(asg.props["vpcZoneIdentifiers"]) & public
