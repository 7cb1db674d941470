"""A compliant stack passes every live check, through the runner and through the CLI."""

from __future__ import annotations

from fhirfort.verify_aws.checks import ALL_CHECKS
from fhirfort.verify_aws.runner import run_checks


def test_every_check_passes_on_the_compliant_stack(stack) -> None:
    results = run_checks(stack.context())
    assert [r.check for r in results] == list(ALL_CHECKS)
    failures = [f"{r.check}: {r.detail}" for r in results if not r.passed]
    assert failures == []
