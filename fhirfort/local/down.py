"""`make down` and `make destroy`: stop the hosts, remove the lab network and processes; keep or drop data."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fhirfort.local import aptproxy, hostlab, logstore, net, routerlog
from fhirfort.local.endpoints import set_hosts_block
from fhirfort.local.lab import build_lab
from fhirfort.local.paths import LabPaths
from fhirfort.local.steps import say, step
from fhirfort.spec import spec


def take_down(paths: LabPaths) -> int:
    lab = build_lab(spec())
    paths.lab_ready.unlink(missing_ok=True)
    with step("hosts stop"):
        names = [h.name for h in lab.hosts]
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            for name, was_running in zip(names, pool.map(lambda n: hostlab.stop(n, paths), names), strict=True):
                say(f"    {name:6} {'stopped' if was_running else 'not running'}")
    with step("log store unmount"):
        say("    unmounted (image kept)" if logstore.unmount(paths) else "    not mounted")
    with step("apt proxy stop"):
        say("    apt-cacher-ng stopped" if aptproxy.stop(paths) else "    apt-cacher-ng not running")
    with step("network remove"):
        routerlog.stop(paths)
        removed = net.down(lab)
        say(f"    removed: {', '.join(removed)}" if removed else "    nothing to remove")
        set_hosts_block(None)
    with step("verify nothing left"):
        leftovers = leftovers_report(paths)
        if leftovers:
            raise RuntimeError("left behind: " + "; ".join(leftovers))
        say("    no lab process, interface, namespace, nft table or mount left")
    return 0


def leftovers_report(paths: LabPaths) -> list[str]:
    """Everything of the lab still present on the machine (empty after a clean down)."""
    lab = build_lab(spec())
    found: list[str] = []
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=False).stdout
    for line in ps.splitlines():
        if str(paths.root) in line and ("systemd-nspawn" in line or "apt-cacher-ng" in line or "ulogd" in line):
            found.append(f"process {line.strip()}")
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=False).stdout
    names = [t.bridge for t in lab.tiers] + [t.bridge_port for t in lab.tiers] + [net.CONTROLLER_IF]
    names += [f"vb-{h.name}" for h in lab.hosts]
    for name in names:
        if f" {name}:" in links or f" {name}@" in links:
            found.append(f"link {name}")
    if net.netns_exists():
        found.append(f"netns {net.ROUTER_NS}")
    mounts = Path("/proc/self/mountinfo").read_text()
    for line in mounts.splitlines():
        point = line.split()[4]
        ours = point == f"/run/netns/{net.ROUTER_NS}" or (point == "/run/netns" and not any(Path(point).iterdir()))
        if str(paths.machines) in line or str(paths.volumes) in line or ours:
            found.append(f"mount {point}")
    return found


def destroy_data(paths: LabPaths) -> list[str]:
    """Remove the hosts' disks (and their data), PKI, secrets, SSH keys, logs; keep the golden cache."""
    removed: list[str] = []
    for d in (paths.machines, paths.volumes, paths.pki, paths.secrets_dir, paths.ssh, paths.run, paths.aptproxy):
        if d.exists():
            shutil.rmtree(d)
            removed.append(str(d.relative_to(paths.root)))
    for f in (paths.inventory, paths.endpoints):
        if f.exists():
            f.unlink()
            removed.append(str(f.relative_to(paths.root)))
    return removed
