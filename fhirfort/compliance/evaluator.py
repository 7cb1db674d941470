"""Evaluate the fhirfort-hipaa pack offline over declared resources, the way CrossGuard does.

CrossGuard gives resource policies a resource's *inputs* and stack policies every resource's *outputs*.
The evaluator does the same: resource policies see `Declared.inputs`; stack policies see `Declared.outputs`
(for the mocked stacks: the mock engine's state plus the resource id, which is what other resources'
inputs hold when they refer to it). Each policy runs through its real `validate` entry point with
`ResourceValidationArgs` / `StackValidationArgs`; `findings()` additionally tells a waived finding
(accepted opt-out) from a pass.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)

from fhirfort import REPO_ROOT
from fhirfort.compliance.controls import ENV_TAG, catalogue, opt_out_tags

POLICIES_DIR = REPO_ROOT / "policies"
Status = Literal["pass", "fail", "advisory", "waived"]


def load_policies() -> list[Any]:
    """The pack's policy objects (policies/fhirfort_policies), importable without starting the pack."""
    if str(POLICIES_DIR) not in sys.path:
        sys.path.insert(0, str(POLICIES_DIR))
    return list(importlib.import_module("fhirfort_policies").POLICIES)


@dataclass(frozen=True)
class Declared:
    """One declared resource: inputs for resource policies, outputs for stack policies."""

    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    parent_urn: str | None = None


@dataclass(frozen=True)
class Row:
    """One line of the report: a policy's verdict on one resource (or on the stack as a whole)."""

    stack: str
    control: str
    policy: str
    level: str
    status: Status
    resource_type: str | None
    resource_name: str | None
    resource_urn: str | None
    messages: tuple[str, ...] = ()
    waiver: str | None = None


@dataclass
class StackEvaluation:
    stack: str
    environment: str
    stack_tags: dict[str, str]
    resources: list[Declared]
    rows: list[Row] = field(default_factory=list)

    def with_status(self, *statuses: Status) -> list[Row]:
        return [r for r in self.rows if r.status in statuses]

    @property
    def mandatory_violations(self) -> list[Row]:
        return self.with_status("fail")


def _opts(parent: str | None) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=parent,
    )


def _level(policy: Any) -> str:
    level = policy.enforcement_level or EnforcementLevel.MANDATORY
    return str(level.value)


def _failed_status(policy: Any) -> Status:
    return "advisory" if _level(policy) == "advisory" else "fail"


def _resource_rows(policy: Any, resources: Sequence[Declared], stack: str, tags: Mapping[str, str]) -> Iterable[Row]:
    for r in resources:
        if r.type not in policy.resource_types:
            continue
        args = ResourceValidationArgs(r.type, r.inputs, r.urn, r.name, _opts(r.parent_urn), None, {}, tags)
        reported: list[str] = []
        policy.validate(args, lambda message, _urn=None, out=reported: out.append(message))
        waived = [f for f in policy.findings(args) if f.waived_by is not None]
        if reported:
            status: Status = _failed_status(policy)
            messages, waiver = tuple(reported), None
        elif waived:
            status, messages, waiver = "waived", tuple(f.message for f in waived), waived[0].waived_by
        else:
            status, messages, waiver = "pass", (), None
        yield Row(stack, policy.control, policy.name, _level(policy), status, r.type, r.name, r.urn, messages, waiver)


def stack_args(resources: Sequence[Declared], tags: Mapping[str, str]) -> StackValidationArgs:
    policy_resources = {
        r.urn: PolicyResource(r.type, r.outputs, r.urn, r.name, _opts(r.parent_urn), None, None, [], {})
        for r in resources
    }
    for r in resources:
        if r.parent_urn in policy_resources:
            policy_resources[r.urn].parent = policy_resources[r.parent_urn]
    return StackValidationArgs(list(policy_resources.values()), {}, tags)


def _stack_rows(policy: Any, resources: Sequence[Declared], stack: str, args: StackValidationArgs) -> Iterable[Row]:
    reported: dict[str | None, list[str]] = {}
    policy.validate(args, lambda message, urn=None: reported.setdefault(urn, []).append(message))
    waived: dict[str | None, list[Any]] = {}
    for f in policy.findings(args):
        if f.waived_by is not None:
            waived.setdefault(f.urn, []).append(f)
    by_urn = {r.urn: r for r in resources}
    subjects = [r.urn for r in resources if r.type in policy.resource_types]
    extra = [u for u in [*reported, *waived] if u not in subjects]
    for urn in dict.fromkeys([*subjects, *extra]):
        r = by_urn.get(urn) if urn is not None else None
        if urn in reported:
            status: Status = _failed_status(policy)
            messages, waiver = tuple(reported[urn]), None
        elif urn in waived:
            status, messages, waiver = "waived", tuple(f.message for f in waived[urn]), waived[urn][0].waived_by
        else:
            status, messages, waiver = "pass", (), None
        yield Row(
            stack,
            policy.control,
            policy.name,
            _level(policy),
            status,
            r.type if r else None,
            r.name if r else ("(stack)" if urn is None else urn),
            urn,
            messages,
            waiver,
        )


def evaluate(
    resources: Sequence[Declared],
    stack: str,
    stack_tags: Mapping[str, str] | None = None,
    policies: Sequence[Any] | None = None,
) -> StackEvaluation:
    """Run every policy over the resources of one stack."""
    tags = dict(stack_tags or {})
    result = StackEvaluation(stack, tags.get(ENV_TAG, "prod"), tags, list(resources))
    args = stack_args(resources, tags)
    for policy in policies if policies is not None else load_policies():
        if isinstance(policy, ResourceValidationPolicy):
            result.rows.extend(_resource_rows(policy, resources, stack, tags))
        else:
            result.rows.extend(_stack_rows(policy, resources, stack, args))
    return result


# --------------------------------------------------------------------------- the mocked stacks
def stack_tags_for(stack: str, overrides: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Stack tags CrossGuard would see: the environment, and every config opt-out as an opt-out tag."""
    from fhirfort.aws.mocked import stack_config

    config = stack_config(stack, overrides)
    tags = {ENV_TAG: str(config.get("fhirfort:environment", "prod"))}
    tags.update(opt_out_tags(dict(config.get("fhirfort:optOut") or {})))
    return tags


def declared_from_mocks(stack: str, overrides: Mapping[str, Any] | None = None) -> list[Declared]:
    """Run the AWS program under mocks (fhirfort.aws.mocked) and pair each resource's inputs with its outputs."""
    from fhirfort.aws import mocked

    run = mocked.evaluate_stack(stack, dict(overrides) if overrides else None)
    out = []
    for r in run.resources:
        rid, state = mocked.mock_outputs(r.type, r.name, r.props)  # the mock engine's answer for this resource
        out.append(Declared(r.type, r.name, r.urn, r.props, {**state, "id": rid}, r.parent_urn))
    return out


def evaluate_mocked(stack: str, overrides: Mapping[str, Any] | None = None) -> StackEvaluation:
    return evaluate(declared_from_mocks(stack, overrides), stack, stack_tags_for(stack, overrides))


def uncovered_types(resources: Iterable[Declared], policies: Sequence[Any] | None = None) -> list[str]:
    """Declared AWS resource types that no policy inspects and the catalogue does not exempt."""
    covered = {t for p in (policies if policies is not None else load_policies()) for t in p.resource_types}
    exempt = set(catalogue().exempt_resource_types)
    declared = {r.type for r in resources if r.type.startswith("aws:")}
    return sorted(declared - covered - exempt)
