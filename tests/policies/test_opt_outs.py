"""Opt-outs: a waived control is never silent; a non-waivable control cannot be opted out."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs, ResourceValidationPolicy
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from fhirfort.compliance.evaluator import _opts, evaluate

from .baseline import Change, stack

PROD = {"fhirfort:environment": "prod"}


def _rows(result: Any, policy: str) -> list[Any]:
    return [r for r in result.rows if r.policy == policy and r.status != "pass"]


def test_waivable_control_opt_out_is_waived_and_reported(policies: dict[str, Any]) -> None:
    def relax(items: list[Any]) -> list[Any]:
        for _, name, props in items:
            if name == "db":
                props["monitoringInterval"] = 0
                props["tags"] = {"fhirfort:opt-out:RDS-13": "cost review 2026-12"}
        return items

    result = evaluate(stack(extra=relax), "test", PROD, list(policies.values()))
    waived = _rows(result, "rds-13-enhanced-monitoring")
    assert [r.status for r in waived] == ["waived"]
    assert waived[0].waiver == "cost review 2026-12"
    gov = " ".join(m for r in _rows(result, "gov-01-opt-outs-reported") for m in r.messages)
    assert "WAIVED" in gov and "RDS-13" in gov and "cost review 2026-12" in gov
    assert result.mandatory_violations == []


def test_non_waivable_control_ignores_the_tag(policies: dict[str, Any]) -> None:
    def relax(items: list[Any]) -> list[Any]:
        for _, name, props in items:
            if name == "db":
                props["storageEncrypted"] = False
                props["tags"] = {"fhirfort:opt-out:RDS-01": "please"}
        return items

    result = evaluate(stack(extra=relax), "test", PROD, list(policies.values()))
    failed = _rows(result, "rds-01-storage-encrypted")
    assert [r.status for r in failed] == ["fail"]
    assert "not waivable" in failed[0].messages[0]
    gov = " ".join(m for r in _rows(result, "gov-01-opt-outs-reported") for m in r.messages)
    assert "RDS-01 is ignored" in gov


def test_stack_tag_opt_out_waives_a_stack_policy(policies: dict[str, Any]) -> None:
    tags = {**PROD, "fhirfort:opt-out:CT-05": "organization trail arn:aws:cloudtrail:...:trail/org"}
    result = evaluate(stack(Change("drop", "trail")), "test", tags, list(policies.values()))
    assert [r.status for r in _rows(result, "ct-05-trail-present")] == ["waived"]
    assert result.mandatory_violations == []
    assert _rows(result, "gov-01-opt-outs-reported")


def test_unknown_control_in_an_opt_out_tag_is_reported(policies: dict[str, Any]) -> None:
    result = evaluate(
        stack(Change("set", "db", "tags", {"fhirfort:opt-out:XYZ-99": "?"})), "test", PROD, list(policies.values())
    )
    gov = " ".join(m for r in _rows(result, "gov-01-opt-outs-reported") for m in r.messages)
    assert "XYZ-99 names no control" in gov


def test_dev_rules_relax_only_prod_controls(policies: dict[str, Any]) -> None:
    def dev(items: list[Any]) -> list[Any]:
        for _, name, props in items:
            if name == "db":
                props.update(multiAz=False, deletionProtection=False, backupRetentionPeriod=7)
        return items

    dev_result = evaluate(stack(extra=dev), "test", {"fhirfort:environment": "dev"}, list(policies.values()))
    assert dev_result.mandatory_violations == []
    prod_result = evaluate(stack(extra=dev), "test", PROD, list(policies.values()))
    assert {r.policy for r in prod_result.mandatory_violations} == {
        "rds-03-backup-retention",
        "rds-04-multi-az-prod",
        "rds-05-deletion-protection-prod",
    }
    # without any environment tag the strict (prod) rules apply
    untagged = evaluate(stack(extra=dev), "test", {}, list(policies.values()))
    assert {r.policy for r in untagged.mandatory_violations} == {r.policy for r in prod_result.mandatory_violations}


def test_policies_read_crossguard_proxied_props(policies: dict[str, Any]) -> None:
    """CrossGuard hands props wrapped in its unknown-checking proxy (lists become Sequences)."""
    for r in stack():
        args = ResourceValidationArgs(
            r.type, unknown_checking_proxy(dict(r.inputs)), r.urn, r.name, _opts(None), None, {}, PROD
        )
        for policy in policies.values():
            if isinstance(policy, ResourceValidationPolicy) and r.type in policy.resource_types:
                reported: list[str] = []
                policy.validate(args, lambda m, u=None, out=reported: out.append(m))
                assert reported == [], (policy.name, reported)
    bad = next(
        r for r in stack(Change("set", "lt", "networkInterfaces.0.associatePublicIpAddress", "true")) if r.name == "lt"
    )
    proxied = ResourceValidationArgs(
        bad.type, unknown_checking_proxy(dict(bad.inputs)), bad.urn, bad.name, _opts(None), None, {}, PROD
    )
    reported = []
    policies["ec2-04-no-public-ip"].validate(proxied, lambda m, u=None: reported.append(m))
    assert reported


def test_unknown_values_surface_as_crossguard_unknowns(policies: dict[str, Any]) -> None:
    from pulumi.runtime.rpc import UNKNOWN

    db = next(r for r in stack() if r.name == "db")
    props = unknown_checking_proxy({**db.inputs, "storageEncrypted": UNKNOWN})
    args = ResourceValidationArgs(db.type, props, db.urn, db.name, _opts(None), None, {}, PROD)
    with pytest.raises(UnknownValueError):
        policies["rds-01-storage-encrypted"].validate(args, lambda m, u=None: None)
