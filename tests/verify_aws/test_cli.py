"""`fhirfort verify-aws`: outputs from a file or the Pulumi CLI, the table, the JSON report, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from verify_aws_fakes import REGION, FakeStack

from fhirfort.cli import main
from fhirfort.verify_aws import outputs as outputs_module
from fhirfort.verify_aws.checks import ALL_CHECKS
from fhirfort.verify_aws.outputs import OutputsError, load_outputs_file, load_outputs_from_pulumi
from fhirfort.verify_aws.report import render_table
from fhirfort.verify_aws.result import failed, passed


def _argv(stack: FakeStack, tmp_path: Path) -> list[str]:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(stack.outputs))
    return [
        "verify-aws",
        "--stack",
        "ci",
        "--outputs-file",
        str(outputs),
        "--endpoint-url",
        stack.url,
        "--report-dir",
        str(tmp_path / "reports"),
    ]


def test_cli_passes_and_writes_the_report(stack: FakeStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_argv(stack, tmp_path)) == 0
    out = capsys.readouterr().out
    assert "ELB-01" in out and "PASS" in out and "FAIL" not in out
    assert out.rstrip().splitlines()[-1] == f"checks={len(ALL_CHECKS)} passed={len(ALL_CHECKS)} waived=0 failed=0"
    report = json.loads((tmp_path / "reports" / "verify-aws-ci.json").read_text())
    assert report["stack"] == "ci" and report["region"] == REGION and report["passed"] is True
    assert [r["check"] for r in report["results"]] == list(ALL_CHECKS)
    assert set(report["results"][0]) == {"id", "check", "title", "passed", "status", "detail", "waiver"}


def test_cli_exits_non_zero_on_a_failure(stack: FakeStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack.dirty = True
    trail = stack.client("cloudtrail")
    trail.stop_logging(Name=stack.outputs["cloudtrail_arn"])
    try:
        assert main(_argv(stack, tmp_path)) == 1
    finally:
        trail.start_logging(Name=stack.outputs["cloudtrail_arn"])
    out = capsys.readouterr().out
    assert "CT-05   FAIL" in out
    report = json.loads((tmp_path / "reports" / "verify-aws-ci.json").read_text())
    assert report["passed"] is False
    assert [r["check"] for r in report["results"] if not r["passed"]] == ["ct-05-trail-logging"]
    stack.dirty = False


def test_missing_resource_fails_its_check_not_the_run(stack: FakeStack, tmp_path: Path) -> None:
    """An output naming something that does not exist fails that check with the AWS error."""
    from fhirfort.verify_aws.runner import run_checks

    stack.dirty = True
    stack.outputs["db_instance_identifier"] = "no-such-db"
    results = {r.check: r for r in run_checks(stack.context())}
    assert not results["rds-01-storage-encrypted"].passed
    assert "DBInstanceNotFound" in results["rds-01-storage-encrypted"].detail
    assert results["elb-01-https-tls-policy"].passed
    stack.restore()
    stack.dirty = False


def test_missing_outputs_are_named(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"alb_arn": "arn:aws:elasticloadbalancing:eu-central-1:1:loadbalancer/app/x/1"}))
    with pytest.raises(OutputsError, match=r"does not export .*web_acl_arn"):
        load_outputs_file(path)


def test_outputs_file_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(OutputsError, match="no such outputs file"):
        load_outputs_file(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(OutputsError, match="not valid JSON"):
        load_outputs_file(bad)


def test_missing_pulumi_cli_is_explained(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(outputs_module.shutil, "which", lambda _: None)
    with pytest.raises(OutputsError, match=r"Pulumi CLI is not on PATH.*--outputs-file"):
        load_outputs_from_pulumi("prod")
    assert main(["verify-aws", "--stack", "prod"]) == 2
    assert "pulumi stack output --json --show-secrets --stack prod" in capsys.readouterr().err


def test_pulumi_cli_output_is_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A stand-in `pulumi` on PATH prints the outputs; the loader runs it with the documented arguments."""
    fake = tmp_path / "pulumi"
    fake.write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\necho \'{"fhir_base_url": "x"}\'\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(OutputsError, match="pulumi stack prod: the stack does not export"):
        load_outputs_from_pulumi("prod")
    assert (tmp_path / "args").read_text().split() == ["stack", "output", "--json", "--show-secrets", "--stack", "prod"]


def test_table_lists_every_result() -> None:
    table = render_table([passed("A-1", "first", "fine"), failed("B-22", "second control", "x " * 60)])
    lines = table.splitlines()
    assert lines[0].split() == ["ID", "RESULT", "CONTROL", "DETAIL"]
    assert lines[2].startswith("A-1   PASS")
    assert lines[3].startswith("B-22  FAIL")
    assert len(lines) == 5  # the long detail wraps onto a continuation line
