"""Every policy passes the compliant stack and flags the one-change violation of its case."""

from __future__ import annotations

from typing import Any

import pytest

from fhirfort.compliance.evaluator import evaluate

from .baseline import stack
from .cases import CASES

PROD = {"fhirfort:environment": "prod"}


def test_every_policy_has_exactly_one_case(policies: dict[str, Any]) -> None:
    assert set(CASES) == set(policies)


def test_compliant_stack_passes_every_policy(policies: dict[str, Any]) -> None:
    result = evaluate(stack(), "test", PROD, list(policies.values()))
    bad = [(r.policy, r.resource_name, r.messages) for r in result.rows if r.status != "pass"]
    assert bad == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_policy_flags_its_violation(policies: dict[str, Any], name: str) -> None:
    policy = policies[name]
    change = CASES[name]
    compliant = evaluate(stack(), "test", PROD, [policy])
    assert [r for r in compliant.rows if r.status != "pass"] == []
    result = evaluate(stack(change), "test", PROD, [policy])
    flagged = [r for r in result.rows if r.status in ("fail", "advisory")]
    assert flagged, f"{name} did not flag: {change}"
    for row in flagged:
        assert all(m.startswith(f"{policy.control}: ") for m in row.messages)


@pytest.mark.parametrize("name", sorted(CASES))
def test_violation_is_reported_through_crossguard_validate(policies: dict[str, Any], name: str) -> None:
    """The same case through the raw CrossGuard entry points (ResourceValidationArgs / StackValidationArgs)."""
    from pulumi_policy import ResourceValidationArgs, StackValidationPolicy

    from fhirfort.compliance.evaluator import _opts, stack_args

    policy = policies[name]
    declared = stack(CASES[name])
    reported: list[str] = []
    if isinstance(policy, StackValidationPolicy):
        policy.validate(stack_args(declared, PROD), lambda message, urn=None: reported.append(message))
    else:
        for r in declared:
            args = ResourceValidationArgs(r.type, r.inputs, r.urn, r.name, _opts(None), None, {}, PROD)
            policy.validate(args, lambda message, urn=None: reported.append(message))
    assert reported
