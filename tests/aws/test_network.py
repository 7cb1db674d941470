"""Network properties of the declared stacks (inputs as the provider would receive them)."""

from __future__ import annotations

import ipaddress

from fhirfort.aws.mocked import StackRun
from fhirfort.aws.network import INTERFACE_ENDPOINTS, subnet_cidrs
from fhirfort.spec import spec

SUBNET = "aws:ec2/subnet:Subnet"


def _tier(props: dict) -> str:
    return props["tags"]["fhirfort:tier"]


def test_subnets_span_the_configured_azs(dev_run: StackRun, prod_run: StackRun) -> None:
    for run, azs in ((dev_run, 2), (prod_run, 3)):
        subnets = run.of_type(SUBNET)
        for tier in ("public", "app", "data"):
            zones = {s.props["availabilityZone"] for s in subnets if _tier(s.props) == tier}
            assert len(zones) == azs, (run.stack, tier)


def test_subnets_are_carved_from_vpc_cidr_at_spec_offsets(run: StackRun) -> None:
    vpc = ipaddress.IPv4Network(run.one("aws:ec2/vpc:Vpc").props["cidrBlock"])
    expected = subnet_cidrs(str(vpc), spec(), len({s.props["availabilityZone"] for s in run.of_type(SUBNET)}))
    declared: dict[str, list[str]] = {}
    for s in run.of_type(SUBNET):
        declared.setdefault(_tier(s.props), []).append(s.props["cidrBlock"])
        assert ipaddress.IPv4Network(s.props["cidrBlock"]).subnet_of(vpc)
    assert {k: sorted(v) for k, v in declared.items()} == {k: sorted(v) for k, v in expected.items()}
    first_app = ipaddress.IPv4Network(expected["app"][0])
    step = 2 ** (32 - first_app.prefixlen)
    offset = (int(first_app.network_address) - int(vpc.network_address)) // step
    assert offset == spec().topology.tiers["app"].aws_subnet_offset


def test_no_subnet_maps_public_ips(run: StackRun) -> None:
    assert all(s.props["mapPublicIpOnLaunch"] is False for s in run.of_type(SUBNET))


def test_only_public_tier_routes_to_internet_gateway_and_no_nat(run: StackRun) -> None:
    assert not run.of_type("aws:ec2/natGateway:NatGateway")
    assert not run.of_type("aws:ec2/eip:Eip")
    routes = run.of_type("aws:ec2/route:Route")
    assert [r.name for r in routes] == ["rt-public-internet"]
    public_rt = run.id_of("rt-public")
    assert routes[0].props["routeTableId"] == public_rt
    assert routes[0].props["gatewayId"] == run.id_of("igw")
    for rt in run.of_type("aws:ec2/routeTable:RouteTable"):
        assert not rt.props.get("routes"), "inline routes are not used"
    # app and data subnets are associated with their own route tables, not the public one
    subnet_tier = {run.id_of(s.name): _tier(s.props) for s in run.of_type(SUBNET)}
    for assoc in run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        tier = subnet_tier[assoc.props["subnetId"]]
        assert (assoc.props["routeTableId"] == public_rt) == (tier == "public")


def test_interface_endpoints_with_private_dns_and_endpoint_sg(run: StackRun) -> None:
    endpoints = {e.props["serviceName"].rsplit(".", 1)[1]: e for e in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert set(INTERFACE_ENDPOINTS) | {"s3"} == set(endpoints)
    sg = run.id_of("sg-aws_endpoints")
    for name in INTERFACE_ENDPOINTS:
        props = endpoints[name].props
        assert props["vpcEndpointType"] == "Interface"
        assert props["privateDnsEnabled"] is True
        assert props["securityGroupIds"] == [sg]
    s3 = endpoints["s3"].props
    assert s3["vpcEndpointType"] == "Gateway"
    assert s3["routeTableIds"] == [run.id_of("rt-app")]


def test_default_security_group_has_no_rules(run: StackRun) -> None:
    default = run.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.props["ingress"] == [] and default.props["egress"] == []


def test_security_groups_have_no_inline_rules(run: StackRun) -> None:
    for sg in run.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert not sg.props.get("ingress") and not sg.props.get("egress"), sg.name
    assert not run.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")


def test_vpc_flow_logs_all_traffic_to_encrypted_log_group(run: StackRun) -> None:
    flow_log = run.one("aws:ec2/flowLog:FlowLog")
    assert flow_log.props["trafficType"] == "ALL"
    assert flow_log.props["logDestinationType"] == "cloud-watch-logs"
    group = run.one("aws:cloudwatch/logGroup:LogGroup", "flow-logs")
    assert flow_log.props["logDestination"] == run.state_of("flow-logs")["arn"]
    assert group.props["kmsKeyId"] == run.outputs["kms_key_arns"]["logs"]
    assert run.outputs["flow_log_group_name"] == group.props["name"]


def test_data_tier_nacl_admits_only_postgresql_from_app_subnets(run: StackRun) -> None:
    rules = run.of_type("aws:ec2/networkAclRule:NetworkAclRule")
    app = {s.props["cidrBlock"] for s in run.of_type(SUBNET) if _tier(s.props) == "app"}
    ingress = [r.props for r in rules if not r.props["egress"]]
    assert {r["cidrBlock"] for r in ingress} == app
    assert all(r["fromPort"] == r["toPort"] == spec().port("postgresql") for r in ingress)
    assert all(r.props["ruleAction"] == "allow" for r in rules)
