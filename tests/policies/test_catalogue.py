"""The controls catalogue (spec/controls.yaml) and the pack agree, and every control is tested."""

from __future__ import annotations

import ast
from typing import Any

from pulumi_policy import EnforcementLevel

from fhirfort import REPO_ROOT
from fhirfort.compliance.controls import catalogue
from fhirfort.config import OptOut

from .cases import CASES


def test_pack_has_at_least_35_policies(policies: dict[str, Any]) -> None:
    assert len(policies) >= 35


def test_every_control_has_a_policy_and_every_policy_a_control(policies: dict[str, Any]) -> None:
    cat = catalogue()
    listed = {name for control in cat.controls.values() for name in control.policies}
    assert listed == set(policies)
    for name, policy in policies.items():
        assert cat.control_of(name) == policy.control


def test_every_control_has_a_test(policies: dict[str, Any]) -> None:
    for cid, control in catalogue().controls.items():
        assert any(name in CASES for name in control.policies), f"{cid} has no test case"


def test_policies_carry_citations_and_explicit_levels(policies: dict[str, Any]) -> None:
    cat = catalogue()
    for name, policy in policies.items():
        control = cat.controls[policy.control]
        assert policy.description.startswith(f"{policy.control}: ")
        for citation in (*control.hipaa, *control.nist):
            assert citation in policy.description, (name, citation)
        assert policy.metadata["hipaa"] == list(control.hipaa)
        assert policy.enforcement_level in (EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY)
        assert policy.remediation_steps


def test_advisory_policies_are_few_and_deliberate(policies: dict[str, Any]) -> None:
    advisory = sorted(n for n, p in policies.items() if p.enforcement_level == EnforcementLevel.ADVISORY)
    assert advisory == ["gov-01-opt-outs-reported", "sec-02-secret-rotation"]


def test_config_opt_outs_map_to_waivable_controls() -> None:
    cat = catalogue()
    assert set(cat.config_opt_outs) == {f.alias or n for n, f in OptOut.model_fields.items()}
    for key, controls in cat.config_opt_outs.items():
        for cid in controls:
            assert cat.controls[cid].waivable, f"optOut.{key} relaxes {cid}, which is not waivable"


def test_pack_main_is_the_only_policy_pack() -> None:
    """__main__.py builds the pack (mandatory, every policy); nothing else constructs a PolicyPack."""
    main = (REPO_ROOT / "policies" / "__main__.py").read_text()
    tree = ast.parse(main)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "PolicyPack"]
    assert len(calls) == 1
    kwargs = {k.arg: ast.unparse(k.value) for k in calls[0].keywords}
    assert kwargs["enforcement_level"] == "EnforcementLevel.MANDATORY"
    assert kwargs["name"] == "PACK_NAME"
    for path in [*(REPO_ROOT / "policies" / "fhirfort_policies").glob("*.py"), *(REPO_ROOT / "fhirfort").rglob("*.py")]:
        assert "PolicyPack(" not in path.read_text(), path
