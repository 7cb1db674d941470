"""The machine's prerequisites of the local target, installed with apt-get when missing."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

from fhirfort.local import proc
from fhirfort.local.paths import LabPaths
from fhirfort.local.pidproc import read_cmdline

STEP = "prerequisites"
# package -> a file it provides (present = installed)
PACKAGES: dict[str, str] = {
    "debootstrap": "/usr/sbin/debootstrap",
    "systemd-container": "/usr/bin/systemd-nspawn",
    "apt-cacher-ng": "/usr/sbin/apt-cacher-ng",
    "nftables": "/usr/sbin/nft",
    "iproute2": "/usr/sbin/ip",
    "openssl": "/usr/bin/openssl",
    "openssh-client": "/usr/bin/ssh",
    "ulogd2": "/usr/sbin/ulogd",
    "util-linux": "/usr/bin/nsenter",
    "e2fsprogs": "/usr/sbin/mkfs.ext4",
}
LISTS_MAX_AGE_S = 24 * 3600


def missing_packages() -> list[str]:
    return [pkg for pkg, path in PACKAGES.items() if not Path(path).exists()]


def ensure(paths: LabPaths) -> list[str]:
    """Install what is missing (apt-get update only when the lists are old); return what was installed."""
    if os.geteuid() != 0:
        raise PermissionError("the local target needs root (network namespaces, bridges, nspawn)")
    missing = missing_packages()
    if not missing:
        disable_package_services(paths)
        return []
    log = paths.logs / "prerequisites.log"
    env_cmd = ["env", "DEBIAN_FRONTEND=noninteractive"]
    lists = Path("/var/lib/apt/lists")
    newest = max((p.stat().st_mtime for p in lists.glob("*_Packages")), default=0.0)
    if time.time() - newest > LISTS_MAX_AGE_S:
        proc.run([*env_cmd, "apt-get", "update", "-q"], step=STEP, log=log, timeout=600)
    install = [*env_cmd, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if proc.run(install, step=STEP, log=log, timeout=1200, check=False).returncode != 0:
        proc.run([*env_cmd, "apt-get", "update", "-q"], step=STEP, log=log, timeout=600)  # stale lists: once
        proc.run(install, step=STEP, log=log, timeout=1200)
    still = [p for p in missing_packages() if shutil.which(PACKAGES[p].rsplit("/", 1)[1]) is None]
    if still:
        raise RuntimeError(f"still missing after apt-get install: {', '.join(still)}")
    disable_package_services(paths)
    return missing


# Services the packages start on their own: the kit runs its own instances (apt-cacher-ng bound to the
# controller link only, ulogd inside the router namespace), never the packaged ones on all interfaces.
PACKAGE_SERVICES = ("apt-cacher-ng", "ulogd2")


def disable_package_services(paths: LabPaths) -> list[str]:
    stopped: list[str] = []
    log = paths.logs / "prerequisites.log"
    if Path("/run/systemd/system").is_dir():  # systemd is PID 1
        for unit in PACKAGE_SERVICES:
            if proc.ok(["systemctl", "is-enabled", "--quiet", unit]) or proc.ok(
                ["systemctl", "is-active", "--quiet", unit]
            ):
                proc.run(["systemctl", "disable", "--now", unit], step=STEP, log=log, check=False)
                stopped.append(unit)
        return stopped
    # No systemd: stop only daemons of the packaged config (an init script's stop would match ours too).
    for pid_dir in Path("/proc").iterdir():
        if not pid_dir.name.isdigit():
            continue
        args = read_cmdline(int(pid_dir.name))
        if args and Path(args[0]).name in ("apt-cacher-ng", "ulogd") and str(paths.root) not in " ".join(args):
            os.kill(int(pid_dir.name), signal.SIGTERM)
            stopped.append(f"{Path(args[0]).name} (pid {pid_dir.name})")
    return stopped
