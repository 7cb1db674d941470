"""Load and validate the kit's single source of truth (`spec/*.yaml`) into typed objects.

Both targets read these objects: the Pulumi components (security groups, subnets, TLS policy,
retention) and the local target (bridges, nftables, Ansible group vars). Nothing is copied.
A malformed spec stops with one message that names the file and the key.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fhirfort import REPO_ROOT

SPEC_DIR = REPO_ROOT / "spec"

TierName = Literal["public", "app", "data", "mgmt"]
HostRole = Literal["edge", "fhir", "idp", "db", "logs"]
FlowEndpoint = Literal["clients", "controller", "any_host", "aws_endpoints", "edge", "fhir", "idp", "db", "logs"]
Target = Literal["local", "aws"]


class SpecError(ValueError):
    """A spec file is missing or invalid; the message names the file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


JGROUPS_FD_OFFSET = 50000  # Keycloak's JGroups FD_SOCK2 listens on the transport port + this offset
_HOST_NAME = re.compile(r"[a-z][a-z0-9]{0,14}")


class Tier(_Strict):
    purpose: str
    aws_subnet_offset: int
    aws_internet_route: bool
    local_cidr: ipaddress.IPv4Network

    @property
    def gateway(self) -> ipaddress.IPv4Address:
        """The lab router's address on this tier's bridge (first host address)."""
        return next(self.local_cidr.hosts())


class Host(_Strict):
    tier: TierName
    address: ipaddress.IPv4Address
    aws: Literal["alb", "asg", "rds", "cloudwatch"]
    # Further instances of this role in the local lab (name -> address, same tier): hot standbys behind the
    # edge, cluster members where the service clusters. On AWS the role's instance count is hostsPerTier.
    local_replicas: dict[str, ipaddress.IPv4Address] = Field(default_factory=dict)

    def addresses(self) -> list[ipaddress.IPv4Address]:
        """The primary's address, then the replicas' in the order given."""
        return [self.address, *self.local_replicas.values()]


class Topology(_Strict):
    tiers: dict[TierName, Tier]
    controller_link: ipaddress.IPv4Network
    hosts: dict[HostRole, Host]

    @model_validator(mode="after")
    def _addresses_inside_their_tier(self) -> Topology:
        seen: dict[ipaddress.IPv4Address, str] = {}
        replica_names: set[str] = set()
        for name, host in self.hosts.items():
            tier = self.tiers[host.tier]
            places = [(f"hosts.{name}.address", host.address)] + [
                (f"hosts.{name}.local_replicas.{r}", a) for r, a in host.local_replicas.items()
            ]
            for key, address in places:
                if address not in tier.local_cidr:
                    raise ValueError(f"{key} {address} is outside tier {host.tier} ({tier.local_cidr})")
                if address == tier.gateway:
                    raise ValueError(f"{key} {address} is the gateway of tier {host.tier}")
                if address in seen:
                    raise ValueError(f"{key} {address} is also {seen[address]}")
                seen[address] = key
            for replica in host.local_replicas:
                if replica in self.hosts or replica in replica_names or not _HOST_NAME.fullmatch(replica):
                    raise ValueError(f"hosts.{name}.local_replicas.{replica}: not a free host name ([a-z][a-z0-9]*)")
                replica_names.add(replica)
        nets = [t.local_cidr for t in self.tiers.values()] + [self.controller_link]
        for i, a in enumerate(nets):
            for b in nets[i + 1 :]:
                if a.overlaps(b):
                    raise ValueError(f"local ranges {a} and {b} overlap")
        offsets = [t.aws_subnet_offset for t in self.tiers.values()]
        if len(set(offsets)) != len(offsets):
            raise ValueError("tiers.*.aws_subnet_offset must be distinct")
        return self

    def instances(self, role: HostRole) -> list[tuple[str, ipaddress.IPv4Address]]:
        """(host name, address) of every local host playing a role: the primary (named after the role), then
        its local replicas."""
        host = self.hosts[role]
        return [(role, host.address), *host.local_replicas.items()]

    def hosts_in(self, tier: TierName) -> dict[HostRole, Host]:
        return {n: h for n, h in self.hosts.items() if h.tier == tier}


class Service(_Strict):
    port: int
    protocol: Literal["tcp", "udp"]
    description: str

    @field_validator("port")
    @classmethod
    def _port_range(cls, v: int) -> int:
        if not 1 <= v <= 65535:
            raise ValueError(f"port {v} is outside 1..65535")
        return v


class Flow(_Strict):
    id: str
    source: FlowEndpoint
    destination: FlowEndpoint
    service: str
    targets: tuple[Target, ...]
    why: str

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _rename(cls, data: object) -> object:
        if isinstance(data, dict) and "from" in data:
            data = dict(data)
            data["source"] = data.pop("from")
            data["destination"] = data.pop("to")
        return data


class AlbTls(_Strict):
    default_policy: str
    allowed_policies: tuple[str, ...]
    fips_policy: str

    @model_validator(mode="after")
    def _defaults_allowed(self) -> AlbTls:
        for key in ("default_policy", "fips_policy"):
            if getattr(self, key) not in self.allowed_policies:
                raise ValueError(f"alb.{key} is not in alb.allowed_policies")
        return self


class TlsSpec(_Strict):
    protocols: tuple[Literal["TLSv1.2", "TLSv1.3"], ...]
    tls12_ciphers: tuple[str, ...]
    tls13_ciphersuites: tuple[str, ...]
    ecdh_curves: tuple[str, ...]
    hsts_max_age_seconds: int
    session_timeout_seconds: int
    alb: AlbTls

    @field_validator("tls12_ciphers")
    @classmethod
    def _aead_fs_only(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for c in v:
            if not c.startswith("ECDHE-") or not ("GCM" in c or "CHACHA20" in c):
                raise ValueError(f"cipher {c} is not a forward-secret AEAD suite")
        return v


class LogStore(_Strict):
    """The log host's own filesystem for the remote logs and the free-space guard's thresholds."""

    remote_dir: str = Field(pattern=r"^/[A-Za-z0-9_./-]+$")
    size_mib: int = Field(ge=64)
    min_free_percent: int = Field(ge=1, le=50)
    resume_free_percent: int = Field(ge=2, le=60)

    @model_validator(mode="after")
    def _hysteresis(self) -> LogStore:
        if self.resume_free_percent <= self.min_free_percent:
            raise ValueError(
                f"log_store.resume_free_percent ({self.resume_free_percent}) must be above "
                f"min_free_percent ({self.min_free_percent})"
            )
        return self


class LocalRetention(_Strict):
    logrotate_period: Literal["daily", "weekly"]
    logrotate_keep_days: int
    log_store: LogStore


class RetentionSpec(_Strict):
    audit_retention_floor_days: int
    log_retention_days: dict[str, int]
    object_lock_years: int
    backup_retention_days: dict[str, int]
    local: LocalRetention

    @model_validator(mode="after")
    def _floor(self) -> RetentionSpec:
        if self.audit_retention_floor_days < 2190:
            raise ValueError("audit_retention_floor_days is below six years (2190 days)")
        for stack, days in self.log_retention_days.items():
            if days < self.audit_retention_floor_days:
                raise ValueError(f"log_retention_days.{stack}={days} is below the floor")
        if self.local.logrotate_keep_days < self.audit_retention_floor_days:
            raise ValueError("local.logrotate_keep_days is below the floor")
        if self.object_lock_years < 6:
            raise ValueError("object_lock_years is below 6")
        return self


class IdentitySpec(_Strict):
    access_token_lifetime_seconds: int
    sso_session_idle_seconds: int
    sso_session_max_seconds: int
    client_assertion_max_lifetime_seconds: int
    clock_skew_seconds: int
    refresh_token_single_use: bool
    allowed_token_algorithms: tuple[str, ...]
    fhir_base_path: str
    realm: str

    @field_validator("allowed_token_algorithms")
    @classmethod
    def _asymmetric_only(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for alg in v:
            if alg.lower() == "none" or alg.startswith("HS"):
                raise ValueError(f"algorithm {alg} is not allowed (asymmetric only)")
        return v


class Spec(_Strict):
    topology: Topology
    services: dict[str, Service]
    flows: tuple[Flow, ...]
    tls: TlsSpec
    retention: RetentionSpec
    identity: IdentitySpec

    @model_validator(mode="after")
    def _flows_name_known_services(self) -> Spec:
        ids = [f.id for f in self.flows]
        if len(set(ids)) != len(ids):
            raise ValueError("flow ids must be unique")
        for f in self.flows:
            if f.service not in self.services:
                raise ValueError(f"flow {f.id} names unknown service {f.service!r}")
        cluster, fd = self.services.get("idp_cluster"), self.services.get("idp_cluster_fd")
        if cluster and fd and fd.port != cluster.port + JGROUPS_FD_OFFSET:
            raise ValueError(
                f"services.idp_cluster_fd.port must be idp_cluster.port + {JGROUPS_FD_OFFSET} "
                f"(Keycloak's FD_SOCK2 offset): {cluster.port + JGROUPS_FD_OFFSET}, not {fd.port}"
            )
        return self

    def port(self, service: str) -> int:
        return self.services[service].port

    def flows_for(self, target: Target) -> tuple[Flow, ...]:
        return tuple(f for f in self.flows if target in f.targets)

    def log_host(self) -> str:
        """The host every other host ships its logs to (the destination of the syslog_tls flow)."""
        return next(f.destination for f in self.flows if f.service == "syslog_tls")


def _read(path: Path) -> dict[str, object]:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError as exc:
        raise SpecError(f"{path}: file missing") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a mapping at the top level")
    return data


def _explain(exc: ValidationError, filename: str) -> str:
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return f"spec/{filename}: {key}: {first['msg']}"


def load_spec(spec_dir: Path = SPEC_DIR) -> Spec:
    """Read every spec file and validate it; raise SpecError naming the file and key on bad input."""
    parts: dict[str, object] = {}
    for key, filename in (
        ("topology", "tiers.yaml"),
        ("tls", "tls.yaml"),
        ("retention", "retention.yaml"),
        ("identity", "identity.yaml"),
    ):
        raw = _read(spec_dir / filename)
        model = {"topology": Topology, "tls": TlsSpec, "retention": RetentionSpec, "identity": IdentitySpec}[key]
        try:
            parts[key] = model.model_validate(raw)
        except ValidationError as exc:
            raise SpecError(_explain(exc, filename)) from None
    services_raw = _read(spec_dir / "services.yaml").get("services")
    flows_raw = _read(spec_dir / "flows.yaml").get("flows")
    try:
        return Spec.model_validate({**parts, "services": services_raw, "flows": flows_raw})
    except ValidationError as exc:
        raise SpecError(_explain(exc, "services.yaml / flows.yaml")) from None


@lru_cache(maxsize=1)
def spec() -> Spec:
    """The repository's spec, loaded once per process."""
    return load_spec()
