"""The lab network: layer-2 tier bridges, the router namespace with its legs, the controller link,
the machine's routes to the tiers, and the router's nftables. The machine's own settings stay untouched
(its ip_forward stays 0; forwarding is switched on inside the router namespace only)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from fhirfort.local import proc
from fhirfort.local.firewall import TABLE, render_ruleset
from fhirfort.local.lab import CONTROLLER_IF, ROUTER_CTL_IF, ROUTER_NS, Lab
from fhirfort.local.paths import LabPaths
from fhirfort.spec import Spec

STEP = "network"
NS = ["ip", "netns", "exec", ROUTER_NS]


def _ip(*args: str, ns: bool = False) -> None:
    proc.run([*(NS if ns else []), "ip", *args], step=STEP)


def link_exists(name: str, ns: bool = False) -> bool:
    return proc.ok([*(NS if ns else []), "ip", "link", "show", "dev", name])


def netns_exists() -> bool:
    return Path(f"/run/netns/{ROUTER_NS}").exists()


def _no_ipv6(ifname: str) -> None:
    """The machine gets no address at all (not even link-local) on the lab's interfaces."""
    knob = Path(f"/proc/sys/net/ipv6/conf/{ifname}/disable_ipv6")
    if knob.exists():
        knob.write_text("1\n")


def _ns_sysctl(key: str, value: str) -> None:
    proc.run([*NS, "sysctl", "-q", "-w", f"{key}={value}"], step=STEP)


def machine_ip_forward() -> str:
    return Path("/proc/sys/net/ipv4/ip_forward").read_text().strip()


def up(lab: Lab, s: Spec, paths: LabPaths) -> None:
    """Create whatever is missing; re-apply addresses, routes and the ruleset (idempotent)."""
    before = machine_ip_forward()
    for tier in lab.tiers:
        if not link_exists(tier.bridge):
            _ip("link", "add", tier.bridge, "type", "bridge", "stp_state", "0")
        _no_ipv6(tier.bridge)
        _ip("link", "set", tier.bridge, "up")
    if not netns_exists():
        _ip("netns", "add", ROUTER_NS)
    _ip("link", "set", "lo", "up", ns=True)
    for key in ("net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"):
        _ns_sysctl(key, "1")
    for key in ("net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter"):
        _ns_sysctl(key, "1")
    for tier in lab.tiers:
        if not link_exists(tier.bridge_port):
            _ip("link", "add", tier.bridge_port, "type", "veth", "peer", "name", tier.router_if, "netns", ROUTER_NS)
        _no_ipv6(tier.bridge_port)
        _ip("link", "set", tier.bridge_port, "master", tier.bridge, "up")
        _ip("addr", "replace", f"{tier.gateway}/{tier.cidr.prefixlen}", "dev", tier.router_if, ns=True)
        _ip("link", "set", tier.router_if, "up", ns=True)
    if not link_exists(CONTROLLER_IF):
        _ip("link", "add", CONTROLLER_IF, "type", "veth", "peer", "name", ROUTER_CTL_IF, "netns", ROUTER_NS)
    _no_ipv6(CONTROLLER_IF)
    prefix = lab.controller_link.prefixlen
    _ip("addr", "replace", f"{lab.controller_address}/{prefix}", "dev", CONTROLLER_IF)
    _ip("link", "set", CONTROLLER_IF, "up")
    _ip("addr", "replace", f"{lab.router_ctl_address}/{prefix}", "dev", ROUTER_CTL_IF, ns=True)
    _ip("link", "set", ROUTER_CTL_IF, "up", ns=True)
    apply_ruleset(lab, s, paths)
    _ns_sysctl("net.ipv4.ip_forward", "1")  # inside the router namespace only
    for tier in lab.tiers:
        _ip("route", "replace", str(tier.cidr), "via", str(lab.router_ctl_address), "dev", CONTROLLER_IF)
    after = machine_ip_forward()
    if after != before:
        raise RuntimeError(f"the machine's net.ipv4.ip_forward changed from {before} to {after}")


def apply_ruleset(lab: Lab, s: Spec, paths: LabPaths) -> Path:
    """Check, then atomically load the router ruleset; keep a copy under build/local/run/."""
    paths.run.mkdir(parents=True, exist_ok=True)
    rules = paths.run / "router.nft"
    rules.write_text(render_ruleset(lab, s))
    proc.run([*NS, "nft", "-c", "-f", str(rules)], step=STEP, log=paths.logs / "network.log")
    proc.run([*NS, "nft", "-f", str(rules)], step=STEP, log=paths.logs / "network.log")
    return rules


def down(lab: Lab) -> list[str]:
    """Remove the controller link (its routes go with it), the router namespace and the bridges."""
    removed: list[str] = []
    if link_exists(CONTROLLER_IF):
        _ip("link", "del", CONTROLLER_IF)
        removed.append(CONTROLLER_IF)
    if netns_exists():
        proc.run([*NS, "nft", "delete", "table", "inet", TABLE], step=STEP, check=False)
        _ip("netns", "del", ROUTER_NS)
        removed.append(f"netns {ROUTER_NS}")
    if release_netns_dir():
        removed.append("mount /run/netns")
    for tier in lab.tiers:
        if link_exists(tier.bridge_port):
            _ip("link", "del", tier.bridge_port)
        if link_exists(tier.bridge):
            _ip("link", "del", tier.bridge)
            removed.append(tier.bridge)
    return removed


def release_netns_dir() -> bool:
    """`ip netns add` leaves /run/netns as a bind mount of itself; unmount it when no namespace is left."""
    run_netns = Path("/run/netns")
    mounted = any(line.split()[4] == str(run_netns) for line in Path("/proc/self/mountinfo").read_text().splitlines())
    if not mounted or any(run_netns.iterdir()):
        return False
    proc.run(["umount", str(run_netns)], step=STEP)
    return True


def router_counters() -> dict[str, int]:
    """Packets counted by the router's drop rules (comment-less counters), keyed by chain."""
    res = subprocess.run(
        [*NS, "nft", "-j", "list", "table", "inet", TABLE], capture_output=True, text=True, check=False
    )
    if res.returncode != 0:
        return {}
    out: dict[str, int] = {}
    for item in json.loads(res.stdout).get("nftables", []):
        rule = item.get("rule")
        if not rule:
            continue
        for expr in rule.get("expr", []):
            if "counter" in expr:
                out[rule["chain"]] = out.get(rule["chain"], 0) + int(expr["counter"]["packets"])
    return out
