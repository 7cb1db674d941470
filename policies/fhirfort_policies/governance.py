"""GOV-01: every opt-out is reported. A waived control never passes silently.

The control's own policy stays quiet for a waived finding (so an accepted, documented relaxation does not
block a deployment); this advisory stack policy reports every opt-out in effect (resource tag or stack tag
`fhirfort:opt-out:<CONTROL>`), re-runs every policy of the pack and reports each finding an opt-out waives,
and reports opt-out tags that name an unknown or non-waivable control (those are ignored).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from fhirfort.compliance.controls import catalogue

from ._base import (
    ADVISORY,
    OPT_OUT_PREFIX,
    FhirfortPolicy,
    FhirfortResourcePolicy,
    FhirfortStackPolicy,
    Finding,
    tags_of,
)


def waived_findings(policies: Sequence[FhirfortPolicy], args: StackValidationArgs) -> list[tuple[str, Finding]]:
    """(policy name, finding) for every finding an accepted opt-out waives."""
    out: list[tuple[str, Finding]] = []
    for policy in policies:
        if isinstance(policy, FhirfortStackPolicy):
            found = policy.findings(args)
        else:
            found = []
            for r in args.resources:
                if r.resource_type in policy.resource_types:
                    rargs = ResourceValidationArgs(
                        r.resource_type, r.props, r.urn, r.name, r.opts, r.provider, None, args.stack_tags
                    )
                    found.extend(policy.findings(rargs))
        out.extend((policy.name, f) for f in found if f.waived_by is not None)
    return out


def _tag_findings(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    """Every opt-out tag in effect (so a relaxation is visible even where no finding is waived), and every
    tag that names an unknown or non-waivable control."""
    controls = catalogue().controls
    sources: list[tuple[str | None, str, dict[str, str]]] = [(r.urn, r.name, tags_of(r.props)) for r in args.resources]
    sources.append((None, "the stack", dict(args.stack_tags)))
    for urn, name, tags in sources:
        for key, reason in sorted(tags.items()):
            if not key.startswith(OPT_OUT_PREFIX):
                continue
            control = key.removeprefix(OPT_OUT_PREFIX)
            if control not in controls:
                yield f"{name}: opt-out tag {key} names no control of spec/controls.yaml", urn
            elif not controls[control].waivable:
                yield f"{name}: opt-out tag {key} is ignored: {control} is not waivable", urn
            else:
                yield f"{name}: {control} ({controls[control].title}) is opted out: {reason or 'no reason given'}", urn


def opt_out_policy(policies: Sequence[FhirfortPolicy]) -> FhirfortStackPolicy:
    others = [p for p in policies if isinstance(p, FhirfortResourcePolicy | FhirfortStackPolicy)]

    def check(_stack: object) -> Iterator[tuple[str, None]]:
        raise NotImplementedError  # findings() below reads the raw args

    class OptOutPolicy(FhirfortStackPolicy):
        def findings(self, args: StackValidationArgs) -> list[Finding]:
            result = [
                Finding(f"GOV-01: WAIVED by opt-out ({f.waived_by}) [{name}]: {f.message}", f.urn)
                for name, f in waived_findings(others, args)
            ]
            result.extend(Finding(f"GOV-01: {message}", urn) for message, urn in _tag_findings(args))
            return result

    return OptOutPolicy(
        name="gov-01-opt-outs-reported",
        enforcement_level=ADVISORY,
        control="GOV-01",
        types=(),
        summary="Every opt-out (tag fhirfort:opt-out:<control>) and every finding it waives is reported.",
        check=check,
        remediation="Remove the opt-out, or keep it documented with its reason and review date.",
        severity=Severity.MEDIUM,
    )
