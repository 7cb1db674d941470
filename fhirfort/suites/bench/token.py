"""An optional SMART backend-services token for the bench (both paths send the same one).

Uses `fhirfort token` (fhirfort/local/cli_token.py) when it exists and Keycloak answers; otherwise the bench
runs without a token and says so (until SMART enforcement is on, HAPI does not ask for one). The token is
kept in a 0600 file that wrk's Lua reads; it is refreshed when older than `max_age_s`.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from fhirfort import REPO_ROOT


@dataclass
class TokenSource:
    file: Path
    mode: str = "auto"  # auto | off | required
    scope: str = "system/*.cruds"  # the write mix creates Observations
    max_age_s: float = 120.0
    status: str = "not requested"
    issued: float = field(default=0.0)

    def _fetch(self) -> str | None:
        if importlib.util.find_spec("fhirfort.local.cli_token") is None:
            self.status = "no token client in this checkout (fhirfort.local.cli_token)"
            return None
        try:
            res = subprocess.run(
                [sys.executable, "-m", "fhirfort.local.cli_token", "--scope", self.scope],
                capture_output=True,
                text=True,
                timeout=90,
                check=False,
                cwd=REPO_ROOT,
            )
        except subprocess.TimeoutExpired:
            self.status = "token request timed out (90 s)"
            return None
        lines = res.stdout.strip().splitlines()
        if res.returncode != 0 or not lines or lines[-1].count(".") != 2:
            self.status = f"no token (exit {res.returncode}): {res.stderr.strip().splitlines()[-1:] or ''}"
            return None
        return lines[-1].strip()

    def get(self) -> Path | None:
        """The token file, fresh; None when running without a token."""
        if self.mode == "off":
            self.status = "disabled (--token off)"
            return None
        if self.issued and time.monotonic() - self.issued < self.max_age_s:
            return self.file
        token = self._fetch()
        if token is None and self.issued and self.file.exists():
            return self.file  # keep the last token (e.g. while Keycloak restarts); it may still be valid
        if token is None:
            if self.mode == "required":
                raise RuntimeError(f"a token is required (--token required): {self.status}")
            return None
        self.file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(token)
        self.issued = time.monotonic()
        self.status = f"SMART backend-services token (fhirfort token, scope {self.scope}), same token on both paths"
        return self.file
