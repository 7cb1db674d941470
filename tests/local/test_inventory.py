"""The generated inventory: the spec's hosts in their groups, verified host keys, the kit's paths."""

from __future__ import annotations

from pathlib import Path

import yaml

from fhirfort.local.inventory import render_inventory, write_inventory
from fhirfort.local.lab import build_lab
from fhirfort.local.paths import LabPaths
from fhirfort.spec import spec


def test_groups_and_addresses(tmp_path: Path) -> None:
    lab = build_lab(spec())
    inv = render_inventory(lab, LabPaths(tmp_path), 3142)
    groups = inv["all"]["children"]["lab"]["children"]
    # one group per role, not named like its primary host (Ansible would resolve the name to the host alone)
    assert set(groups) == {f"role_{r}" for r in spec().topology.hosts}
    assert not set(groups) & {h.name for h in lab.hosts}
    for role in spec().topology.hosts:
        members = groups[f"role_{role}"]["hosts"]
        assert list(members) == [name for name, _ in spec().topology.instances(role)]
        for name, address in spec().topology.instances(role):
            assert members[name]["ansible_host"] == members[name]["fhirfort_address"] == str(address)


def test_host_keys_are_verified(tmp_path: Path) -> None:
    paths = LabPaths(tmp_path)
    write_inventory(build_lab(spec()), paths, 3142)
    text = paths.inventory.read_text()
    assert "StrictHostKeyChecking=no" not in text
    lab_vars = yaml.safe_load(text)["all"]["children"]["lab"]["vars"]
    assert "StrictHostKeyChecking=yes" in lab_vars["ansible_ssh_common_args"]
    assert f"UserKnownHostsFile={paths.known_hosts}" in lab_vars["ansible_ssh_common_args"]
    assert lab_vars["ansible_ssh_private_key_file"] == str(paths.ssh_key)
    assert lab_vars["ansible_become"] is True
    assert lab_vars["fhirfort_target"] == "local"
    assert lab_vars["pki_trust_source_dir"] == str(paths.pki)
    lab = build_lab(spec())
    assert lab_vars["fhirfort_apt_proxy"] == f"http://{lab.controller_address}:3142"


def test_no_secret_values_in_the_inventory(tmp_path: Path) -> None:
    text = yaml.safe_dump(render_inventory(build_lab(spec()), LabPaths(tmp_path), 3142))
    assert "password" not in text
