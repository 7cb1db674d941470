"""The lab's shape, derived from the spec: bridges, router legs, controller link, hosts. Pure data."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from fhirfort.spec import Spec

ROUTER_NS = "ffrouter"
CONTROLLER_IF = "ffctl0"  # the machine's end of the controller link
ROUTER_CTL_IF = "ffctl1"  # the router's end of the controller link
PUBLIC_NAME = "fhir.fhirfort.test"
INTERNAL_DOMAIN = "fhirfort.internal"
ADMIN_USER = "ops"
HOST_SUITE = "trixie"
IFNAME_MAX = 15


class LabError(ValueError):
    """The spec cannot be turned into a lab (a name too long, an address outside its range, ...)."""


@dataclass(frozen=True)
class TierNet:
    name: str
    cidr: ipaddress.IPv4Network
    gateway: ipaddress.IPv4Address

    @property
    def bridge(self) -> str:
        return f"ffbr-{self.name}"

    @property
    def router_if(self) -> str:
        """The router's leg on this tier (inside the router namespace)."""
        return f"ffrt-{self.name}"

    @property
    def bridge_port(self) -> str:
        """The bridge end of the router's veth pair (in the machine's namespace)."""
        return f"ffrb-{self.name}"


@dataclass(frozen=True)
class LabHost:
    name: str
    tier: TierNet
    address: ipaddress.IPv4Address
    role: str = ""  # the spec's host role it plays; "" = its own name (the role's primary)

    @property
    def plays(self) -> str:
        """The spec host role (the inventory group) of this host."""
        return self.role or self.name

    @property
    def is_replica(self) -> bool:
        return self.plays != self.name

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{INTERNAL_DOMAIN}"

    @property
    def interface(self) -> ipaddress.IPv4Interface:
        return ipaddress.IPv4Interface(f"{self.address}/{self.tier.cidr.prefixlen}")


@dataclass(frozen=True)
class Lab:
    tiers: tuple[TierNet, ...]
    hosts: tuple[LabHost, ...]
    controller_link: ipaddress.IPv4Network

    @property
    def controller_address(self) -> ipaddress.IPv4Address:
        """The machine's end of the controller link (first address): the controller and the clients."""
        return self.controller_link.network_address + 1

    @property
    def router_ctl_address(self) -> ipaddress.IPv4Address:
        return self.controller_link.network_address + 2

    def instances(self, role: str) -> tuple[LabHost, ...]:
        """The hosts playing a spec role: its primary first, then its local replicas."""
        return tuple(h for h in self.hosts if h.plays == role)

    def host(self, name: str) -> LabHost:
        for h in self.hosts:
            if h.name == name:
                return h
        raise LabError(f"no lab host named {name!r}")

    def tier(self, name: str) -> TierNet:
        for t in self.tiers:
            if t.name == name:
                return t
        raise LabError(f"no tier named {name!r}")


def build_lab(s: Spec) -> Lab:
    """Turn the spec's topology into the lab; raise LabError naming the offending key."""
    topo = s.topology
    link = topo.controller_link
    if link.num_addresses < 4:
        raise LabError(f"controller_link {link} is too small: it needs two usable addresses (a /30 or larger)")
    tiers = tuple(TierNet(name, t.local_cidr, t.gateway) for name, t in topo.tiers.items())
    for t in tiers:
        for ifname in (t.bridge, t.router_if, t.bridge_port):
            if len(ifname) > IFNAME_MAX:
                raise LabError(f"tiers.{t.name}: interface name {ifname!r} is longer than {IFNAME_MAX} characters")
    by_name = {t.name: t for t in tiers}
    hosts: list[LabHost] = []
    for name, h in topo.hosts.items():
        tier = by_name[h.tier]
        if h.address not in tier.cidr or h.address in (tier.cidr.network_address, tier.cidr.broadcast_address):
            raise LabError(f"hosts.{name}.address {h.address} is not a usable address of {tier.cidr}")
        if h.address == tier.gateway:
            raise LabError(f"hosts.{name}.address {h.address} is the router's gateway of tier {tier.name}")
        hosts.append(LabHost(name, tier, h.address))
        for replica, address in h.local_replicas.items():
            if address not in tier.cidr or address in (tier.cidr.network_address, tier.cidr.broadcast_address):
                raise LabError(
                    f"hosts.{name}.local_replicas.{replica} {address} is not a usable address of {tier.cidr}"
                )
            hosts.append(LabHost(replica, tier, address, role=name))
    addresses = [h.address for h in hosts]
    if len(set(addresses)) != len(addresses):
        raise LabError("hosts.*.address: two hosts share an address")
    return Lab(tiers=tiers, hosts=tuple(hosts), controller_link=link)
