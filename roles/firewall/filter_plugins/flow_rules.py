"""Filters of the firewall role: resolve the spec's flow matrix into one host's nftables rules.

`firewall_flow_rules(flows, services, hosts, endpoints, host_role, target, direction, own_address)` returns the
rules of the host playing `host_role`: for `input`, the flows whose destination is that role (or `any_host`)
with their source addresses; for `output`, the flows whose source is that role (or `any_host`) with their
destination addresses. A role's addresses are its primary's and its `local_replicas`'; `own_address` (default:
the role's primary) is this host's, left out of its own rules. Flows of another target (`aws`) are left out.
A flow naming an unknown service or an endpoint without addresses is an error that names the flow and the
variable to fix.

`firewall_topology_errors(hosts, tiers)` lists the hosts whose address is not a usable address of their
tier's `local_cidr` (empty when the topology is sound).
"""

from __future__ import annotations

import ipaddress
from typing import Any

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # pragma: no cover - unit tests without ansible
    AnsibleFilterError = ValueError  # type: ignore[assignment,misc]

HOST_ENDPOINTS = ("any_host",)


def _role_addresses(host: dict[str, Any]) -> list[str]:
    """A role's primary address, then its local replicas' (spec/tiers.yaml `local_replicas`)."""
    return [str(host["address"])] + [str(a) for a in (host.get("local_replicas") or {}).values()]


def _addresses(endpoint: str, hosts: dict[str, Any], endpoints: dict[str, list[str]], flow_id: str) -> list[str]:
    if endpoint in hosts:
        return _role_addresses(hosts[endpoint])
    if endpoint == "any_host":
        return sorted(a for h in hosts.values() for a in _role_addresses(h))
    if endpoints.get(endpoint):
        return sorted(str(a) for a in endpoints[endpoint])
    raise AnsibleFilterError(
        f"{flow_id}: endpoint {endpoint!r} has no addresses: add it to firewall_endpoint_addresses "
        f"(known: {', '.join(sorted(set(hosts) | set(endpoints)))})"
    )


def firewall_flow_rules(
    flows: list[dict[str, Any]],
    services: dict[str, dict[str, Any]],
    hosts: dict[str, dict[str, Any]],
    endpoints: dict[str, list[str]],
    host_role: str,
    target: str,
    direction: str,
    own_address: str = "",
) -> list[dict[str, Any]]:
    if direction not in ("input", "output"):
        raise AnsibleFilterError(f"direction must be input or output, not {direction!r}")
    if host_role not in hosts:
        raise AnsibleFilterError(f"firewall_host_role {host_role!r} is not one of firewall_hosts: {sorted(hosts)}")
    own = str(own_address or hosts[host_role]["address"])
    if own not in _role_addresses(hosts[host_role]):
        raise AnsibleFilterError(
            f"own address {own} is not an address of role {host_role!r}: {_role_addresses(hosts[host_role])}"
        )
    rules = []
    for flow in flows:
        if target not in flow.get("targets", []):
            continue
        src, dst = flow["from"], flow["to"]
        local, remote = (dst, src) if direction == "input" else (src, dst)
        if local not in (host_role, *HOST_ENDPOINTS):
            continue
        if flow["service"] not in services:
            raise AnsibleFilterError(f"{flow['id']}: service {flow['service']!r} is not in firewall_services")
        service = services[flow["service"]]
        addresses = [a for a in _addresses(remote, hosts, endpoints, flow["id"]) if a != own]
        if not addresses:
            continue  # only this host itself: loopback already allows it
        rules.append(
            {
                "id": flow["id"],
                "from": src,
                "to": dst,
                "service": flow["service"],
                "protocol": service.get("protocol", "tcp"),
                "port": int(service["port"]),
                "addresses": addresses,
                "why": flow.get("why", ""),
            }
        )
    return rules


def firewall_topology_errors(hosts: dict[str, dict[str, Any]], tiers: dict[str, dict[str, Any]]) -> list[str]:
    errors = []
    for name, host in sorted(hosts.items()):
        tier = tiers.get(host.get("tier", ""))
        if tier is None:
            errors.append(f"firewall_hosts.{name}.tier {host.get('tier')!r} is not one of firewall_tiers")
            continue
        net = ipaddress.IPv4Network(str(tier["local_cidr"]))
        places = [("address", host.get("address"))] + [
            (f"local_replicas.{r}", a) for r, a in (host.get("local_replicas") or {}).items()
        ]
        for key, value in places:
            try:
                address = ipaddress.IPv4Address(str(value))
            except ValueError:
                errors.append(f"firewall_hosts.{name}.{key} {value!r} is not an IPv4 address")
                continue
            if address not in net or address in (net.network_address, net.broadcast_address):
                errors.append(f"firewall_hosts.{name}.{key} {address} is outside its tier {host['tier']} ({net})")
    return errors


def firewall_first_address(cidr: str) -> str:
    """The first usable address of a network (the controller's end of the controller link)."""
    return str(ipaddress.IPv4Network(str(cidr)).network_address + 1)


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {
            "firewall_flow_rules": firewall_flow_rules,
            "firewall_topology_errors": firewall_topology_errors,
            "firewall_first_address": firewall_first_address,
        }
