"""`destroy` removes the hosts' data, PKI, secrets and keys, and keeps the golden rootfs and package cache."""

from __future__ import annotations

from pathlib import Path

from fhirfort.local.down import destroy_data
from fhirfort.local.paths import LabPaths


def test_destroy_keeps_caches(tmp_path: Path) -> None:
    paths = LabPaths(tmp_path)
    for d in (paths.golden, paths.aptcache, paths.machine("db"), paths.pki, paths.secrets_dir, paths.ssh, paths.logs):
        d.mkdir(parents=True)
    paths.volumes.mkdir()
    paths.logstore_image.write_bytes(b"")
    paths.inventory.write_text("x")
    removed = destroy_data(paths)
    assert {"machines", "volumes", "pki", "secrets", "inventory.yml"} <= set(removed)
    assert paths.golden.exists() and paths.aptcache.exists() and paths.logs.exists()
    assert not paths.machines.exists() and not paths.pki.exists() and not paths.secrets_dir.exists()
    assert destroy_data(paths) == []
