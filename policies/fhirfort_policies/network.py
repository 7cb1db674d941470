"""VPC, subnets, security groups, flow logs and VPC endpoints (NET-*)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fhirfort.spec import spec

from . import types as t
from ._base import MANDATORY, FhirfortResourcePolicy, FhirfortStackPolicy, Res, Stack, as_list, each, is_true, parameter

WORLD = frozenset({"0.0.0.0/0", "::/0"})


@dataclass(frozen=True)
class Ingress:
    protocol: str
    from_port: int
    to_port: int
    cidrs: tuple[str, ...]
    security_group: str | None  # the group the rule belongs to, when the rule is its own resource

    def covers(self, port: int) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        return self.protocol in ("tcp", "6") and self.from_port <= port <= self.to_port

    @property
    def world(self) -> bool:
        return bool(WORLD.intersection(self.cidrs))


def _port(value: object, default: int) -> int:
    """Ports arrive as numbers (floats after the wire round trip) or strings."""
    try:
        return int(float(str(value)))
    except ValueError:
        return default


def ingress_rules(r: Res) -> list[Ingress]:
    """Every ingress rule a security-group resource declares, whatever its resource type."""
    if r.type == t.SG:
        return [
            Ingress(
                str(rule.get("protocol", "")).lower(),
                _port(rule.get("fromPort"), 0),
                _port(rule.get("toPort"), 65535),
                tuple(as_list(rule.get("cidrBlocks")) + as_list(rule.get("ipv6CidrBlocks"))),
                None,
            )
            for rule in as_list(r.get("ingress"))
        ]
    if r.type == t.SG_RULE and r.get("type") == "ingress":
        cidrs = as_list(r.get("cidrBlocks")) + as_list(r.get("ipv6CidrBlocks"))
        return [
            Ingress(
                str(r.get("protocol", "")).lower(),
                _port(r.get("fromPort"), 0),
                _port(r.get("toPort"), 65535),
                tuple(cidrs),
                r.get("securityGroupId"),
            )
        ]
    if r.type == t.SG_INGRESS:
        cidrs = as_list(r.get("cidrIpv4")) + as_list(r.get("cidrIpv6"))
        return [
            Ingress(
                str(r.get("ipProtocol", "")).lower(),
                _port(r.get("fromPort"), 0),
                _port(r.get("toPort"), 65535),
                tuple(cidrs),
                r.get("securityGroupId"),
            )
        ]
    return []


SG_TYPES = (t.SG, t.SG_RULE, t.SG_INGRESS)
EGRESS_TYPES = (t.SG, t.SG_RULE, t.SG_EGRESS)


def _world_egress(r: Res) -> Iterator[str]:
    if r.type == t.SG:
        rules = [(as_list(e.get("cidrBlocks")) + as_list(e.get("ipv6CidrBlocks"))) for e in as_list(r.get("egress"))]
    elif r.type == t.SG_RULE:
        rules = [as_list(r.get("cidrBlocks")) + as_list(r.get("ipv6CidrBlocks"))] if r.get("type") == "egress" else []
    else:
        rules = [as_list(r.get("cidrIpv4")) + as_list(r.get("cidrIpv6"))]
    for cidrs in rules:
        world = WORLD.intersection(str(c) for c in cidrs)
        if world:
            yield (
                f"egress to {', '.join(sorted(world))}: tiers reach only security groups, VPC endpoints and "
                "prefix lists (flows.yaml), never the internet"
            )


def _nacl_admin_ports(r: Res) -> Iterator[str]:
    if is_true(r.get("egress")) or r.get("ruleAction") != "allow":
        return
    source = {str(r.get("cidrBlock") or ""), str(r.get("ipv6CidrBlock") or "")}
    if not WORLD.intersection(source):
        return
    rule = Ingress(
        str(r.get("protocol", "")).lower(), _port(r.get("fromPort"), 0), _port(r.get("toPort"), 65535), (), None
    )
    for port in (spec().port("ssh"), *parameter("NET-06", "admin_ports")):
        if rule.covers(port):
            yield f"network ACL rule {r.get('ruleNumber')} allows port {port} from the internet"


def _tier_of(subnet: Res) -> str | None:
    return subnet.tags.get(parameter("NET-11", "tier_tag"))


def _internet_routes_public_only(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    tiers = spec().topology.tiers
    gateways = stack.of(t.INTERNET_GATEWAY, t.NAT_GATEWAY)
    for route in stack.of(t.ROUTE):
        to_internet = any(
            stack.refers(route, key, gw) for gw in gateways for key in ("gatewayId", "natGatewayId")
        ) or str(route.get("gatewayId", "")).startswith("igw-")
        if not to_internet:
            continue
        for table in stack.referenced(route, "routeTableId", t.ROUTE_TABLE):
            for assoc in stack.referrers(table, "routeTableId", t.ROUTE_TABLE_ASSOCIATION):
                for subnet in stack.referenced(assoc, "subnetId", t.SUBNET):
                    tier = _tier_of(subnet)
                    if tier not in tiers or not tiers[tier].aws_internet_route:  # type: ignore[index]
                        yield (
                            (
                                f"route {route.name} sends subnet {subnet.name} (tier {tier}) to the internet; "
                                "spec/tiers.yaml gives only aws_internet_route tiers that path"
                            ),
                            route,
                        )


def _world_web_only(r: Res) -> Iterator[str]:
    allowed = {spec().port("https"), spec().port("http_redirect")}
    for rule in ingress_rules(r):
        if not rule.world:
            continue
        single = rule.protocol in ("tcp", "6") and rule.from_port == rule.to_port
        if not single or rule.from_port not in allowed:
            yield (
                f"ingress from {', '.join(sorted(WORLD.intersection(rule.cidrs)))} on {rule.protocol} "
                f"{rule.from_port}-{rule.to_port}: the internet may reach only TCP {sorted(allowed)} (the ALB)"
            )


def _no_admin_ports(r: Res) -> Iterator[str]:
    ports = [spec().port("ssh"), *parameter("NET-06", "admin_ports")]
    for rule in ingress_rules(r):
        for port in ports:
            if rule.covers(port):
                yield (
                    f"ingress rule {rule.protocol} {rule.from_port}-{rule.to_port} opens administrative port {port}; "
                    "hosts on AWS are managed through SSM only"
                )


def _subnet_no_public_ip(r: Res) -> Iterator[str]:
    if is_true(r.get("mapPublicIpOnLaunch")):
        yield "mapPublicIpOnLaunch is true: instances in this subnet get a public address automatically"
    if is_true(r.get("assignIpv6AddressOnCreation")):
        yield "assignIpv6AddressOnCreation is true: instances get a globally routable IPv6 address"


def _default_sg_closed(r: Res) -> Iterator[str]:
    for direction in ("ingress", "egress"):
        if as_list(r.get(direction)):
            yield f"the VPC's default security group has {direction} rules; it must allow nothing"


def _vpc_flow_logs(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    for vpc in stack.of(t.VPC):
        logs = stack.referrers(vpc, "vpcId", t.FLOW_LOG)
        if not logs:
            yield f"VPC {vpc.name} has no flow log", vpc
        elif not any(fl.get("trafficType") == "ALL" for fl in logs):
            yield f"VPC {vpc.name} has flow logs but none records trafficType ALL", vpc


def _vpc_default_sg_adopted(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    yield from each(
        stack.of(t.VPC),
        lambda vpc: (
            None
            if stack.referrers(vpc, "vpcId", t.DEFAULT_SG)
            else f"VPC {vpc.name}: its default security group is not adopted and emptied (aws:ec2/defaultSecurityGroup)"
        ),
    )


def _world_ingress_only_on_lb(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    lbs = stack.of(*t.LB)
    groups = stack.of(t.SG)
    lb_groups = {g.urn for lb in lbs for g in stack.referenced(lb, "securityGroups", t.SG)}
    for r in stack.of(*SG_TYPES):
        if not any(rule.world for rule in ingress_rules(r)):
            continue
        owner = [r] if r.type == t.SG else [g for g in groups if stack.refers(r, "securityGroupId", g)]
        if not owner or not any(g.urn in lb_groups for g in owner):
            yield f"{r.name} admits internet traffic but its security group is not a load balancer's", r


def _vpc_endpoints(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    required = [str(s) for s in parameter("NET-07", "required_services")]
    for vpc in stack.of(t.VPC):
        present = {
            str(e.get("serviceName", "")).rsplit(".", 1)[-1] for e in stack.referrers(vpc, "vpcId", t.VPC_ENDPOINT)
        }
        missing = [s for s in required if s not in present]
        if missing:
            yield f"VPC {vpc.name} lacks VPC endpoints for {', '.join(missing)} (hosts have no NAT)", vpc


def _endpoint_private_dns(r: Res) -> Iterator[str]:
    if r.get("vpcEndpointType", "Gateway") == "Interface" and not is_true(r.get("privateDnsEnabled")):
        yield (
            f"interface endpoint for {r.get('serviceName')} has privateDnsEnabled off: "
            "SDKs would resolve the public endpoint"
        )


POLICIES = [
    FhirfortStackPolicy(
        name="net-01-vpc-flow-logs",
        enforcement_level=MANDATORY,
        control="NET-01",
        types=(t.VPC, t.FLOW_LOG),
        summary="Every VPC has a flow log recording ALL traffic.",
        check=_vpc_flow_logs,
        remediation="Add an aws:ec2/flowLog:FlowLog with vpcId and trafficType ALL to a KMS-encrypted log group.",
    ),
    FhirfortResourcePolicy(
        name="net-02-default-sg-closed",
        enforcement_level=MANDATORY,
        control="NET-02",
        types=(t.DEFAULT_SG,),
        summary="The default security group of every VPC has no ingress and no egress rules.",
        check=_default_sg_closed,
        remediation="Declare aws:ec2/defaultSecurityGroup:DefaultSecurityGroup with empty ingress and egress.",
    ),
    FhirfortStackPolicy(
        name="net-02-default-sg-adopted",
        enforcement_level=MANDATORY,
        control="NET-02",
        types=(t.VPC, t.DEFAULT_SG),
        summary="Every VPC's default security group is adopted by the stack (so it can be emptied).",
        check=_vpc_default_sg_adopted,
        remediation="Declare aws:ec2/defaultSecurityGroup:DefaultSecurityGroup for each VPC with no rules.",
    ),
    FhirfortResourcePolicy(
        name="net-03-subnet-no-auto-public-ip",
        enforcement_level=MANDATORY,
        control="NET-03",
        types=(t.SUBNET,),
        summary="Subnets do not assign public addresses on launch.",
        check=_subnet_no_public_ip,
        remediation="Set mapPublicIpOnLaunch false; only the ALB is internet-facing.",
    ),
    FhirfortResourcePolicy(
        name="net-04-sg-world-ingress-web-only",
        enforcement_level=MANDATORY,
        control="NET-04",
        types=SG_TYPES,
        summary="Ingress from 0.0.0.0/0 or ::/0 is limited to TCP 443 and 80 (spec services https, http_redirect).",
        check=_world_web_only,
        remediation="Restrict the rule's source to a security group or the configured client CIDRs.",
    ),
    FhirfortStackPolicy(
        name="net-05-world-ingress-only-on-alb",
        enforcement_level=MANDATORY,
        control="NET-05",
        types=(*SG_TYPES, *t.LB),
        summary="Only a load balancer's security group admits internet traffic.",
        check=_world_ingress_only_on_lb,
        remediation="Move the rule to the ALB's security group; app and data tiers accept only security-group sources.",
    ),
    FhirfortResourcePolicy(
        name="net-06-no-admin-ports",
        enforcement_level=MANDATORY,
        control="NET-06",
        types=SG_TYPES,
        summary="No security group opens SSH (22) or RDP (3389) to any source; management is through SSM.",
        check=_no_admin_ports,
        remediation="Remove the rule; use SSM Session Manager through the VPC endpoints.",
    ),
    FhirfortStackPolicy(
        name="net-07-vpc-endpoints",
        enforcement_level=MANDATORY,
        control="NET-07",
        types=(t.VPC, t.VPC_ENDPOINT),
        summary="Every VPC has interface endpoints for the AWS services the hosts use (no NAT, no internet path).",
        check=_vpc_endpoints,
        remediation="Add aws:ec2/vpcEndpoint:VpcEndpoint (Interface, private DNS) for each missing service.",
    ),
    FhirfortResourcePolicy(
        name="net-08-endpoint-private-dns",
        enforcement_level=MANDATORY,
        control="NET-08",
        types=(t.VPC_ENDPOINT,),
        summary="Interface VPC endpoints have private DNS enabled so AWS SDK traffic stays inside the VPC.",
        check=_endpoint_private_dns,
        remediation="Set privateDnsEnabled true on the interface endpoint.",
    ),
    FhirfortResourcePolicy(
        name="net-09-no-internet-egress",
        enforcement_level=MANDATORY,
        control="NET-09",
        types=EGRESS_TYPES,
        summary="Security groups allow no egress to 0.0.0.0/0 or ::/0.",
        check=_world_egress,
        remediation="Point the rule at the destination's security group, the endpoints' group or a prefix list.",
    ),
    FhirfortResourcePolicy(
        name="net-10-nacl-no-world-admin-ports",
        enforcement_level=MANDATORY,
        control="NET-10",
        types=(t.NACL_RULE,),
        summary="Network ACLs do not allow SSH or RDP from the internet.",
        check=_nacl_admin_ports,
        remediation="Remove the allow rule or narrow its cidrBlock.",
    ),
    FhirfortStackPolicy(
        name="net-11-internet-routes-public-tier-only",
        enforcement_level=MANDATORY,
        control="NET-11",
        types=(t.ROUTE, t.ROUTE_TABLE, t.ROUTE_TABLE_ASSOCIATION, t.INTERNET_GATEWAY),
        summary="Only subnets of tiers with aws_internet_route (spec/tiers.yaml) route to an internet or NAT gateway.",
        check=_internet_routes_public_only,
        remediation="Associate app, data and mgmt subnets with route tables that have no internet route.",
    ),
]
