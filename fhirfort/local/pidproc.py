"""Processes the kit started: pid files checked against /proc so a reused PID is never signalled."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


def read_cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [p.decode(errors="replace") for p in raw.split(b"\0") if p]


def alive_pid(pidfile: Path, *markers: str) -> int | None:
    """The PID in `pidfile` if that process still runs and its command line contains every marker."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    cmdline = read_cmdline(pid)
    if not cmdline:
        return None
    joined = " ".join(cmdline)
    if all(m in joined for m in markers):
        return pid
    return None


def terminate(pid: int, timeout: float = 20.0) -> bool:
    """SIGTERM, wait, then SIGKILL; True when the process is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _exists(pid):
            return True
        time.sleep(0.2)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    time.sleep(0.5)
    return not _exists(pid)


def _exists(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
