"""Steps owned by other parts of the kit, called by `make up` when they exist."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from fhirfort import REPO_ROOT
from fhirfort.local import sample_data
from fhirfort.local.paths import LabPaths
from fhirfort.local.steps import StepError, follow, last_line, say

HAPI_BUILD = REPO_ROOT / "fhir-server" / "build.sh"
KEYCLOAK_EXTENSION_BUILD = REPO_ROOT / "keycloak-extension" / "build.sh"


def build_hapi(paths: LabPaths) -> bool:
    """Build the HAPI FHIR server jar with fhir-server/build.sh (skipped with a message while absent)."""
    return _maven_build(HAPI_BUILD, "HAPI jar build", paths.logs / "hapi-build.log")


def build_keycloak_extension(paths: LabPaths) -> bool:
    """Build the kit's Keycloak providers (SMART patient context) with keycloak-extension/build.sh."""
    log = paths.logs / "keycloak-extension-build.log"
    return _maven_build(KEYCLOAK_EXTENSION_BUILD, "Keycloak extension build", log)


def _maven_build(script: Path, step_name: str, log: Path) -> bool:
    if not script.exists():
        say(f"    {script.relative_to(REPO_ROOT)} does not exist yet: {step_name} skipped")
        return False
    with log.open("a") as fh:
        child = subprocess.Popen(["bash", str(script)], stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        returncode = follow(child, log, last_line)
    say(f"    {last_line(log.read_text(errors='replace'))}")
    if returncode != 0:
        raise StepError(step_name, f"{script.relative_to(REPO_ROOT)} exited with {returncode}", log=log)
    return True


def load_sample_data(paths: LabPaths) -> None:
    """Load the synthetic sample data through the edge (idempotent: PUT by fixed ids)."""
    endpoints = json.loads(paths.endpoints.read_text())
    try:
        sample_data.load_sample_data(endpoints)
    except sample_data.SampleDataError as exc:
        raise StepError("sample data", str(exc)) from None
    say(f"    loaded {sample_data.BUNDLE.relative_to(REPO_ROOT)} through the edge")
