"""`fhirfort status`: the local hosts, their addresses, whether they run, and their key units."""

from __future__ import annotations

import argparse

from fhirfort.local import aptproxy, hostlab, net
from fhirfort.local.lab import build_lab
from fhirfort.local.paths import LabPaths
from fhirfort.local.pidproc import alive_pid
from fhirfort.spec import spec

# units worth showing: every host's baseline, then each host's own service (absent units show "inactive")
COMMON_UNITS = ("ssh", "nftables", "rsyslog")
HOST_UNITS: dict[str, tuple[str, ...]] = {
    "edge": ("nginx",),
    "fhir": ("fhirfort-fhir-server",),
    "idp": ("keycloak",),
    "db": ("postgresql",),
    "logs": ("fhirfort-logstore-guard",),
}


def configure(parser: argparse.ArgumentParser) -> None:
    _ = parser


def run(args: argparse.Namespace) -> int:
    _ = args
    paths = LabPaths.default()
    lab = build_lab(spec())
    print(
        f"router namespace {net.ROUTER_NS}: {'present' if net.netns_exists() else 'absent'}; "
        f"machine ip_forward={net.machine_ip_forward()}"
    )
    proxy = alive_pid(paths.run / "apt-cacher-ng.pid", aptproxy.ACNG)
    print(f"apt proxy: {f'running (pid {proxy})' if proxy else 'stopped'}")
    drops = net.router_counters() if net.netns_exists() else {}
    if drops:
        print("router drops: " + ", ".join(f"{chain}={n}" for chain, n in sorted(drops.items())))
    print(f"lab ready: {'yes' if paths.lab_ready.exists() else 'no'}; inventory: {paths.inventory}")
    print(f"{'HOST':6} {'ADDRESS':14} {'TIER':7} {'STATE':8} UNITS")
    for h in lab.hosts:
        pid = hostlab.nspawn_pid(h.name, paths)
        state = "running" if pid else "stopped"
        units = ""
        if pid:
            units = " ".join(
                f"{u}={hostlab.unit_state(h.name, paths, u)}" for u in (*COMMON_UNITS, *HOST_UNITS.get(h.name, ()))
            )
        print(f"{h.name:6} {h.address!s:14} {h.tier.name:7} {state:8} {units}")
    return 0
