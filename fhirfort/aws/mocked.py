"""Run the real Pulumi program offline under `pulumi.runtime.set_mocks` and return what it declares.

The Pulumi CLI and provider plugins cannot run here, so the stack is evaluated with a mock monitor: each
resource's inputs are recorded in wire (camelCase) form, as CrossGuard sees them; invokes the program
makes (availability zones, caller identity, region, partition, AMI, ...) get fixed answers.
`declare_stack("dev")` then `declare_stack("prod")` may run in one process: each run starts from fresh
runtime settings (root resource, config, RPC bookkeeping).
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fhirfort import REPO_ROOT

MOCK_ACCOUNT = "123456789012"
MOCK_REGION = "eu-central-1"
MOCK_AMI = "ami-0123456789abcdef0"
MOCK_DEPLOY_ROLE = "fhirfort-ci-deploy"  # the caller is the bootstrap's CI deploy role (an assumed-role session)


@dataclass(frozen=True)
class DeclaredResource:
    type: str  # Pulumi type token, e.g. "aws:s3/bucket:Bucket"
    name: str
    urn: str
    props: dict[str, Any]  # inputs in wire (camelCase) form, as CrossGuard sees them (secrets unwrapped)
    parent_urn: str | None
    secret_paths: tuple[str, ...] = ()  # top-level input names that were marked secret
    retain_on_delete: bool = False  # resource option: `pulumi destroy` leaves it in the account


@dataclass
class StackRun:
    """Everything one mocked evaluation produced."""

    stack: str
    resources: list[DeclaredResource]
    outputs: dict[str, Any]  # pulumi.export values, resolved
    secret_outputs: frozenset[str] = field(default_factory=frozenset)  # export names whose value is secret
    invokes: list[str] = field(default_factory=list)
    error: BaseException | None = None  # the program's exception (evaluate_stack(check=False))

    def of_type(self, token: str) -> list[DeclaredResource]:
        return [r for r in self.resources if r.type == token]

    def one(self, token: str, name: str | None = None) -> DeclaredResource:
        found = [r for r in self.of_type(token) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {token} {name or ''}, found {[r.name for r in found]}")
        return found[0]

    def named(self, name: str) -> DeclaredResource:
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one resource named {name}, found {len(found)}")
        return found[0]

    def id_of(self, name: str) -> str:
        """The mock id of a declared resource (what other resources' inputs hold when they reference it)."""
        r = self.named(name)
        return mock_outputs(r.type, r.name, r.props)[0]

    def state_of(self, name: str) -> dict[str, Any]:
        """The mock state (outputs) of a declared resource, e.g. its `arn`."""
        r = self.named(name)
        return mock_outputs(r.type, r.name, r.props)[1]


def stack_file(stack: str) -> Path:
    return REPO_ROOT / "stacks" / f"Pulumi.{stack}.yaml"


def project_name() -> str:
    return str(yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())["name"])


def stack_config(stack: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The stack file's config (namespaced keys), with overrides applied (None deletes a key)."""
    data = yaml.safe_load(stack_file(stack).read_text()) or {}
    config: dict[str, Any] = dict(data.get("config") or {})
    for key, value in (overrides or {}).items():
        full = key if ":" in key else f"fhirfort:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value
    return config


def _unwrap(value: Any) -> tuple[Any, bool]:
    """Strip Pulumi's secret wrappers; report whether any were present."""
    from pulumi.runtime import rpc

    if isinstance(value, dict):
        if rpc.is_rpc_secret(value):
            inner, _ = _unwrap(rpc.unwrap_rpc_secret(value))
            return inner, True
        out: dict[str, Any] = {}
        secret = False
        for k, v in value.items():
            out[k], s = _unwrap(v)
            secret = secret or s
        return out, secret
    if isinstance(value, list):
        items = [_unwrap(v) for v in value]
        return [i for i, _ in items], any(s for _, s in items)
    return value, False


_ARN_SERVICE = {"cloudwatch": "logs", "lb": "elasticloadbalancing", "wafv2": "wafv2", "autoscaling": "autoscaling"}


def _fake_arn(typ: str, name: str) -> str:
    module = typ.split(":")[1].split("/")[0]
    return f"arn:aws:{_ARN_SERVICE.get(module, module)}:{MOCK_REGION}:{MOCK_ACCOUNT}:{name}"


def mock_outputs(typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Resource state the mock engine answers: inputs plus the computed fields the program reads."""
    digest = hashlib.sha1(f"{typ}/{name}".encode(), usedforsecurity=False).hexdigest()[:12]
    rid = f"{name}-{digest}"
    state = dict(inputs)
    state.setdefault("arn", _fake_arn(typ, name))
    state.setdefault("name", inputs.get("name") or name)
    if typ == "aws:s3/bucket:Bucket":
        state.setdefault("bucket", inputs.get("bucket") or f"{name}-{digest}")
        state["arn"] = f"arn:aws:s3:::{state['bucket']}"
        rid = state["bucket"]
    elif typ == "aws:acm/certificate:Certificate":
        state["domainValidationOptions"] = [
            {
                "domainName": inputs.get("domainName"),
                "resourceRecordName": f"_x1.{inputs.get('domainName')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": "_x2.acm-validations.aws.",
            }
        ]
    elif typ == "aws:lb/loadBalancer:LoadBalancer":
        state["dnsName"] = f"{name}-1234.{MOCK_REGION}.elb.amazonaws.com"
        state["zoneId"] = "Z215JYRZR1TBD5"
        state["arnSuffix"] = f"app/{name}/{digest}"
    elif typ == "aws:ec2/vpcEndpoint:VpcEndpoint":
        state["prefixListId"] = "pl-6ea54007"
    elif typ == "aws:rds/instance:Instance":
        state["masterUserSecrets"] = [{"secretArn": _fake_arn("aws:secretsmanager", f"secret:rds!{name}")}]
        state["address"] = f"{name}.{digest}.{MOCK_REGION}.rds.amazonaws.com"
        state["resourceId"] = f"db-{digest.upper()}"
    elif typ == "aws:cloudwatch/logGroup:LogGroup":
        state["arn"] = f"arn:aws:logs:{MOCK_REGION}:{MOCK_ACCOUNT}:log-group:{state['name']}"
    elif typ == "aws:secretsmanager/secret:Secret":
        state["arn"] = f"arn:aws:secretsmanager:{MOCK_REGION}:{MOCK_ACCOUNT}:secret:{state['name']}-AbCdEf"
    elif typ == "aws:route53/record:Record":
        state["fqdn"] = str(inputs.get("name", "")).rstrip(".")
    elif typ == "aws:ec2/launchTemplate:LaunchTemplate":
        state["latestVersion"] = 1
    elif typ == "aws:iam/role:Role":
        path = inputs.get("path") or "/"
        state["arn"] = f"arn:aws:iam::{MOCK_ACCOUNT}:role{path}{state['name']}"
    elif typ == "aws:autoscaling/group:Group":
        state.setdefault("name", inputs.get("name") or f"{name}-{digest}")
    elif typ == "aws:kms/key:Key":
        state["keyId"] = digest
        state["arn"] = f"arn:aws:kms:{MOCK_REGION}:{MOCK_ACCOUNT}:key/{digest}"
    return rid, state


def _call(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """Answers of the invokes the program makes."""
    answers: dict[str, dict[str, Any]] = {
        "aws:index/getAvailabilityZones:getAvailabilityZones": {
            "names": [f"{MOCK_REGION}{s}" for s in "abc"],
            "zoneIds": ["euc1-az1", "euc1-az2", "euc1-az3"],
            "id": MOCK_REGION,
        },
        "aws:index/getCallerIdentity:getCallerIdentity": {
            "accountId": MOCK_ACCOUNT,
            "arn": f"arn:aws:sts::{MOCK_ACCOUNT}:assumed-role/{MOCK_DEPLOY_ROLE}/github-actions",
            "userId": "AIDAEXAMPLE",
            "id": MOCK_ACCOUNT,
        },
        "aws:index/getRegion:getRegion": {"name": MOCK_REGION, "region": MOCK_REGION, "id": MOCK_REGION},
        "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"},
        "aws:ec2/getAmi:getAmi": {"id": MOCK_AMI, "imageId": MOCK_AMI, "name": "debian-13-amd64-20261101-1"},
        "aws:elb/getServiceAccount:getServiceAccount": {
            "arn": "arn:aws:iam::054676820928:root",
            "id": "054676820928",
        },
        "aws:secretsmanager/getRandomPassword:getRandomPassword": {
            "randomPassword": "mock-random-password-0123456789",
            "id": "mock",
        },
    }
    if token not in answers:
        raise KeyError(f"mocked.py has no answer for invoke {token}")
    return answers[token]


def _monitor_class() -> type:
    """Build the recording monitor lazily (pulumi imports are slow; nothing happens at import)."""
    from pulumi.runtime import mocks, rpc
    from pulumi.runtime.proto import resource_pb2
    from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

    class _Mocks(mocks.Mocks):
        def __init__(self, invokes: list[str]) -> None:
            self.invokes = invokes

        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
            return mock_outputs(args.typ, args.name, args.inputs)

        def call(self, args: mocks.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
            self.invokes.append(args.token)
            return _call(args.token, args.args)

    class _RecordingMonitor(mocks.MockMonitor):
        def __init__(self) -> None:
            self.invokes: list[str] = []
            super().__init__(_Mocks(self.invokes))
            self.declared: list[DeclaredResource] = []
            self._lock = threading.Lock()

        def RegisterResource(self, request: Any) -> Any:
            urn = self.make_urn(request.parent, request.type, request.name)
            if request.type == "pulumi:pulumi:Stack":
                return resource_pb2.RegisterResourceResponse(urn=urn)
            _ensure_event_loop()
            raw = rpc.deserialize_properties(request.object)
            props, _ = _unwrap(raw)
            secret_paths = tuple(sorted(k for k, v in raw.items() if _unwrap(v)[1]))
            rid, state = self.mocks.new_resource(
                mocks.MockResourceArgs(
                    typ=request.type,
                    name=request.name,
                    inputs=copy.deepcopy(props),
                    provider=request.provider,
                    resource_id=request.importId,
                    custom=request.custom or False,
                )
            )
            obj = _sync_await(rpc.serialize_properties(state, {}))
            with self._lock:
                self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, rid or "", state)
                self.declared.append(
                    DeclaredResource(
                        type=request.type,
                        name=request.name,
                        urn=urn,
                        props=props,
                        parent_urn=request.parent or None,
                        secret_paths=secret_paths,
                        retain_on_delete=bool(request.retainOnDelete),
                    )
                )
            return resource_pb2.RegisterResourceResponse(urn=urn, id=rid or "", object=obj)

    return _RecordingMonitor


_RUN_LOCK = threading.Lock()


def evaluate_stack(stack: str, overrides: Mapping[str, Any] | None = None, check: bool = True) -> StackRun:
    """Evaluate the program for stacks/Pulumi.<stack>.yaml under mocks; return resources and outputs.

    With check=False a failing program does not raise: the run carries `error` and whatever was declared.
    """
    import pulumi
    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import mocks, settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from fhirfort.aws.stack import run_program

    config = stack_config(stack, overrides)
    with _RUN_LOCK:
        settings.ROOT.set(None)
        runtime_config.set_all_config(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()},
            [],
        )
        monitor = _monitor_class()()
        mocks.set_mocks(monitor.mocks, project=project_name(), stack=stack, preview=False, monitor=monitor)
        settings.SETTINGS.rpc_manager.clear()
        settings.SETTINGS.outputs.clear()
        error: BaseException | None = None
        try:
            _sync_await(run_pulumi_func(run_program))
        except Exception as exc:
            if check:
                settings.ROOT.set(None)
                raise
            error = exc
        root = settings.get_root_resource()
        exported: dict[str, Any] = dict(getattr(root, "outputs", {}) or {}) if error is None else {}
        outputs: dict[str, Any] = {}
        secret: set[str] = set()
        for key, value in exported.items():
            out = pulumi.Output.from_input(value)
            outputs[key] = _sync_await(out.future())
            if _sync_await(out.is_secret()):
                secret.add(key)
        settings.ROOT.set(None)
        return StackRun(
            stack=stack,
            resources=list(monitor.declared),
            outputs=outputs,
            secret_outputs=frozenset(secret),
            invokes=list(monitor.invokes),
            error=error,
        )


def declare_stack(stack: str, overrides: dict[str, Any] | None = None) -> list[DeclaredResource]:
    """Run the real program (fhirfort.aws.stack) for stacks/Pulumi.<stack>.yaml under
    pulumi.runtime.set_mocks and return every declared resource."""
    return evaluate_stack(stack, overrides).resources
