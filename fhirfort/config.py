"""Typed stack configuration of the AWS target (Pulumi config namespace `fhirfort`).

Secure by default: every value that weakens a control is an explicit `optOut.*` flag (the policy pack
still reports it). Values the spec fixes (retention floors, TLS policies) are read from `fhirfort.spec`
and config may only pick from them or raise them. A bad value stops the program with one message that
names the key, e.g. ``fhirfort:vpcCidr: '10.0.0.0/33' is not a valid IPv4 network``, before any resource
is declared.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fhirfort.spec import Spec, spec

NAMESPACE = "fhirfort"
Environment = Literal["dev", "prod"]

# CloudWatch Logs accepts only these retention values (PutRetentionPolicy).
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
RATE_LIMIT_RANGE = (100, 100_000)  # WAF rate-based rule: requests per client IP per 5 minutes
VPC_PREFIX_RANGE = (16, 20)
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_AMI = re.compile(r"^ami-[0-9a-f]{8,17}$")
_ZONE = re.compile(r"^Z[A-Z0-9]{1,31}$")
_ARN = re.compile(r"^arn:aws[a-z-]*:")
_LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_INSTANCE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
# An IAM customer-managed policy ARN (permissions boundary): no wildcards, account id, optional path.
_IAM_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:policy/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,128}$")
# An IAM role or user ARN that may write artifacts (no wildcards: the bucket policy matches it exactly).
_IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(?:role|user)/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")


class ConfigError(ValueError):
    """Bad stack configuration; the message names the `fhirfort:` key."""


class OptOut(BaseModel):
    """Explicit, documented weakening of a default control. Everything defaults to *not* opted out."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    deletion_protection: bool = Field(False, alias="deletionProtection")  # ALB and RDS deletion protection
    multi_az: bool = Field(False, alias="multiAz")  # RDS Multi-AZ standby
    final_snapshot: bool = Field(False, alias="finalSnapshot")  # RDS final snapshot on delete


class StackConfig(BaseModel):
    """The validated stack configuration. Field aliases are the Pulumi config keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True)

    environment: Environment
    domain_name: str = Field(alias="domainName")
    hosted_zone_id: str | None = Field(None, alias="hostedZoneId")
    certificate_arn: str | None = Field(None, alias="certificateArn")
    vpc_cidr: str = Field("10.40.0.0/16", alias="vpcCidr")
    az_count: int = Field(2, alias="azCount")
    client_cidrs: tuple[str, ...] = Field(("0.0.0.0/0",), alias="clientCidrs")
    rate_limit_per_5min: int = Field(2000, alias="rateLimitPer5Min")
    fips_tls: bool = Field(False, alias="fipsTls")
    tls_policy: str | None = Field(None, alias="tlsPolicy")
    log_retention_days: int | None = Field(None, alias="logRetentionDays")
    object_lock_years: int | None = Field(None, alias="objectLockYears")
    db_instance_class: str = Field("db.t4g.medium", alias="dbInstanceClass")
    db_allocated_storage: int = Field(50, alias="dbAllocatedStorage")
    host_instance_type: str = Field("t3.medium", alias="hostInstanceType")
    hosts_per_tier: int = Field(1, alias="hostsPerTier")
    ami_id: str | None = Field(None, alias="amiId")
    alarm_email: str | None = Field(None, alias="alarmEmail")
    secret_rotation_lambda_arn: str | None = Field(None, alias="secretRotationLambdaArn")
    # Permissions boundary of every IAM role the program creates (the bootstrap's DeployBoundaryArn output);
    # required in practice when the bootstrap's CI deploy role runs `pulumi up`, which refuses roles without it.
    permissions_boundary_arn: str | None = Field(None, alias="permissionsBoundaryArn")
    # Principals (besides the one running `pulumi up`) that may write the artifacts bucket, e.g. an operator role.
    artifacts_writer_arns: tuple[str, ...] = Field((), alias="artifactsWriterArns")
    opt_out: OptOut = Field(default_factory=OptOut, alias="optOut")

    # --- field checks (each message is prefixed with the key by `parse_config`) ---

    @field_validator("domain_name")
    @classmethod
    def _domain(cls, v: str) -> str:
        if not _HOSTNAME.match(v):
            raise ValueError(f"{v!r} is not a valid DNS name")
        return v

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is not None and not _ZONE.match(v):
            raise ValueError(f"{v!r} is not a Route 53 hosted zone id")
        return v

    @field_validator("certificate_arn")
    @classmethod
    def _arn(cls, v: str | None) -> str | None:
        if v is not None and not _ARN.match(v):
            raise ValueError(f"{v!r} is not an ARN")
        return v

    @field_validator("secret_rotation_lambda_arn")
    @classmethod
    def _lambda(cls, v: str | None) -> str | None:
        if v is not None and not _LAMBDA_ARN.match(v):
            raise ValueError(f"{v!r} is not a Lambda function ARN")
        return v

    @field_validator("alarm_email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not _EMAIL.match(v):
            raise ValueError(f"{v!r} is not an email address")
        return v

    @field_validator("permissions_boundary_arn")
    @classmethod
    def _boundary(cls, v: str | None) -> str | None:
        if v is not None and not _IAM_POLICY_ARN.match(v):
            raise ValueError(f"{v!r} is not an IAM policy ARN (arn:aws:iam::<account>:policy/<path>/<name>)")
        return v

    @field_validator("artifacts_writer_arns")
    @classmethod
    def _writers(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for arn in v:
            if not _IAM_PRINCIPAL_ARN.match(arn):
                raise ValueError(f"{arn!r} is not an IAM role or user ARN (no wildcards)")
        return v

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc(cls, v: str) -> str:
        net = _network(v)
        low, high = VPC_PREFIX_RANGE
        if not low <= net.prefixlen <= high:
            raise ValueError(f"{v!r} must be a /{low} to /{high} network")
        if not net.is_private:
            raise ValueError(f"{v!r} is not a private (RFC 1918) range")
        return str(net)

    @field_validator("client_cidrs")
    @classmethod
    def _clients(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("at least one client CIDR is required")
        return tuple(str(_network(c)) for c in v)

    @field_validator("rate_limit_per_5min")
    @classmethod
    def _rate(cls, v: int) -> int:
        low, high = RATE_LIMIT_RANGE
        if not low <= v <= high:
            raise ValueError(f"{v} is outside {low}..{high}")
        return v

    @field_validator("db_instance_class")
    @classmethod
    def _db_class(cls, v: str) -> str:
        if not v.startswith("db.") or not _INSTANCE.match(v[3:]):
            raise ValueError(f"{v!r} is not an RDS instance class (db.<family>.<size>)")
        return v

    @field_validator("host_instance_type")
    @classmethod
    def _host_type(cls, v: str) -> str:
        if not _INSTANCE.match(v):
            raise ValueError(f"{v!r} is not an EC2 instance type")
        return v

    @field_validator("db_allocated_storage")
    @classmethod
    def _storage(cls, v: int) -> int:
        if not 20 <= v <= 65536:
            raise ValueError(f"{v} is outside 20..65536 GiB")
        return v

    @field_validator("hosts_per_tier")
    @classmethod
    def _hosts(cls, v: int) -> int:
        if not 1 <= v <= 20:
            raise ValueError(f"{v} is outside 1..20")
        return v

    @field_validator("ami_id")
    @classmethod
    def _ami(cls, v: str | None) -> str | None:
        if v is not None and not _AMI.match(v):
            raise ValueError(f"{v!r} is not an AMI id")
        return v

    # --- checks against the spec and across keys ---

    @model_validator(mode="after")
    def _cross(self) -> StackConfig:
        s = spec()
        if (self.hosted_zone_id is None) == (self.certificate_arn is None):
            raise _KeyError("hostedZoneId", "set exactly one of hostedZoneId (ACM DNS validation) or certificateArn")
        minimum_azs = 3 if self.environment == "prod" else 2
        if self.az_count < minimum_azs:
            raise _KeyError("azCount", f"{self.az_count} is below {minimum_azs} (the minimum for {self.environment})")
        if self.az_count > max_azs(s):
            raise _KeyError("azCount", f"{self.az_count} is above {max_azs(s)} (subnet offsets in spec/tiers.yaml)")
        alb = s.tls.alb
        if self.tls_policy is not None:
            if self.tls_policy not in alb.allowed_policies:
                raise _KeyError("tlsPolicy", f"{self.tls_policy!r} is not in spec/tls.yaml alb.allowed_policies")
            if self.fips_tls and "FIPS" not in self.tls_policy:
                raise _KeyError("tlsPolicy", f"{self.tls_policy!r} is not a FIPS policy but fipsTls is true")
        floor = s.retention.log_retention_days[self.environment]
        if self.log_retention_days is not None:
            if self.log_retention_days < floor:
                raise _KeyError("logRetentionDays", f"{self.log_retention_days} is below the floor of {floor} days")
            if self.log_retention_days not in CLOUDWATCH_RETENTION_DAYS:
                raise _KeyError("logRetentionDays", f"{self.log_retention_days} is not a CloudWatch retention value")
        lock_floor = s.retention.object_lock_years
        if self.object_lock_years is not None and self.object_lock_years < lock_floor:
            raise _KeyError("objectLockYears", f"{self.object_lock_years} is below the floor of {lock_floor} years")
        return self

    # --- effective values ---

    @property
    def stack_ssl_policy(self) -> str:
        alb = spec().tls.alb
        if self.tls_policy is not None:
            return self.tls_policy
        return alb.fips_policy if self.fips_tls else alb.default_policy

    @property
    def effective_log_retention_days(self) -> int:
        return self.log_retention_days or spec().retention.log_retention_days[self.environment]

    @property
    def effective_object_lock_years(self) -> int:
        return self.object_lock_years or spec().retention.object_lock_years

    @property
    def backup_retention_days(self) -> int:
        return spec().retention.backup_retention_days[self.environment]

    @property
    def deletion_protection(self) -> bool:
        return not self.opt_out.deletion_protection

    @property
    def multi_az(self) -> bool:
        return not self.opt_out.multi_az

    @property
    def final_snapshot(self) -> bool:
        return not self.opt_out.final_snapshot


class _KeyError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def max_azs(s: Spec) -> int:
    """How many AZ subnets fit between two tiers' `aws_subnet_offset` values."""
    offsets = sorted(t.aws_subnet_offset for t in s.topology.tiers.values())
    return min(b - a for a, b in itertools.pairwise(offsets))


def _network(value: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        raise ValueError(f"{value!r} is not a valid IPv4 network") from None


def _alias_of(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    current: type[BaseModel] | None = model
    for item in loc:
        if current is not None and isinstance(item, str) and item in current.model_fields:
            field = current.model_fields[item]
            parts.append(field.alias or item)
            annotation = field.annotation
            current = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        elif isinstance(item, str):
            parts.append(item)
    return ".".join(parts)


def parse_config(raw: Mapping[str, Any]) -> StackConfig:
    """Validate raw config values (keys without namespace); raise ConfigError naming the first bad key."""
    try:
        return StackConfig.model_validate(dict(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, _KeyError):
            raise ConfigError(f"{NAMESPACE}:{cause.key}: {cause.message}") from None
        key = _alias_of(StackConfig, tuple(first["loc"])) or "(config)"
        message = str(cause) if cause is not None else first["msg"]
        if first["type"] == "missing":
            message = "is required"
        elif first["type"] == "extra_forbidden":
            message = "is not a known key"
        raise ConfigError(f"{NAMESPACE}:{key}: {message}") from None


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def load_config() -> StackConfig:
    """Read the `fhirfort:` keys of the current Pulumi stack and validate them."""
    import pulumi  # imported here so config parsing stays usable without a Pulumi runtime

    cfg = pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {}
    for name, field in StackConfig.model_fields.items():
        key = field.alias or name
        value = cfg.get(key)
        if value is not None:
            raw[key] = _decode(value) if name not in _STRING_FIELDS else value
    for key in _present_keys() - raw.keys():  # unknown keys (typos) are refused, not ignored
        raw[key] = cfg.get(key)
    return parse_config(raw)


def _present_keys() -> set[str]:
    """Every `fhirfort:` key the stack sets (the runtime's config map and the engine's PULUMI_CONFIG)."""
    from pulumi.runtime import config as runtime_config

    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    return {k.split(":", 1)[1] for k in keys if k.startswith(f"{NAMESPACE}:")}


_STRING_FIELDS = frozenset(
    n for n, f in StackConfig.model_fields.items() if f.annotation in (str, str | None) and n != "environment"
)
