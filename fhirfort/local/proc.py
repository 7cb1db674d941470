"""Run the machine's commands: argument lists only (no shell), output to a log file when given."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from fhirfort.local.steps import StepError


def run(
    cmd: Sequence[str],
    *,
    step: str,
    host: str | None = None,
    log: Path | None = None,
    check: bool = True,
    timeout: float | None = None,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command; append its output to `log` if given; raise StepError naming step/host/log on failure."""
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as fh:
            fh.write(f"$ {' '.join(cmd)}\n")
            fh.flush()
            try:
                proc = subprocess.run(
                    list(cmd),
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    text=True,
                    timeout=timeout,
                    input=input_text,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise StepError(step, f"{cmd[0]} timed out after {timeout}s", host, log) from exc
        if check and proc.returncode != 0:
            raise StepError(step, f"{' '.join(cmd[:3])} exited with {proc.returncode}", host, log)
        return proc
    try:
        proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, input=input_text, check=False)
    except subprocess.TimeoutExpired as exc:
        raise StepError(step, f"{cmd[0]} timed out after {timeout}s", host) from exc
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
        raise StepError(step, f"{' '.join(cmd[:4])} exited with {proc.returncode}: {detail[0]}", host)
    return proc


def ok(cmd: Sequence[str], timeout: float = 30) -> bool:
    """True when the command exits 0 (for probes whose failure is an answer, not an error)."""
    try:
        return subprocess.run(list(cmd), capture_output=True, timeout=timeout, check=False).returncode == 0
    except (subprocess.TimeoutExpired, FileNotFoundError):
        return False
