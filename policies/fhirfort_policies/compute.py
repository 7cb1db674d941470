"""EC2 launch templates, instances and auto scaling groups (EC2-*)."""

from __future__ import annotations

from collections.abc import Iterator

from . import types as t
from ._base import MANDATORY, Check, FhirfortResourcePolicy, FhirfortStackPolicy, Res, Stack, as_list, is_true

HOSTS = (t.LAUNCH_TEMPLATE, t.INSTANCE)


def _imdsv2(r: Res) -> Iterator[str]:
    if r.get("metadataOptions.httpTokens") != "required":
        yield "metadataOptions.httpTokens is not 'required' (IMDSv1 lets SSRF read instance credentials)"


def _hop_limit(r: Res) -> Iterator[str]:
    hops = r.get("metadataOptions.httpPutResponseHopLimit")
    if hops is None or float(hops) != 1:
        yield f"metadataOptions.httpPutResponseHopLimit is {hops!r}; 1 keeps credentials away from containers"


def _ebs_encrypted(r: Res) -> Iterator[str]:
    if r.type == t.INSTANCE:
        volumes = [r.get("rootBlockDevice") or {}, *as_list(r.get("ebsBlockDevices"))]
        if not all(is_true(v.get("encrypted")) for v in volumes):
            yield "an EBS volume of the instance is not encrypted"
        return
    mappings = [m for m in as_list(r.get("blockDeviceMappings")) if m.get("ebs") is not None]
    if not mappings:
        yield "no blockDeviceMappings: the root volume's encryption is left to the AMI"
    for m in mappings:
        if not is_true(m["ebs"].get("encrypted")):
            yield f"EBS volume {m.get('deviceName')} is not encrypted"


def _launch_template_public_ip(r: Res) -> list[str]:
    return [
        f"network interface {n.get('deviceIndex', '?')} sets associatePublicIpAddress"
        for n in as_list(r.get("networkInterfaces"))
        if is_true(n.get("associatePublicIpAddress"))
    ]


def _no_public_ip(r: Res) -> Iterator[str]:
    if r.type == t.INSTANCE:
        if is_true(r.get("associatePublicIpAddress")):
            yield "associatePublicIpAddress is true"
        return
    yield from _launch_template_public_ip(r)


def _no_key_pair(r: Res) -> Iterator[str]:
    if r.get("keyName"):
        yield f"keyName {r.get('keyName')!r} installs an SSH key; hosts are reached through SSM only"


def _detailed_monitoring(r: Res) -> Iterator[str]:
    enabled = r.get("monitoring") if r.type == t.INSTANCE else r.get("monitoring.enabled")
    if not is_true(enabled):
        yield "detailed monitoring is off"


def _instance_profile(r: Res) -> Iterator[str]:
    profile = r.get("iamInstanceProfile")
    if isinstance(profile, dict):
        profile = profile.get("arn") or profile.get("name")
    if not profile:
        yield "no IAM instance profile: the SSM agent cannot register and hosts would need stored credentials"


def _asg_template(stack: Stack) -> Iterator[tuple[str, Res | None]]:
    for asg in stack.of(t.ASG):
        if asg.get("launchConfiguration"):
            yield f"auto scaling group {asg.name} uses a launch configuration (no IMDSv2 enforcement)", asg
            continue
        templates = stack.referenced(asg, "launchTemplate.id", t.LAUNCH_TEMPLATE) + stack.referenced(
            asg, "mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.launchTemplateId", t.LAUNCH_TEMPLATE
        )
        if not templates:
            yield f"auto scaling group {asg.name} does not use a launch template of this stack", asg
        for lt in templates:
            if _launch_template_public_ip(lt):
                yield f"auto scaling group {asg.name} launches with public addresses (template {lt.name})", asg


def _asg_elb_health(r: Res) -> Iterator[str]:
    if as_list(r.get("targetGroupArns")) and r.get("healthCheckType") != "ELB":
        yield "the group serves a target group but replaces instances on EC2 status checks only (healthCheckType ELB)"


def _host_policy(name: str, control: str, summary: str, check: Check, remediation: str) -> FhirfortResourcePolicy:
    return FhirfortResourcePolicy(
        name=name,
        enforcement_level=MANDATORY,
        control=control,
        types=HOSTS,
        summary=summary,
        check=check,
        remediation=remediation,
    )


POLICIES = [
    _host_policy(
        "ec2-01-imdsv2-required",
        "EC2-01",
        "Instances require IMDSv2 session tokens.",
        _imdsv2,
        "Set metadataOptions.httpTokens 'required'.",
    ),
    _host_policy(
        "ec2-02-imds-hop-limit",
        "EC2-02",
        "The instance metadata response hop limit is 1.",
        _hop_limit,
        "Set metadataOptions.httpPutResponseHopLimit 1.",
    ),
    _host_policy(
        "ec2-03-ebs-encrypted",
        "EC2-03",
        "Every EBS volume is encrypted.",
        _ebs_encrypted,
        "Declare blockDeviceMappings with ebs.encrypted 'true' and kmsKeyId.",
    ),
    _host_policy(
        "ec2-04-no-public-ip",
        "EC2-04",
        "Instances get no public IP address.",
        _no_public_ip,
        "Set associatePublicIpAddress false; launch into the app tier.",
    ),
    _host_policy(
        "ec2-05-no-key-pair",
        "EC2-05",
        "No SSH key pair is installed on instances.",
        _no_key_pair,
        "Remove keyName; use SSM Session Manager.",
    ),
    _host_policy(
        "ec2-06-detailed-monitoring",
        "EC2-06",
        "Detailed (1-minute) monitoring is enabled.",
        _detailed_monitoring,
        "Set monitoring.enabled true.",
    ),
    _host_policy(
        "ec2-09-instance-profile",
        "EC2-09",
        "Instances run with an IAM instance profile.",
        _instance_profile,
        "Set iamInstanceProfile to the host role's profile.",
    ),
    FhirfortStackPolicy(
        name="ec2-07-asg-launch-template-private",
        enforcement_level=MANDATORY,
        control="EC2-07",
        types=(t.ASG, t.LAUNCH_TEMPLATE),
        summary="Auto scaling groups launch from a launch template of this stack that assigns no public IP.",
        check=_asg_template,
        remediation="Point launchTemplate.id at the stack's template; drop launchConfiguration.",
    ),
    FhirfortResourcePolicy(
        name="ec2-08-asg-elb-health-check",
        enforcement_level=MANDATORY,
        control="EC2-08",
        types=(t.ASG,),
        summary="Auto scaling groups behind a load balancer use ELB health checks.",
        check=_asg_elb_health,
        remediation="Set healthCheckType 'ELB' and a healthCheckGracePeriod.",
    ),
]
