"""The deployed stack's outputs: the contract between the Pulumi AWS program and these checks.

Read from a JSON file (`--outputs-file`) or from `pulumi stack output --json --show-secrets`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError


class OutputsError(RuntimeError):
    """The outputs cannot be read or do not carry what the checks need; the message says why."""


class StackOutputs(BaseModel):
    """The names the AWS program exports. Extra outputs are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    fhir_base_url: str
    smart_config_url: str
    alb_arn: str
    alb_dns_name: str
    https_listener_arn: str
    http_listener_arn: str
    web_acl_arn: str
    cloudtrail_arn: str
    audit_bucket_name: str
    access_log_bucket_name: str
    db_instance_identifier: str
    db_parameter_group_name: str
    fhir_asg_name: str
    idp_asg_name: str
    vpc_id: str
    flow_log_group_name: str
    waf_log_group_name: str
    alarm_topic_arn: str
    kms_key_arns: dict[str, str]
    app_log_group_names: list[str]

    @property
    def region(self) -> str:
        """The region the ALB lives in (field 4 of its ARN)."""
        return self.alb_arn.split(":")[3]

    @property
    def log_group_names(self) -> list[str]:
        """Every log group the stack must keep: flow logs, WAF logs and the applications'."""
        names = [self.flow_log_group_name, self.waf_log_group_name, *self.app_log_group_names]
        return list(dict.fromkeys(names))


def parse_outputs(raw: object, source: str) -> StackOutputs:
    if not isinstance(raw, dict):
        raise OutputsError(f"{source}: expected a JSON object of stack outputs")
    try:
        return StackOutputs.model_validate(raw)
    except ValidationError as exc:
        missing = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "missing"]
        if missing:
            raise OutputsError(f"{source}: the stack does not export {', '.join(missing)}") from None
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise OutputsError(f"{source}: output {key}: {first['msg']}") from None


def load_outputs_file(path: Path) -> StackOutputs:
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise OutputsError(f"{path}: no such outputs file") from None
    except json.JSONDecodeError as exc:
        raise OutputsError(f"{path}: not valid JSON: {exc}") from None
    return parse_outputs(raw, str(path))


def load_outputs_from_pulumi(stack: str) -> StackOutputs:
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise OutputsError(
            "the Pulumi CLI is not on PATH, so the stack's outputs cannot be read. Either install it and "
            f"log in to the state backend (see bootstrap/README.md), or write them where it is installed with "
            f"`pulumi stack output --json --show-secrets --stack {stack} > outputs.json` and pass "
            "`--outputs-file outputs.json`."
        )
    cmd = [pulumi, "stack", "output", "--json", "--show-secrets", "--stack", stack]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise OutputsError(f"`{' '.join(cmd[1:])}` failed ({proc.returncode}): {proc.stderr.strip()}")
    try:
        raw = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise OutputsError(f"`pulumi stack output` did not print JSON: {exc}") from None
    return parse_outputs(raw, f"pulumi stack {stack}")
