"""Load `spec/controls.yaml`: control id -> title, HIPAA / NIST citations, cdk-nag rules, policies.

The catalogue is the one place where a control's citations live: the policy pack reads them from here
(so a policy's description and the auditor report can never disagree), the report is generated from it,
and a test fails when a control has no policy or a policy names an unknown control.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from fhirfort import REPO_ROOT

CONTROLS_FILE = REPO_ROOT / "spec" / "controls.yaml"
ENV_TAG = "fhirfort:environment"  # the tag prod-only policies read (resource tag, then stack tag)
OPT_OUT_PREFIX = "fhirfort:opt-out:"  # fhirfort:opt-out:<CONTROL> = <reason>
CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]{1,3}-\d{2}$")
HIPAA_CITATION = re.compile(r"^164\.3(08|10|12|16)\([a-z]\)(\(\d+\))?(\([ivx]+\))?(\([A-Z]\))?$")


class ControlsError(ValueError):
    """The catalogue is missing or invalid; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Waiver(_Strict):
    """A narrow, documented exception that the policy itself honours (not an opt-out)."""

    id: str
    why: str
    match: dict[str, str]


class Control(_Strict):
    title: str
    concern: str
    hipaa: tuple[str, ...]
    nist: tuple[str, ...]
    cdk_nag: tuple[str, ...] = ()
    awsguard: tuple[str, ...] = ()
    # May a stack opt out (tag `fhirfort:opt-out:<id>`)? Opted-out findings are still reported (advisory).
    waivable: bool = False
    policies: tuple[str, ...]
    exceptions: tuple[Waiver, ...] = ()
    # Values the control's policies read (lists of required services, ports...), kept beside the citations.
    parameters: dict[str, Any] = {}
    rationale: str = ""

    @field_validator("hipaa")
    @classmethod
    def _hipaa_form(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("at least one HIPAA citation is required")
        for c in v:
            if not HIPAA_CITATION.match(c):
                raise ValueError(f"{c!r} is not a 45 CFR 164.3xx paragraph citation")
        return v

    @field_validator("nist", "policies")
    @classmethod
    def _non_empty(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("must not be empty")
        return v


class Exemption(_Strict):
    """A resource type the stack declares that no policy needs to inspect, and why."""

    why: str


class Catalogue(_Strict):
    controls: dict[str, Control]
    exempt_resource_types: dict[str, Exemption] = {}
    # Stack config opt-out flags of the AWS program (`fhirfort:optOut.<key>`) -> the controls they relax.
    config_opt_outs: dict[str, tuple[str, ...]] = {}

    @field_validator("controls")
    @classmethod
    def _ids(cls, v: dict[str, Control]) -> dict[str, Control]:
        for cid in v:
            if not CONTROL_ID.match(cid):
                raise ValueError(f"control id {cid!r} does not look like ABC-01")
        return v

    def control_of(self, policy_name: str) -> str | None:
        for cid, control in self.controls.items():
            if policy_name in control.policies:
                return cid
        return None


def load_catalogue(path: Path = CONTROLS_FILE) -> Catalogue:
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError as exc:
        raise ControlsError(f"{path}: file missing") from exc
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ControlsError(f"spec/controls.yaml: {key}: {first['msg']}") from None


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The repository's controls catalogue, loaded once per process."""
    return load_catalogue()


def opt_out_tags(opt_outs: dict[str, bool]) -> dict[str, str]:
    """The `fhirfort:opt-out:<CONTROL>` tags that a stack's config opt-outs (`fhirfort:optOut.*`) imply.

    The AWS program puts them on its resources (so a live `pulumi preview --policy-pack` sees them) and the
    offline evaluator on the mocked stacks: one mapping, `config_opt_outs` in spec/controls.yaml.
    """
    tags: dict[str, str] = {}
    mapping = catalogue().config_opt_outs
    for key, enabled in sorted(opt_outs.items()):
        if enabled is True or str(enabled).lower() == "true":
            for control in mapping.get(key, (f"UNMAPPED-{key}",)):
                reason = f"stack config fhirfort:optOut.{key}"
                prev = tags.get(OPT_OUT_PREFIX + control)
                tags[OPT_OUT_PREFIX + control] = f"{prev}; {reason}" if prev else reason
    return tags
