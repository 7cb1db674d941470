"""Security test suites of the kit: `make attack` (WAF corpus), `make tlsscan` (testssl), `make secrets-scan`.

Each suite is a CLI command module exposing `configure(parser)` and `run(args) -> int`:
`fhirfort.suites.attack.cli`, `fhirfort.suites.tlsscan.cli`, `fhirfort.suites.secrets_scan.cli`.
Reports go to build/reports/.
"""

from __future__ import annotations

from fhirfort import REPO_ROOT

REPORTS_DIR = REPO_ROOT / "build" / "reports"
CORPUS_DIR = REPO_ROOT / "suites" / "corpus"

__all__ = ["CORPUS_DIR", "REPORTS_DIR"]
