"""Root file systems of the lab hosts: one cached golden debootstrap, copied and personalised per host."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
from pathlib import Path

from fhirfort.local import proc
from fhirfort.local.aptsources import Mirrors, render_host_sources
from fhirfort.local.lab import ADMIN_USER, HOST_SUITE, Lab, LabHost
from fhirfort.local.paths import LabPaths
from fhirfort.local.sshkeys import HOST_KEY, ensure_host_key

GOLDEN_INCLUDE = (
    "systemd",
    "systemd-sysv",
    "dbus",
    "python3",
    "python3-apt",
    "openssh-server",
    "iproute2",
    "sudo",
    "ca-certificates",
    "procps",
    "netbase",
)
GOLDEN_STEP = "golden rootfs"

SSHD_DROPIN = f"""# Managed by fhirfort (lab bootstrap): key-only logins with the kit's own host key.
HostKey /{HOST_KEY}
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
"""
SUDOERS = (
    "# Managed by fhirfort: the lab's admin user (key-only SSH) may become root.\n"
    f"{ADMIN_USER} ALL=(ALL) NOPASSWD: ALL\n"
)


def golden_stamp() -> str:
    """What the golden image depends on; a change here (not a mirror change) rebuilds it."""
    data = {"suite": HOST_SUITE, "variant": "minbase", "include": sorted(GOLDEN_INCLUDE), "recipe": 1}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def golden_is_current(paths: LabPaths) -> bool:
    stamp = paths.golden_stamp
    return paths.golden.is_dir() and stamp.is_file() and stamp.read_text().strip() == golden_stamp()


def _unescape_mountinfo(field: str) -> str:
    """A mountinfo path field with its octal escapes (\\040 for a space, ...) decoded."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def mount_points_below(root: Path, mountinfo: str) -> list[Path]:
    """The mount points at or under `root` in /proc/self/mountinfo text, deepest first (the unmount order)."""
    points = []
    for line in mountinfo.splitlines():
        fields = line.split()
        if len(fields) < 5:
            continue
        point = Path(_unescape_mountinfo(fields[4]))
        if point == root or root in point.parents:
            points.append(point)
    return sorted(set(points), key=lambda p: len(p.parts), reverse=True)


def build_golden(mirrors: Mirrors, paths: LabPaths) -> bool:
    """Debootstrap the golden rootfs unless the cached one matches; True when it was (re)built."""
    if golden_is_current(paths):
        return False
    log = paths.logs / "golden.log"
    tmp = paths.root / "golden.tmp"
    if tmp.exists():
        # An interrupted debootstrap leaves its /proc (and /sys) mounted inside: unmount, then remove
        for point in mount_points_below(tmp, Path("/proc/self/mountinfo").read_text()):
            proc.run(["umount", "--lazy", str(point)], step=GOLDEN_STEP)
        shutil.rmtree(tmp)
    paths.root.mkdir(parents=True, exist_ok=True)
    proc.run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(GOLDEN_INCLUDE)}",
            HOST_SUITE,
            str(tmp),
            mirrors.main,
        ],
        step=GOLDEN_STEP,
        log=log,
        timeout=1800,
    )
    _prepare_golden(tmp, log)
    if paths.golden.exists():
        shutil.rmtree(paths.golden)
    tmp.rename(paths.golden)
    paths.golden_stamp.write_text(golden_stamp() + "\n")
    return True


def _chroot(root: Path, log: Path, *cmd: str) -> None:
    proc.run(["chroot", str(root), *cmd], step=GOLDEN_STEP, log=log, timeout=300)


def _prepare_golden(root: Path, log: Path) -> None:
    """What every host shares: admin user, sudo, sshd drop-in, networkd; no host keys, no machine-id."""
    for key in (root / "etc/ssh").glob("ssh_host_*"):
        key.unlink()
    _chroot(root, log, "useradd", "--create-home", "--shell", "/bin/bash", "--user-group", ADMIN_USER)
    _chroot(root, log, "usermod", "-p", "*", ADMIN_USER)  # no password at all; key-only, not "locked"
    _write(root / "etc/sudoers.d/90-fhirfort-ops", SUDOERS, 0o440)
    _write(root / "etc/ssh/sshd_config.d/10-fhirfort-lab.conf", SSHD_DROPIN, 0o644)
    _chroot(root, log, "systemctl", "enable", "systemd-networkd.service")
    _write(root / "etc/machine-id", "", 0o444)
    (root / "var/lib/dbus/machine-id").unlink(missing_ok=True)
    (root / "etc/apt/sources.list").unlink(missing_ok=True)
    _chroot(root, log, "apt-get", "clean")


def _write(path: Path, text: str, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        tmp = path.with_name(path.name + ".fhirfort-tmp")
        tmp.write_text(text)
        tmp.chmod(mode)
        tmp.replace(path)
    path.chmod(mode)


def render_network(host: LabHost) -> str:
    return (
        "# Managed by fhirfort: the host's static address on its tier bridge (router = tier gateway).\n"
        "[Match]\nName=host0\n\n"
        f"[Network]\nAddress={host.interface}\nGateway={host.tier.gateway}\n"
        "LinkLocalAddressing=no\nIPv6AcceptRA=no\n"
    )


def render_hosts(lab: Lab, public_name: str, edge: str = "edge") -> str:
    lines = ["# Managed by fhirfort.", "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"]
    for h in lab.hosts:
        names = [h.fqdn, h.name] + ([public_name] if h.name == edge else [])
        lines.append(f"{h.address}\t{' '.join(names)}")
    return "\n".join(lines) + "\n"


def render_apt_proxy(controller: str, port: int) -> str:
    return (
        "// Managed by fhirfort: packages only through the controller's apt proxy (the lab has no route out).\n"
        f'Acquire::http::Proxy "http://{controller}:{port}";\n'
        'Acquire::https::Proxy "DIRECT";\n'
    )


def _owner(root: Path, user: str) -> tuple[int, int]:
    for line in (root / "etc/passwd").read_text().splitlines():
        parts = line.split(":")
        if parts[0] == user:
            return int(parts[2]), int(parts[3])
    raise KeyError(f"user {user} missing in {root}")


BOOTSTRAP_STAMP = "etc/fhirfort/bootstrap.sha256"


def bootstrap_files(
    host: LabHost, lab: Lab, *, mirrors: Mirrors, apt_proxy_port: int, public_name: str
) -> dict[str, str]:
    """The files that make a golden copy this host (path inside the rootfs -> content)."""
    return {
        "etc/hostname": host.name + "\n",
        "etc/hosts": render_hosts(lab, public_name),
        "etc/systemd/network/10-host0.network": render_network(host),
        "etc/resolv.conf": "# no DNS in the lab: names come from /etc/hosts\n",
        "etc/apt/sources.list.d/debian.sources": render_host_sources(mirrors, HOST_SUITE),
        "etc/apt/apt.conf.d/01fhirfort-proxy": render_apt_proxy(str(lab.controller_address), apt_proxy_port),
    }


def _write_bootstrap(root: Path, files: dict[str, str]) -> None:
    uid, gid = _owner(root, ADMIN_USER)
    ssh_dir = root / "home" / ADMIN_USER / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    for rel, text in files.items():
        _write(root / rel, text, 0o600 if rel.endswith("authorized_keys") else 0o644)
    for p in (ssh_dir, ssh_dir / "authorized_keys"):
        os.chown(p, uid, gid)
    ssh_dir.chmod(0o700)


def prepare_host(
    host: LabHost,
    lab: Lab,
    paths: LabPaths,
    *,
    mirrors: Mirrors,
    controller_pubkey: str,
    apt_proxy_port: int,
    public_name: str,
) -> str:
    """Copy the golden rootfs once, then (re)write the host's identity files; return its host public key."""
    root = paths.machine(host.name)
    if not root.exists():
        paths.machines.mkdir(parents=True, exist_ok=True)
        tmp = paths.machines / f".{host.name}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        proc.run(["cp", "-a", "--reflink=auto", str(paths.golden), str(tmp)], step="hosts", host=host.name)
        tmp.rename(root)
    files = bootstrap_files(host, lab, mirrors=mirrors, apt_proxy_port=apt_proxy_port, public_name=public_name)
    files[f"home/{ADMIN_USER}/.ssh/authorized_keys"] = controller_pubkey + "\n"
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
    stamp = root / BOOTSTRAP_STAMP
    if not stamp.exists() or stamp.read_text().strip() != digest:
        # Written at creation and whenever the spec or mirrors change; otherwise left to Ansible.
        _write_bootstrap(root, files)
        _write(stamp, digest + "\n", 0o644)
    machine_id = root / "etc/machine-id"
    if not machine_id.read_text().strip():
        _write(machine_id, secrets.token_hex(16) + "\n", 0o444)
    return ensure_host_key(root, host.name)
