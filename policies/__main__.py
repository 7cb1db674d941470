"""The fhirfort-hipaa CrossGuard policy pack: the only place that builds the PolicyPack.

Constructing `PolicyPack` starts the analyzer's gRPC server and blocks, so nothing else imports this
file; tests and `fhirfort audit` import `fhirfort_policies` instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The rules read spec/*.yaml through the repository's `fhirfort` package (one source of truth).
for path in (HERE, HERE.parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from fhirfort_policies import PACK_NAME, POLICIES  # noqa: E402
from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=list(POLICIES),
    description="HIPAA Security Rule (45 CFR 164.308/164.312) controls for the fhirfort AWS stack",
)
