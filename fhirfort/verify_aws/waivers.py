"""Documented opt-outs: a failure of a *waivable* control (spec/controls.yaml) on a resource tagged
`fhirfort:opt-out:<CONTROL>` (the tag the AWS program derives from `fhirfort:optOut.*`) is reported as
WAIVED with the tag's reason, and does not fail the run. Non-waivable controls ignore the tag."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from fhirfort.compliance.controls import OPT_OUT_PREFIX, catalogue
from fhirfort.verify_aws.result import CheckResult


def tags_of(tag_list: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """AWS `[{"Key": k, "Value": v}]` -> `{k: v}`."""
    return {t["Key"]: t["Value"] for t in tag_list or []}


def apply_waiver(result: CheckResult, tags: Mapping[str, str]) -> CheckResult:
    if result.passed:
        return result
    control = catalogue().controls.get(result.id)
    reason = tags.get(OPT_OUT_PREFIX + result.id)
    if control is None or not control.waivable or reason is None:
        return result
    return replace(result, passed=True, waiver=reason, detail=f"{result.detail} (opt-out: {reason})")
