"""The security groups are the flow matrix: every aws flow is a rule and no rule exists outside it."""

from __future__ import annotations

import pytest

from fhirfort.aws.flows import FLOW_TAG, FlowMatrixError, resolve
from fhirfort.aws.mocked import StackRun
from fhirfort.spec import Flow, spec

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def _rules(run: StackRun) -> list:
    return run.of_type(INGRESS) + run.of_type(EGRESS)


def _group_names(run: StackRun) -> dict[str, str]:
    """security group id -> flow endpoint name (sg-<endpoint>)."""
    return {
        run.id_of(sg.name): sg.name.removeprefix("sg-") for sg in run.of_type("aws:ec2/securityGroup:SecurityGroup")
    }


def _expected(run: StackRun) -> set[tuple]:
    """(direction, group, peer, port) for every aws flow, derived from the spec alone."""
    s = spec()
    clients = {r.props.get("cidrIpv4") for r in run.of_type(INGRESS) if r.props.get("cidrIpv4")}
    expected: set[tuple] = set()
    for f in s.flows_for("aws"):
        port = s.port(f.service)
        s3 = f.destination == "aws_endpoints" and f.service == "s3_gateway"
        if f.source != "clients":
            expected.add(("egress", f.source, "pl:s3" if s3 else f.destination, port, f.id))
        if not s3:
            peers = sorted(clients) if f.source == "clients" else [f.source]
            for peer in peers:
                expected.add(("ingress", f.destination, peer, port, f.id))
    return expected


def _declared(run: StackRun) -> set[tuple]:
    groups = _group_names(run)
    declared: set[tuple] = set()
    for r in _rules(run):
        p = r.props
        direction = "ingress" if r.type == INGRESS else "egress"
        peer = groups.get(p.get("referencedSecurityGroupId", ""), p.get("cidrIpv4"))
        if p.get("prefixListId"):
            peer = "pl:s3"
        assert p["fromPort"] == p["toPort"], r.name
        declared.add((direction, groups[p["securityGroupId"]], peer, p["fromPort"], p["tags"][FLOW_TAG]))
    return declared


def test_every_aws_flow_is_a_rule_and_no_rule_is_outside_the_matrix(run: StackRun) -> None:
    assert _declared(run) == _expected(run)


def test_every_rule_is_named_and_tagged_by_its_flow(run: StackRun) -> None:
    ids = {f.id for f in spec().flows_for("aws")}
    for r in _rules(run):
        assert r.props["tags"][FLOW_TAG] in ids
        assert r.name.startswith(r.props["tags"][FLOW_TAG] + "-")
        assert r.props["description"].startswith(r.props["tags"][FLOW_TAG])


def test_alb_accepts_443_and_80_only_from_client_cidrs(run: StackRun) -> None:
    alb = run.id_of("sg-edge")
    ingress = [r.props for r in run.of_type(INGRESS) if r.props["securityGroupId"] == alb]
    assert {r["fromPort"] for r in ingress} == {spec().port("https"), spec().port("http_redirect")}
    assert all("cidrIpv4" in r and "referencedSecurityGroupId" not in r for r in ingress)


def test_app_tier_reachable_only_from_alb_and_app_peers(run: StackRun) -> None:
    groups = _group_names(run)
    for role in ("fhir", "idp"):
        sg = run.id_of(f"sg-{role}")
        sources = {
            groups[r.props["referencedSecurityGroupId"]]
            for r in run.of_type(INGRESS)
            if r.props["securityGroupId"] == sg
        }
        assert "edge" in sources
        # fhir -> idp (JWKS) is FLOW-05; idp -> idp (Keycloak's cluster) FLOW-16/17, on the cluster ports only
        assert sources <= {"edge", "fhir", "idp"}, sources
        peers = [
            r.props
            for r in run.of_type(INGRESS)
            if r.props["securityGroupId"] == sg and groups[r.props["referencedSecurityGroupId"]] == "idp"
        ]
        cluster_ports = {spec().port("idp_cluster"), spec().port("idp_cluster_fd")}
        assert {p["fromPort"] for p in peers} == (cluster_ports if role == "idp" else set()), peers
        assert not any(r.props.get("cidrIpv4") for r in run.of_type(INGRESS) if r.props["securityGroupId"] == sg)


def test_database_only_5432_from_app_groups(run: StackRun) -> None:
    groups = _group_names(run)
    db = run.id_of("sg-db")
    ingress = [r.props for r in run.of_type(INGRESS) if r.props["securityGroupId"] == db]
    assert ingress
    assert all(r["fromPort"] == spec().port("postgresql") for r in ingress)
    assert {groups[r["referencedSecurityGroupId"]] for r in ingress} == {"fhir", "idp"}
    assert not [r for r in run.of_type(EGRESS) if r.props["securityGroupId"] == db]


def test_alb_egress_only_to_app_ports(run: StackRun) -> None:
    alb = run.id_of("sg-edge")
    egress = [r.props for r in run.of_type(EGRESS) if r.props["securityGroupId"] == alb]
    assert {r["fromPort"] for r in egress} == {spec().port("fhir_https"), spec().port("idp_https")}


def test_no_port_22_anywhere(run: StackRun) -> None:
    for r in _rules(run):
        assert not r.props["fromPort"] <= 22 <= r.props["toPort"], r.name
        assert r.props["ipProtocol"] != "-1", r.name


def test_flow_without_aws_counterpart_is_refused() -> None:
    flow = Flow.model_validate(
        {"id": "FLOW-X", "from": "any_host", "to": "logs", "service": "syslog_tls", "targets": ["aws"], "why": "x"}
    )
    with pytest.raises(FlowMatrixError, match="FLOW-X"):
        resolve(flow, flow.destination, {"fhir", "idp"}, ("0.0.0.0/0",))
