"""Application host controls (EC2-01..04), for every instance of the FHIR and IdP Auto Scaling groups and for the
launch template version the group launches next: IMDSv2 only, hop limit 1, EBS encrypted, no public IP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fhirfort.verify_aws.context import CheckContext
from fhirfort.verify_aws.result import CheckResult, verdict


@dataclass(frozen=True)
class Fleet:
    """One Auto Scaling group: its live instances and the launch template data it launches from."""

    asg: str
    instances: list[dict[str, Any]]
    template: dict[str, Any] | None


def _fleet(ctx: CheckContext, asg_name: str) -> Fleet:
    def fetch() -> Fleet:
        groups = ctx.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])
        if not groups["AutoScalingGroups"]:
            raise LookupError(f"Auto Scaling group {asg_name} does not exist")
        group = groups["AutoScalingGroups"][0]
        ids = [i["InstanceId"] for i in group.get("Instances") or []]
        ec2 = ctx.client("ec2")
        instances = []
        if ids:
            reservations = ec2.describe_instances(InstanceIds=ids)["Reservations"]
            instances = [i for r in reservations for i in r["Instances"]]
        spec = group.get("LaunchTemplate") or (group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get(
            "LaunchTemplateSpecification"
        )
        template = None
        if spec:
            ref = {"LaunchTemplateId": spec["LaunchTemplateId"]} if spec.get("LaunchTemplateId") else {}
            ref = ref or {"LaunchTemplateName": spec["LaunchTemplateName"]}
            versions = ec2.describe_launch_template_versions(**ref, Versions=[spec.get("Version", "$Default")])
            template = versions["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        return Fleet(asg_name, instances, template)

    return ctx.memo(f"asg.{asg_name}", fetch)


def _fleets(ctx: CheckContext) -> list[Fleet]:
    return [_fleet(ctx, ctx.outputs.fhir_asg_name), _fleet(ctx, ctx.outputs.idp_asg_name)]


def _per_fleet(
    ctx: CheckContext,
    instance_problems: Callable[[CheckContext, dict[str, Any]], list[str]],
    template_problems: Callable[[dict[str, Any]], list[str]],
) -> tuple[list[str], int]:
    problems: list[str] = []
    count = 0
    for fleet in _fleets(ctx):
        if fleet.template is None:
            problems.append(f"{fleet.asg}: no launch template (launch configurations are not verified)")
        else:
            problems += [f"{fleet.asg} launch template: {p}" for p in template_problems(fleet.template)]
        for instance in fleet.instances:
            count += 1
            problems += [f"{fleet.asg} {instance['InstanceId']}: {p}" for p in instance_problems(ctx, instance)]
    return problems, count


def _no_public_ip_instance(_: CheckContext, instance: dict[str, Any]) -> list[str]:
    problems = []
    if instance.get("PublicIpAddress"):
        problems.append(f"public IP {instance['PublicIpAddress']}")
    for eni in instance.get("NetworkInterfaces") or []:
        if (eni.get("Association") or {}).get("PublicIp"):
            problems.append(f"{eni['NetworkInterfaceId']} has public IP {eni['Association']['PublicIp']}")
    return problems


def _no_public_ip_template(data: dict[str, Any]) -> list[str]:
    return [
        f"network interface {eni.get('DeviceIndex')} associates a public IP"
        for eni in data.get("NetworkInterfaces") or []
        if eni.get("AssociatePublicIpAddress")
    ]


def check_hosts_no_public_ip(ctx: CheckContext) -> CheckResult:
    problems, count = _per_fleet(ctx, _no_public_ip_instance, _no_public_ip_template)
    return verdict("EC2-04", "App hosts have no public IP", problems, f"{count} instances, private only")


def _tokens_problems(options: dict[str, Any]) -> list[str]:
    if options.get("HttpTokens") != "required":
        return [f"HttpTokens={options.get('HttpTokens', '(unset: optional)')} (IMDSv1 allowed)"]
    return []


def _hop_problems(options: dict[str, Any]) -> list[str]:
    hops = int(options.get("HttpPutResponseHopLimit") or 1)
    return [f"HttpPutResponseHopLimit={hops} (> 1 lets containers reach IMDS)"] if hops > 1 else []


def check_hosts_imdsv2(ctx: CheckContext) -> CheckResult:
    problems, count = _per_fleet(
        ctx,
        lambda _, i: _tokens_problems(i.get("MetadataOptions") or {}),
        lambda t: _tokens_problems(t.get("MetadataOptions") or {}),
    )
    return verdict("EC2-01", "App hosts require IMDSv2", problems, f"{count} instances, HttpTokens=required")


def check_hosts_hop_limit(ctx: CheckContext) -> CheckResult:
    problems, count = _per_fleet(
        ctx,
        lambda _, i: _hop_problems(i.get("MetadataOptions") or {}),
        lambda t: _hop_problems(t.get("MetadataOptions") or {}),
    )
    return verdict("EC2-02", "Instance metadata hop limit 1", problems, f"{count} instances, hop limit 1")


def _ebs_instance(ctx: CheckContext, instance: dict[str, Any]) -> list[str]:
    ids = [m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings") or [] if "Ebs" in m]
    if not ids:
        return []
    volumes = ctx.client("ec2").describe_volumes(VolumeIds=ids)["Volumes"]
    return [f"volume {v['VolumeId']} is not encrypted" for v in volumes if not v.get("Encrypted")]


def _ebs_template(data: dict[str, Any]) -> list[str]:
    return [
        f"block device {m.get('DeviceName')} is not encrypted"
        for m in data.get("BlockDeviceMappings") or []
        if "Ebs" in m and not m["Ebs"].get("Encrypted")
    ]


def check_hosts_ebs_encrypted(ctx: CheckContext) -> CheckResult:
    problems, count = _per_fleet(ctx, _ebs_instance, _ebs_template)
    return verdict("EC2-03", "App host EBS volumes encrypted", problems, f"{count} instances, every volume encrypted")
