"""Steps owned by other parts of the kit, called by `make up` when they exist."""

from __future__ import annotations

import json
import subprocess

from fhirfort import REPO_ROOT
from fhirfort.local import sample_data
from fhirfort.local.paths import LabPaths
from fhirfort.local.steps import StepError, follow, last_line, say

HAPI_BUILD = REPO_ROOT / "fhir-server" / "build.sh"


def build_hapi(paths: LabPaths) -> bool:
    """Build the HAPI FHIR server jar with fhir-server/build.sh (skipped with a message while absent)."""
    if not HAPI_BUILD.exists():
        say("    fhir-server/build.sh does not exist yet: HAPI build skipped")
        return False
    log = paths.logs / "hapi-build.log"
    with log.open("a") as fh:
        child = subprocess.Popen(
            ["bash", str(HAPI_BUILD)], stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        returncode = follow(child, log, last_line)
    say(f"    {last_line(log.read_text(errors='replace'))}")
    if returncode != 0:
        raise StepError("HAPI jar build", f"fhir-server/build.sh exited with {returncode}", log=log)
    return True


def load_sample_data(paths: LabPaths) -> None:
    """Load the synthetic sample data through the edge (idempotent: PUT by fixed ids)."""
    endpoints = json.loads(paths.endpoints.read_text())
    try:
        sample_data.load_sample_data(endpoints)
    except sample_data.SampleDataError as exc:
        raise StepError("sample data", str(exc)) from None
    say(f"    loaded {sample_data.BUNDLE.relative_to(REPO_ROOT)} through the edge")
