"""Shared machinery of the fhirfort-hipaa pack.

Every rule is a pure check over a resource's wire-form (camelCase) properties that yields messages.
The classes below wrap checks as CrossGuard policies, attach the control's citations (read from
`spec/controls.yaml`, never copied here) and apply the opt-out rule:

* a resource tag (or stack tag) `fhirfort:opt-out:<CONTROL>=<reason>` waives a finding only when the
  catalogue marks the control `waivable`; a waived finding is not reported by the control's policy but by
  the advisory policy `gov-01-opt-outs-reported`, so a relaxed control is never silent;
* on a control that is not waivable the tag is ignored and the message says so.

The deployment environment of a resource comes from its `fhirfort:environment` tag, then from the stack
tag of the same name; when neither is present the stricter `prod` rules apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from fhirfort.compliance.controls import Control, catalogue

ENV_TAG = "fhirfort:environment"
PURPOSE_TAG = "fhirfort:purpose"
OPT_OUT_PREFIX = "fhirfort:opt-out:"
DEFAULT_ENV = "prod"
MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY


# --------------------------------------------------------------------------- property helpers
def prop(obj: Any, path: str, default: Any = None) -> Any:
    """Walk a dotted path (`metadataOptions.httpTokens`, `rules.0.name`) through mappings and lists."""
    cur = obj
    for part in path.split("."):
        if isinstance(cur, Mapping):
            if part not in cur:
                return default
            cur = cur[part]
        elif _is_sequence(cur) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return default
    return default if cur is None else cur


def _is_sequence(value: Any) -> bool:
    """Lists, tuples and CrossGuard's list proxy (a Sequence, not a list); never strings."""
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def is_true(value: Any) -> bool:
    """Pulumi passes some booleans as strings (launch template `encrypted`, `associatePublicIpAddress`)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if _is_sequence(value):
        return list(value)
    return [value]


def statements(document: Any) -> list[Mapping[str, Any]]:
    """Statements of an IAM-style policy document given as JSON text or as a mapping."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, Mapping):
        return []
    return [s for s in as_list(document.get("Statement")) if isinstance(s, Mapping)]


def tags_of(props: Mapping[str, Any]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for key in ("tagsAll", "tags"):
        value = props.get(key) if isinstance(props, Mapping) else None
        if isinstance(value, Mapping):
            merged.update({str(k): str(v) for k, v in value.items()})
    return merged


def environment(tags: Mapping[str, str], stack_tags: Mapping[str, str]) -> str:
    return tags.get(ENV_TAG) or stack_tags.get(ENV_TAG) or DEFAULT_ENV


# --------------------------------------------------------------------------- resources and stacks
@dataclass(frozen=True)
class Res:
    """One declared resource as a check sees it."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    env: str = DEFAULT_ENV
    deps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, path: str, default: Any = None) -> Any:
        return prop(self.props, path, default)

    @property
    def tags(self) -> dict[str, str]:
        return tags_of(self.props)

    @property
    def prod(self) -> bool:
        return self.env == "prod"

    def identities(self) -> set[str]:
        """Values another resource may hold when it refers to this one (URN, names, id, ARN)."""
        ids = {self.urn, self.name}
        for key in ("id", "arn", "name", "bucket"):
            value = self.props.get(key) if isinstance(self.props, Mapping) else None
            if isinstance(value, str) and value:
                ids.add(value)
        return ids


class Stack:
    """All resources of one stack, with reference resolution for relationship checks."""

    def __init__(self, resources: Sequence[Res], stack_tags: Mapping[str, str] | None = None) -> None:
        self.resources = list(resources)
        self.stack_tags: Mapping[str, str] = stack_tags or {}
        self._by_urn = {r.urn: r for r in self.resources}

    @classmethod
    def from_args(cls, args: StackValidationArgs) -> Stack:
        resources = []
        for r in args.resources:
            props = r.props
            deps = {k: tuple(d.urn for d in v) for k, v in (r.property_dependencies or {}).items()}
            env = environment(tags_of(props), args.stack_tags)
            resources.append(Res(r.resource_type, r.name, r.urn, props, env, deps))
        return cls(resources, args.stack_tags)

    @property
    def env(self) -> str:
        return self.stack_tags.get(ENV_TAG, DEFAULT_ENV)

    def of(self, *types: str) -> list[Res]:
        return [r for r in self.resources if r.type in types]

    def refers(self, source: Res, prop_name: str, target: Res) -> bool:
        """Does `source.<prop_name>` (a value or list) point at `target`?"""
        if target.urn in source.deps.get(prop_name.split(".")[0], ()):
            return True
        wanted = target.identities()
        return any(isinstance(value, str) and value in wanted for value in as_list(source.get(prop_name)))

    def referrers(self, target: Res, prop_name: str, *types: str) -> list[Res]:
        return [r for r in self.of(*types) if self.refers(r, prop_name, target)]

    def referenced(self, source: Res, prop_name: str, *types: str) -> list[Res]:
        return [t for t in self.of(*types) if self.refers(source, prop_name, t)]


@dataclass(frozen=True)
class Finding:
    """One failed check; `waived_by` holds the accepted opt-out reason when the control is waived."""

    message: str
    urn: str | None
    waived_by: str | None = None


def _control(control_id: str) -> Control:
    try:
        return catalogue().controls[control_id]
    except KeyError:
        raise KeyError(f"control {control_id} is not in spec/controls.yaml") from None


def waiver(control_id: str, tags: Mapping[str, str], stack_tags: Mapping[str, str]) -> tuple[bool, str | None]:
    """(tag present, accepted reason). The reason is None unless the control is waivable."""
    key = OPT_OUT_PREFIX + control_id
    if key in tags:
        reason = tags[key]
    elif key in stack_tags:
        reason = stack_tags[key]
    else:
        return False, None
    if not _control(control_id).waivable:
        return True, None
    return True, reason or "no reason given"


# --------------------------------------------------------------------------- policy classes
class _Meta:
    """Catalogue-derived metadata shared by resource and stack policies."""

    control: str
    metadata: dict[str, Any]

    @staticmethod
    def describe(control_id: str, summary: str) -> tuple[str, dict[str, Any], PolicyComplianceFramework, list[str]]:
        c = _control(control_id)
        cites = f"HIPAA 45 CFR {', '.join(c.hipaa)}; NIST SP 800-53 {', '.join(c.nist)}"
        description = f"{control_id}: {summary} ({cites})"
        metadata = {
            "control": control_id,
            "title": c.title,
            "hipaa": list(c.hipaa),
            "nist": list(c.nist),
            "cdk_nag": list(c.cdk_nag),
            "awsguard": list(c.awsguard),
        }
        framework = PolicyComplianceFramework(
            name="HIPAA Security Rule",
            version="45 CFR Part 164 Subpart C",
            reference=", ".join(c.hipaa),
            specification=f"NIST SP 800-53 {', '.join(c.nist)}",
        )
        return description, metadata, framework, [control_id, *c.hipaa, *c.nist]


def _finding(
    control_id: str, message: str, urn: str | None, tags: Mapping[str, str], stack_tags: Mapping[str, str]
) -> Finding:
    present, reason = waiver(control_id, tags, stack_tags)
    if present and reason is None:
        message += f" (opt-out tag ignored: {control_id} is not waivable)"
    return Finding(f"{control_id}: {message}", urn, reason)


Check = Callable[[Res], Iterable[str]]
StackCheck = Callable[[Stack], Iterable[tuple[str, Res | None]]]


class FhirfortResourcePolicy(ResourceValidationPolicy):
    """A resource policy with a control id, citations and the opt-out rule."""

    def __init__(
        self,
        *,
        name: str,
        control: str,
        types: Sequence[str],
        summary: str,
        check: Check,
        remediation: str,
        enforcement_level: EnforcementLevel,
        severity: Severity = Severity.HIGH,
    ) -> None:
        description, metadata, framework, tags = _Meta.describe(control, summary)
        super().__init__(
            name=name,
            description=description,
            validate=self._fhirfort_validate,
            enforcement_level=enforcement_level,
            severity=severity,
            framework=framework,
            tags=tags,
            remediation_steps=remediation,
        )
        self.control = control
        self.resource_types = tuple(types)
        self.metadata = metadata
        self._check = check

    def findings(self, args: ResourceValidationArgs) -> list[Finding]:
        if args.resource_type not in self.resource_types:
            return []
        tags = tags_of(args.props)
        res = Res(args.resource_type, args.name, args.urn, args.props, environment(tags, args.stack_tags))
        return [_finding(self.control, m, args.urn, tags, args.stack_tags) for m in self._check(res)]

    def _fhirfort_validate(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for f in self.findings(args):
            if f.waived_by is None:
                report_violation(f.message, None)


class FhirfortStackPolicy(StackValidationPolicy):
    """A stack (relationship) policy with a control id, citations and the opt-out rule."""

    def __init__(
        self,
        *,
        name: str,
        control: str,
        types: Sequence[str],
        summary: str,
        check: StackCheck,
        remediation: str,
        enforcement_level: EnforcementLevel,
        severity: Severity = Severity.HIGH,
    ) -> None:
        description, metadata, framework, tags = _Meta.describe(control, summary)
        super().__init__(
            name=name,
            description=description,
            validate=self._fhirfort_validate,
            enforcement_level=enforcement_level,
            severity=severity,
            framework=framework,
            tags=tags,
            remediation_steps=remediation,
        )
        self.control = control
        # The resource types whose presence this policy judges (for coverage and the report).
        self.resource_types = tuple(types)
        self.metadata = metadata
        self._check = check

    def findings(self, args: StackValidationArgs) -> list[Finding]:
        stack = Stack.from_args(args)
        out = []
        for message, res in self._check(stack):
            tags = res.tags if res is not None else {}
            out.append(_finding(self.control, message, res.urn if res else None, tags, args.stack_tags))
        return out

    def _fhirfort_validate(self, args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for f in self.findings(args):
            if f.waived_by is None:
                report_violation(f.message, f.urn)


FhirfortPolicy = FhirfortResourcePolicy | FhirfortStackPolicy


def each(items: Iterable[Res], message: Callable[[Res], str | None]) -> Iterator[tuple[str, Res | None]]:
    """Helper for stack checks: yield (message, resource) for every resource whose message is not None."""
    for r in items:
        m = message(r)
        if m is not None:
            yield m, r


def parameter(control_id: str, key: str) -> Any:
    """A control parameter from the catalogue (`controls.<id>.parameters.<key>`)."""
    params = _control(control_id).parameters
    if key not in params:
        raise KeyError(f"spec/controls.yaml: controls.{control_id}.parameters.{key} is missing")
    return params[key]


def exceptions(control_id: str) -> list[dict[str, str]]:
    """The narrow, documented exceptions a control's policy honours (`controls.<id>.exceptions`)."""
    return [dict(w.match) for w in _control(control_id).exceptions]
