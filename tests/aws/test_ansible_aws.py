"""The AWS inventory selects exactly the hosts the program tags, and connects over SSM only."""

from __future__ import annotations

import yaml

from fhirfort import REPO_ROOT
from fhirfort.aws.common import ROLE_TAG, STACK_TAG
from fhirfort.aws.hosts import asg_roles
from fhirfort.spec import spec

INVENTORY = REPO_ROOT / "inventories" / "aws_ec2.yml"
PLAYBOOK = REPO_ROOT / "playbooks" / "aws-ssm.yml"


def test_inventory_groups_hosts_by_the_programs_tags() -> None:
    inv = yaml.safe_load(INVENTORY.read_text())
    assert inv["plugin"] == "amazon.aws.aws_ec2"
    assert set(inv["groups"]) == {f"role_{r}" for r in asg_roles(spec())} == {"role_fhir", "role_idp"}
    for group, condition in inv["groups"].items():
        role = group.removeprefix("role_")
        assert f"tags['{ROLE_TAG}'] == '{role}'" in condition
        assert f"tags['{STACK_TAG}'] == fhirfort_stack" in condition
    assert inv["filters"]["tag-key"] == STACK_TAG


def test_inventory_connects_through_ssm_with_a_transfer_bucket() -> None:
    compose = yaml.safe_load(INVENTORY.read_text())["compose"]
    assert compose["ansible_connection"] == "'amazon.aws.aws_ssm'"
    assert compose["ansible_aws_ssm_bucket_name"] == "fhirfort_ssm_bucket"
    assert "ansible_ssh_private_key_file" not in compose and "ansible_port" not in compose


def test_playbook_imports_site_from_the_same_directory() -> None:
    plays = yaml.safe_load(PLAYBOOK.read_text())
    assert plays[-1]["ansible.builtin.import_playbook"] == "site.yml"
