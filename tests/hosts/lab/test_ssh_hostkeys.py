"""The controller reaches every host over SSH only with the host keys the kit generated and recorded."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fhirfort.local import hostlab
from fhirfort.local.lab import Lab
from fhirfort.local.paths import LabPaths

pytestmark = pytest.mark.host


def test_ssh_with_verified_host_keys(lab: Lab, paths: LabPaths) -> None:
    for h in lab.hosts:
        res = subprocess.run(hostlab.ssh_command(h, paths, "hostname"), capture_output=True, text=True, timeout=30)
        assert res.returncode == 0, (h.name, res.stderr)
        assert res.stdout.strip() == h.name


def test_unknown_host_key_is_refused(lab: Lab, paths: LabPaths, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    cmd = [
        a if not a.startswith("UserKnownHostsFile=") else f"UserKnownHostsFile={empty}"
        for a in hostlab.ssh_command(lab.host("edge"), paths, "true")
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert res.returncode != 0
    assert "Host key verification failed" in res.stderr


def test_every_host_has_its_own_host_key(lab: Lab, paths: LabPaths) -> None:
    keys = [line.split()[2] for line in paths.known_hosts.read_text().splitlines() if line.strip()]
    assert len(keys) == len(lab.hosts) == len(set(keys))


def test_machine_ids_are_unique(lab: Lab, paths: LabPaths) -> None:
    ids = {(paths.machine(h.name) / "etc/machine-id").read_text().strip() for h in lab.hosts}
    assert len(ids) == len(lab.hosts)
