"""The log host's own filesystem: an ext4 image, loop-mounted on the controller, bound into the log host.

A real log host keeps its remote logs on a volume of their own so that filling them cannot fill the
system disk (and the guard of roles/log_host can measure free space of the store alone). The lab does
the same with a sparse image under build/local/volumes/: kept by `make down`, removed by `make destroy`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from fhirfort.local import proc
from fhirfort.local.paths import LabPaths
from fhirfort.spec import Spec

STEP = "log store"
LABEL = "fhirfort-logs"
MOUNT_OPTIONS = "loop,nodev,nosuid,noexec"


def is_mounted(point: Path) -> bool:
    target = str(point.resolve())
    return any(line.split()[4] == target for line in Path("/proc/self/mountinfo").read_text().splitlines())


def ensure(paths: LabPaths, s: Spec) -> str:
    """Create (first run) and mount the store; return 'created', 'mounted' or 'already mounted'."""
    store = s.retention.local.log_store
    log = paths.logs / "logstore.log"
    paths.volumes.mkdir(parents=True, exist_ok=True)
    paths.logstore_mount.mkdir(exist_ok=True)
    if is_mounted(paths.logstore_mount):
        return "already mounted"
    state = "mounted"
    if not paths.logstore_image.exists():
        partial = paths.logstore_image.with_suffix(".partial")
        with partial.open("wb") as fh:
            fh.truncate(store.size_mib * 1024 * 1024)  # sparse: blocks are taken as logs arrive
        # -m 0: no root-reserved blocks, so the guard's free-space thresholds are the whole margin
        proc.run(["mkfs.ext4", "-q", "-F", "-m", "0", "-L", LABEL, str(partial)], step=STEP, log=log)
        partial.rename(paths.logstore_image)
        state = "created"
    proc.run(["mount", "-o", MOUNT_OPTIONS, str(paths.logstore_image), str(paths.logstore_mount)], step=STEP, log=log)
    return state


def unmount(paths: LabPaths) -> bool:
    """Unmount the store (its image and data stay); True when it was mounted."""
    if not paths.logstore_mount.exists() or not is_mounted(paths.logstore_mount):
        return False
    subprocess.run(["umount", str(paths.logstore_mount)], check=True, capture_output=True)
    return True


def binds(host: str, paths: LabPaths, s: Spec) -> list[tuple[Path, str]]:
    """(controller path, path in the host) pairs that host needs: the store, for the log host only."""
    if host != s.log_host():
        return []
    return [(paths.logstore_mount, s.retention.local.log_store.remote_dir)]
