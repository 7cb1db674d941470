"""The lab hosts' lifecycle: systemd-nspawn started detached, tracked by PID, stopped with SIGTERM.

`--register=no --keep-unit` because the machine has no machined/dbus; commands run inside with
`nsenter -t <leader> -a` (machinectl cannot see unregistered containers).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from fhirfort.local.lab import ADMIN_USER, LabHost
from fhirfort.local.paths import LabPaths
from fhirfort.local.pidproc import alive_pid, terminate
from fhirfort.local.steps import StepError

NSPAWN = "systemd-nspawn"


def nspawn_command(host: LabHost, rootfs: Path, binds: Sequence[tuple[Path, str]] = ()) -> list[str]:
    """The nspawn command line; `binds` are (controller path, path in the host) pairs, e.g. the log store."""
    return [
        NSPAWN,
        "--boot",
        "--register=no",
        "--keep-unit",
        f"--network-bridge={host.tier.bridge}",
        f"--directory={rootfs}",
        f"--machine={host.name}",
        "--console=read-only",
        "--link-journal=no",
        "--resolv-conf=off",
        *(f"--bind={src}:{dst}" for src, dst in binds),
    ]


def nspawn_pid(host: str, paths: LabPaths) -> int | None:
    return alive_pid(paths.pidfile(host), NSPAWN, f"--machine={host}", f"--directory={paths.machine(host)}")


def leader_pid(host: str, paths: LabPaths) -> int | None:
    """The container's PID 1 (systemd), a child of the nspawn process."""
    pid = nspawn_pid(host, paths)
    if pid is None:
        return None
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    for child in children:
        try:
            if Path(f"/proc/{child}/comm").read_text().strip() == "systemd":
                return int(child)
        except OSError:
            continue
    return None


def start(host: LabHost, paths: LabPaths, binds: Sequence[tuple[Path, str]] = ()) -> str:
    """Boot the host unless it runs; return 'started' or 'running'."""
    if nspawn_pid(host.name, paths):
        return "running"
    paths.logs.mkdir(parents=True, exist_ok=True)
    paths.run.mkdir(parents=True, exist_ok=True)
    console = paths.logs / f"{host.name}.console.log"
    with console.open("a") as fh:
        fh.write(f"\n===== fhirfort: booting {host.name} at {time.strftime('%Y-%m-%d %H:%M:%S')} =====\n")
        fh.flush()
        child = subprocess.Popen(
            nspawn_command(host, paths.machine(host.name), binds),
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    paths.pidfile(host.name).write_text(f"{child.pid}\n")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise StepError("hosts boot", f"systemd-nspawn exited with {child.returncode}", host.name, console)
        if leader_pid(host.name, paths):
            knob = Path(f"/proc/sys/net/ipv6/conf/vb-{host.name}/disable_ipv6")
            if knob.exists():
                knob.write_text("1\n")
            return "started"
        time.sleep(0.2)
    raise StepError("hosts boot", "no container init after 20 s", host.name, console)


def stop(host: str, paths: LabPaths) -> bool:
    """SIGTERM to nspawn (an orderly shutdown of the container); True if it was running."""
    pid = nspawn_pid(host, paths)
    if pid is None:
        paths.pidfile(host).unlink(missing_ok=True)
        return False
    if not terminate(pid, timeout=30):
        raise StepError(
            "hosts stop", f"systemd-nspawn (pid {pid}) did not exit", host, paths.logs / f"{host}.console.log"
        )
    paths.pidfile(host).unlink(missing_ok=True)
    return True


def exec_in(host: str, paths: LabPaths, cmd: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run a command inside the host (all its namespaces)."""
    leader = leader_pid(host, paths)
    if leader is None:
        raise StepError("exec", "host is not running", host)
    return subprocess.run(
        ["nsenter", "-t", str(leader), "-a", *cmd], capture_output=True, text=True, timeout=timeout, check=False
    )


def ssh_command(host: LabHost, paths: LabPaths, *remote: str) -> list[str]:
    """SSH to the host with the kit's key and strict host-key checking against the kit's known_hosts."""
    return [
        "ssh",
        "-i",
        str(paths.ssh_key),
        "-o",
        f"UserKnownHostsFile={paths.known_hosts}",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=3",
        "-o",
        "IdentitiesOnly=yes",
        f"{ADMIN_USER}@{host.address}",
        *remote,
    ]


def logins_allowed(host: str, paths: LabPaths) -> bool:
    """The host has finished booting far enough for logins: systemd-user-sessions removed /run/nologin."""
    try:
        res = exec_in(host, paths, ["sh", "-c", "test -e /run/nologin || echo logins-allowed"], timeout=10)
    except (StepError, subprocess.TimeoutExpired):
        return False
    return res.stdout.strip() == "logins-allowed"


def wait_ssh(host: LabHost, paths: LabPaths, timeout: float = 120) -> float:
    """Wait until `ssh ... true` succeeds (host key verified); return the seconds it took.

    No SSH attempt is made while the host still refuses logins (/run/nologin, removed by systemd-user-sessions
    late in the boot): sshd answers those with "Access denied by PAM account configuration", and OpenSSH 10's
    PerSourcePenalties then blocks the controller for longer after every attempt (a boot under load outlasted
    the whole timeout that way)."""
    started = time.monotonic()
    log = paths.logs / f"{host.name}.ssh.log"
    while not logins_allowed(host.name, paths):
        if nspawn_pid(host.name, paths) is None:
            raise StepError("wait SSH", "the host stopped", host.name, paths.logs / f"{host.name}.console.log")
        if time.monotonic() - started > timeout:
            raise StepError("wait SSH", f"the host still refuses logins (/run/nologin) after {timeout:.0f}s", host.name)
        time.sleep(0.5)
    while True:
        res = subprocess.run(ssh_command(host, paths, "true"), capture_output=True, text=True, check=False, timeout=30)
        if res.returncode == 0:
            return time.monotonic() - started
        if "REMOTE HOST IDENTIFICATION HAS CHANGED" in res.stderr or "Host key verification failed" in res.stderr:
            log.write_text(res.stderr)
            raise StepError("wait SSH", "host key verification failed", host.name, log)
        if time.monotonic() - started > timeout:
            log.write_text(res.stderr)
            raise StepError("wait SSH", f"no SSH after {timeout:.0f}s", host.name, log)
        if nspawn_pid(host.name, paths) is None:
            raise StepError("wait SSH", "the host stopped", host.name, paths.logs / f"{host.name}.console.log")
        time.sleep(1)


def unit_state(host: str, paths: LabPaths, unit: str) -> str:
    try:
        res = exec_in(host, paths, ["systemctl", "is-active", unit], timeout=10)
    except (StepError, subprocess.TimeoutExpired):
        return "unknown"
    return res.stdout.strip() or "unknown"
