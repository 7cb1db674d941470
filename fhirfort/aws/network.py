"""Network: VPC, tiered subnets carved from the spec, routes, VPC endpoints, security groups, flow logs.

- Tiers come from spec/tiers.yaml: a tier gets one subnet per AZ when one of its hosts is played by an
  AWS resource inside the VPC (ALB, ASG, RDS). Subnet *i* of a tier is block `aws_subnet_offset + i` of
  the VPC split into /(prefix+4) blocks.
- Only tiers with `aws_internet_route: true` (public: the ALB) route to the internet gateway. There is
  no NAT: the app tier reaches AWS APIs through interface endpoints and S3 through a gateway endpoint;
  the data tier has no route beyond the VPC.
- No subnet maps public IPs; the default security group has no rules.
- Security groups are created empty here; their rules come from the flow matrix (flows.py).
- Explicit NACLs: the data tier only talks to the app tier (stateless mirror of the flow matrix).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from fhirfort.aws.common import AwsContext, assume_role_policy, child, iam_role, log_group, policy_output
from fhirfort.spec import Spec

# Interface endpoints the hosts need without NAT: SSM agent, secrets, KMS, logs, STS, CloudWatch metrics.
INTERFACE_ENDPOINTS = ("ssm", "ssmmessages", "ec2messages", "secretsmanager", "kms", "logs", "sts", "monitoring")
# AWS roles played inside the VPC (spec hosts.*.aws); a tier holding one of them gets subnets.
IN_VPC_ROLES = frozenset({"alb", "asg", "rds"})
EPHEMERAL_PORTS = (1024, 65535)


def aws_tiers(s: Spec) -> list[str]:
    """Tiers that get subnets on AWS, in spec order."""
    return [
        name
        for name in s.topology.tiers
        if any(h.aws in IN_VPC_ROLES for h in s.topology.hosts_in(name).values())  # type: ignore[arg-type]
    ]


def subnet_cidrs(vpc_cidr: str, s: Spec, az_count: int) -> dict[str, list[str]]:
    """tier -> one CIDR per AZ, carved at the tier's `aws_subnet_offset`."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    blocks = list(vpc.subnets(prefixlen_diff=4))
    return {
        tier: [str(blocks[s.topology.tiers[tier].aws_subnet_offset + i]) for i in range(az_count)]  # type: ignore[index]
        for tier in aws_tiers(s)
    }


@dataclass
class NetworkArgs:
    ctx: AwsContext
    spec: Spec
    vpc_cidr: str
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int


class Network(pulumi.ComponentResource):
    vpc: aws.ec2.Vpc
    subnets: dict[str, list[aws.ec2.Subnet]]
    security_groups: dict[str, aws.ec2.SecurityGroup]  # flow endpoint name -> group
    s3_prefix_list_id: pulumi.Output[str]
    s3_endpoint_id: pulumi.Output[str]  # the app tier's S3 gateway endpoint (aws:SourceVpce of host requests)
    flow_log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("fhirfort:aws:Network", name, None, opts)
        ctx, s = args.ctx, args.spec
        self.vpc = aws.ec2.Vpc(
            "vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=ctx.tags(Name=ctx.name("vpc")),
            opts=child(self),
        )
        # The default SG: no rules at all (nothing may use it by accident).
        aws.ec2.DefaultSecurityGroup(
            "default-sg", vpc_id=self.vpc.id, ingress=[], egress=[], tags=ctx.tags(), opts=child(self)
        )
        igw = aws.ec2.InternetGateway("igw", vpc_id=self.vpc.id, tags=ctx.tags(), opts=child(self))

        self.subnets = {}
        self.route_tables: dict[str, aws.ec2.RouteTable] = {}
        for tier, cidrs in subnet_cidrs(args.vpc_cidr, s, len(ctx.azs)).items():
            internet = s.topology.tiers[tier].aws_internet_route  # type: ignore[index]
            rt = aws.ec2.RouteTable(
                f"rt-{tier}", vpc_id=self.vpc.id, tags=ctx.tags(Name=ctx.name(f"rt-{tier}")), opts=child(self)
            )
            if internet:
                aws.ec2.Route(
                    f"rt-{tier}-internet",
                    route_table_id=rt.id,
                    destination_cidr_block="0.0.0.0/0",
                    gateway_id=igw.id,
                    opts=child(self),
                )
            self.route_tables[tier] = rt
            self.subnets[tier] = []
            for i, (az, cidr) in enumerate(zip(ctx.azs, cidrs, strict=True)):
                subnet = aws.ec2.Subnet(
                    f"subnet-{tier}-{i}",
                    vpc_id=self.vpc.id,
                    cidr_block=cidr,
                    availability_zone=az,
                    map_public_ip_on_launch=False,
                    tags=ctx.tags(Name=ctx.name(f"{tier}-{az}"), **{"fhirfort:tier": tier}),
                    opts=child(self),
                )
                aws.ec2.RouteTableAssociation(
                    f"rta-{tier}-{i}", subnet_id=subnet.id, route_table_id=rt.id, opts=child(self)
                )
                self.subnets[tier].append(subnet)

        self.security_groups = self._security_groups(ctx, s)
        app_tier = s.topology.hosts["fhir"].tier
        data_tier = s.topology.hosts["db"].tier
        self._endpoints(ctx, app_tier)
        self._data_nacl(ctx, s, app_tier, data_tier, args.vpc_cidr)
        self._flow_logs(ctx, args)
        self.register_outputs({"vpc_id": self.vpc.id, "flow_log_group_name": self.flow_log_group.name})

    def _security_groups(self, ctx: AwsContext, s: Spec) -> dict[str, aws.ec2.SecurityGroup]:
        """One empty SG per AWS-played host role in the VPC plus the endpoints; rules come from flows.py."""
        groups: dict[str, aws.ec2.SecurityGroup] = {}
        members = [n for n, h in s.topology.hosts.items() if h.aws in IN_VPC_ROLES] + ["aws_endpoints"]
        for member in members:
            groups[member] = aws.ec2.SecurityGroup(
                f"sg-{member}",
                name=ctx.name(member.replace("_", "-")),
                description=f"fhirfort {member}: rules generated from spec/flows.yaml",
                vpc_id=self.vpc.id,
                revoke_rules_on_delete=True,
                tags=ctx.tags(Name=ctx.name(member)),
                opts=child(self),
            )
        return groups

    def _endpoints(self, ctx: AwsContext, app_tier: str) -> None:
        app_subnets = [sn.id for sn in self.subnets[app_tier]]
        for service in INTERFACE_ENDPOINTS:
            aws.ec2.VpcEndpoint(
                f"vpce-{service}",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{ctx.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=app_subnets,
                security_group_ids=[self.security_groups["aws_endpoints"].id],
                tags=ctx.tags(Name=ctx.name(f"vpce-{service}")),
                opts=child(self),
            )
        s3 = aws.ec2.VpcEndpoint(
            "vpce-s3",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{ctx.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[self.route_tables[app_tier].id],
            tags=ctx.tags(Name=ctx.name("vpce-s3")),
            opts=child(self),
        )
        self.s3_prefix_list_id = s3.prefix_list_id
        self.s3_endpoint_id = s3.id

    def _data_nacl(self, ctx: AwsContext, s: Spec, app_tier: str, data_tier: str, vpc_cidr: str) -> None:
        """Stateless second fence around the data tier: PostgreSQL in from, and replies out to, the app tier."""
        port = s.port("postgresql")
        nacl = aws.ec2.NetworkAcl(
            "nacl-data",
            vpc_id=self.vpc.id,
            subnet_ids=[sn.id for sn in self.subnets[data_tier]],
            tags=ctx.tags(Name=ctx.name("nacl-data")),
            opts=child(self),
        )
        app_cidrs = subnet_cidrs(vpc_cidr, s, len(ctx.azs))[app_tier]
        for i, cidr in enumerate(app_cidrs):
            for egress, (low, high) in ((False, (port, port)), (True, EPHEMERAL_PORTS)):
                aws.ec2.NetworkAclRule(
                    f"nacl-data-{'out' if egress else 'in'}-{i}",
                    network_acl_id=nacl.id,
                    rule_number=100 + i,
                    egress=egress,
                    protocol="tcp",
                    rule_action="allow",
                    cidr_block=cidr,
                    from_port=low,
                    to_port=high,
                    opts=child(self),
                )

    def _flow_logs(self, ctx: AwsContext, args: NetworkArgs) -> None:
        self.flow_log_group = log_group(
            "flow-logs",
            f"/fhirfort/{ctx.stack}/vpc-flow-logs",
            args.logs_key_arn,
            args.log_retention_days,
            ctx,
            self,
        )
        role = iam_role("flow-logs-role", assume_role_policy("vpc-flow-logs.amazonaws.com", ctx), ctx, self)
        aws.iam.RolePolicy(
            "flow-logs-policy",
            role=role.id,
            policy=policy_output(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        "Resource": [self.flow_log_group.arn, pulumi.Output.concat(self.flow_log_group.arn, ":*")],
                    }
                ]
            ),
            opts=child(self),
        )
        aws.ec2.FlowLog(
            "flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=ctx.tags(),
            opts=child(self),
        )
