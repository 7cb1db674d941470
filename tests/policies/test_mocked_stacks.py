"""The pack over the real AWS program (fhirfort.aws.mocked): coverage, default stacks, opt-outs, `fhirfort audit`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from fhirfort.compliance import cli, evaluator
from fhirfort.compliance.evaluator import StackEvaluation


@pytest.fixture(scope="module")
def mocked() -> dict[str, StackEvaluation]:
    return {stack: evaluator.evaluate_mocked(stack) for stack in ("dev", "prod")}


def test_every_declared_type_is_covered_or_exempt(mocked: dict[str, StackEvaluation]) -> None:
    resources = [r for ev in mocked.values() for r in ev.resources]
    assert evaluator.uncovered_types(resources) == []


def test_every_policy_type_token_exists_in_pulumi_aws(policies: dict[str, Any]) -> None:
    """Type tokens the pack inspects are real pulumi-aws 7 tokens (guards against typos)."""
    import importlib.util

    spec_ = importlib.util.find_spec("pulumi_aws")
    assert spec_ is not None and spec_.submodule_search_locations
    root = Path(next(iter(spec_.submodule_search_locations)))
    for policy in policies.values():
        for token in policy.resource_types:
            module = token.split(":")[1].split("/")[0]
            text = "".join(p.read_text() for p in (root / module).glob("*.py"))
            assert f'"{token}"' in text, token


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_default_stack_has_zero_mandatory_violations(mocked: dict[str, StackEvaluation], stack: str) -> None:
    """If the AWS program breaks a control, fix the program (fhirfort/aws), never the policy."""
    assert [(r.policy, r.resource_name, r.messages) for r in mocked[stack].mandatory_violations] == []


def test_default_stacks_advisories_are_the_known_ones(mocked: dict[str, StackEvaluation]) -> None:
    """Advisory findings of the default stacks: unrotated app secrets (SEC-02, no rotation Lambda
    configured) and, in dev only, the reported opt-outs (GOV-01)."""
    for stack, ev in mocked.items():
        policies = {r.policy for r in ev.with_status("advisory")}
        expected = {"sec-02-secret-rotation"} | ({"gov-01-opt-outs-reported"} if stack == "dev" else set())
        assert policies <= expected, (stack, policies)


def test_dev_opt_outs_are_reported_not_silent(mocked: dict[str, StackEvaluation]) -> None:
    dev = mocked["dev"]
    gov = " ".join(m for r in dev.rows if r.policy == "gov-01-opt-outs-reported" for m in r.messages)
    for control in ("ELB-06", "RDS-04", "RDS-05"):
        assert f"{control} (" in gov and "is opted out" in gov
    prod_gov = [r for r in mocked["prod"].rows if r.policy == "gov-01-opt-outs-reported" and r.status != "pass"]
    assert prod_gov == []


def test_prod_rules_apply_to_prod(mocked: dict[str, StackEvaluation]) -> None:
    assert mocked["prod"].environment == "prod"
    assert mocked["dev"].environment == "dev"
    checked = {r.policy for r in mocked["prod"].rows}
    assert {"rds-04-multi-az-prod", "elb-06-deletion-protection-prod"} <= checked


def test_audit_writes_the_report_and_prints_the_contract_line(
    mocked: dict[str, StackEvaluation],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(evaluator, "evaluate_mocked", lambda stack: mocked[stack])
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    code = cli.run(parser.parse_args(["--out", str(tmp_path)]))
    out = capsys.readouterr().out.strip().splitlines()
    n_policies = len(evaluator.load_policies())
    n_resources = sum(len(ev.resources) for ev in mocked.values())
    n_violations = sum(len(ev.mandatory_violations) for ev in mocked.values())
    assert out[-1] == f"policies={n_policies} resources={n_resources} violations={n_violations}"
    assert code == (1 if n_violations else 0)
    for name in ("report.md", "report.html", "report.json"):
        assert (tmp_path / name).stat().st_size > 0
    md = (tmp_path / "report.md").read_text()
    assert "164.312(b)" in md and "NET-01" in md and "AU-12" in md
    import json

    data = json.loads((tmp_path / "report.json").read_text())
    assert {c["id"] for c in data["controls"]} >= {"WAF-01", "RDS-11", "S3-05"}
    assert data["summary"]["violations"] == n_violations
    verdicts = {c["id"]: c["verdicts"] for c in data["controls"]}
    assert verdicts["RDS-04"]["dev"] == "opted-out"  # relaxed in dev: shown, never a silent pass
    assert verdicts["RDS-04"]["prod"] == "pass"
