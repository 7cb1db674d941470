"""The lab router's nftables ruleset, rendered from the local flows of the spec's flow matrix.

Default drop in forward and input; every allowed flow is one rule naming its flow id, pinned to the
ingress and egress legs and to the endpoints' addresses (so a host cannot borrow another's address);
every drop is logged (NFLOG group, read by the router's log reader) with a prefix and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from fhirfort.local.lab import ROUTER_CTL_IF, Lab
from fhirfort.spec import Flow, Spec

TABLE = "fhirfort_router"
LOG_GROUP = 7
DROP_PREFIX = "ffrouter-drop "
INPUT_DROP_PREFIX = "ffrouter-input-drop "


class FlowError(ValueError):
    """A local flow names an endpoint the lab cannot place."""


@dataclass(frozen=True)
class Endpoint:
    ifname: str
    address: str
    label: str


def endpoints(lab: Lab, name: str) -> list[Endpoint]:
    """Where a flow endpoint of the matrix sits in the lab: (router leg, address)."""
    if name in ("clients", "controller"):
        return [Endpoint(ROUTER_CTL_IF, str(lab.controller_address), name)]
    if name == "any_host":
        return [Endpoint(h.tier.router_if, str(h.address), h.name) for h in lab.hosts]
    instances = lab.instances(name)  # a role: its primary and its local replicas
    if instances:
        return [Endpoint(h.tier.router_if, str(h.address), h.name) for h in instances]
    raise FlowError(f"flow endpoint {name!r} has no place in the local lab")


def flow_rules(lab: Lab, s: Spec) -> list[str]:
    """One accept rule per (flow, source, destination) that crosses the router."""
    rules: list[str] = []
    for flow in s.flows_for("local"):
        rules += _rules_for(lab, s, flow)
    return rules


def _rules_for(lab: Lab, s: Spec, flow: Flow) -> list[str]:
    service = s.services[flow.service]
    out: list[str] = []
    for src in endpoints(lab, flow.source):
        for dst in endpoints(lab, flow.destination):
            if src.ifname == dst.ifname:
                continue  # same segment: never routed (the hosts' own firewalls govern it)
            out.append(
                f'iifname "{src.ifname}" ip saddr {src.address} oifname "{dst.ifname}" ip daddr {dst.address} '
                f"{service.protocol} dport {service.port} ct state new accept "
                f'comment "{flow.id} {src.label}->{dst.label} {flow.service}"'
            )
    return out


def render_ruleset(lab: Lab, s: Spec) -> str:
    """The whole router table, replaced atomically by `nft -f`."""
    rules = "\n".join(f"\t\t{r}" for r in flow_rules(lab, s))
    return f"""# Managed by fhirfort: the lab router's forwarding policy = the local flows of spec/flows.yaml.
table inet {TABLE}
flush table inet {TABLE}
table inet {TABLE} {{
\tchain forward {{
\t\ttype filter hook forward priority filter; policy drop;
\t\tct state established,related accept
\t\tct state invalid counter log prefix "{DROP_PREFIX}invalid " group {LOG_GROUP} drop
\t\tmeta nfproto != ipv4 counter log prefix "{DROP_PREFIX}non-ipv4 " group {LOG_GROUP} drop
{rules}
\t\tcounter log prefix "{DROP_PREFIX}" group {LOG_GROUP} drop
\t}}
\tchain input {{
\t\ttype filter hook input priority filter; policy drop;
\t\tiifname "lo" accept
\t\tct state established,related accept
\t\tcounter log prefix "{INPUT_DROP_PREFIX}" group {LOG_GROUP} drop
\t}}
\tchain output {{
\t\ttype filter hook output priority filter; policy accept;
\t}}
}}
"""
