"""Security group rules generated from the flow matrix (spec/flows.yaml, flows with target `aws`).

Every rule is one flow: the source group gets an egress rule and the destination group an ingress rule,
both named and tagged by the flow id. Nothing else opens a port: the groups are created empty
(network.py) and the default group has no rules, so the matrix is the whole network policy.

Endpoint mapping on AWS: `clients` are the configured client CIDRs (ingress only); host roles map to
their security group (edge -> the ALB's); `aws_endpoints` is the interface endpoints' group, except for
the `s3_gateway` service, which is the S3 gateway endpoint's prefix list (egress only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from fhirfort.aws.common import AwsContext, child
from fhirfort.spec import Flow, Spec

FLOW_TAG = "fhirfort:flow"
S3_GATEWAY_SERVICE = "s3_gateway"


class FlowMatrixError(ValueError):
    """A flow with target `aws` that the AWS target cannot express."""


@dataclass(frozen=True)
class Peer:
    """One side of a flow on AWS: exactly one of the fields is set."""

    group: str | None = None  # key into the network's security groups
    cidrs: tuple[str, ...] | None = None
    prefix_list: bool = False


def resolve(flow: Flow, endpoint: str, groups: set[str], client_cidrs: tuple[str, ...]) -> Peer:
    if endpoint == "clients":
        return Peer(cidrs=client_cidrs)
    if endpoint == "aws_endpoints" and flow.service == S3_GATEWAY_SERVICE:
        return Peer(prefix_list=True)
    if endpoint in groups:
        return Peer(group=endpoint)
    raise FlowMatrixError(f"spec/flows.yaml: {flow.id}: endpoint {endpoint!r} has no security group on AWS")


@dataclass
class FlowRulesArgs:
    ctx: AwsContext
    spec: Spec
    security_groups: dict[str, aws.ec2.SecurityGroup]
    client_cidrs: tuple[str, ...]
    s3_prefix_list_id: pulumi.Input[str]


class FlowRules(pulumi.ComponentResource):
    """Ingress/egress rules, one pair per aws flow of the matrix."""

    def __init__(self, name: str, args: FlowRulesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:FlowRules", name, None, opts)
        groups = args.security_groups
        self.rule_names: list[str] = []
        for flow in args.spec.flows_for("aws"):
            service = args.spec.services[flow.service]
            src = resolve(flow, flow.source, set(groups), args.client_cidrs)
            dst = resolve(flow, flow.destination, set(groups), args.client_cidrs)
            common: dict[str, Any] = {
                "ip_protocol": service.protocol,
                "from_port": service.port,
                "to_port": service.port,
                "description": f"{flow.id} {flow.source} to {flow.destination} ({flow.service})",
                "tags": args.ctx.tags(**{FLOW_TAG: flow.id}),
            }
            if src.group is not None:
                target: dict[str, Any]
                if dst.group is not None:
                    target = {"referenced_security_group_id": groups[dst.group].id}
                elif dst.prefix_list:
                    target = {"prefix_list_id": args.s3_prefix_list_id}
                else:
                    raise FlowMatrixError(f"spec/flows.yaml: {flow.id}: egress to CIDRs is not supported")
                self._egress(f"{flow.id}-egress", groups[src.group].id, {**common, **target})
            if dst.group is not None:
                if src.group is not None:
                    self._ingress(
                        f"{flow.id}-ingress",
                        groups[dst.group].id,
                        {**common, "referenced_security_group_id": groups[src.group].id},
                    )
                else:
                    for i, cidr in enumerate(src.cidrs or ()):
                        self._ingress(f"{flow.id}-ingress-{i}", groups[dst.group].id, {**common, "cidr_ipv4": cidr})
        self.register_outputs({"rules": self.rule_names})

    def _ingress(self, name: str, group_id: pulumi.Input[str], kwargs: dict[str, Any]) -> None:
        aws.vpc.SecurityGroupIngressRule(name, security_group_id=group_id, **kwargs, opts=child(self))
        self.rule_names.append(name)

    def _egress(self, name: str, group_id: pulumi.Input[str], kwargs: dict[str, Any]) -> None:
        aws.vpc.SecurityGroupEgressRule(name, security_group_id=group_id, **kwargs, opts=child(self))
        self.rule_names.append(name)
