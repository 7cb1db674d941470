"""Why the host tier failed, in a few lines: the failed Ansible tasks and the failed tests.

CI shows only the tail of a run, and `make down` prints after the failure, so the Makefile calls this last.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from fhirfort.local.paths import LabPaths

FAILED_RESULT = re.compile(r"^(fatal|failed): \[(?P<host>[^\]]+)\](?P<rest>.*)$")
MSG = re.compile(r'"msg":\s*"(?P<msg>(?:[^"\\]|\\.)*)"')
TEST_FAILURE = re.compile(r"^(FAILED|ERROR) ")
MAX_LINE = 400


def failed_tasks(log_text: str) -> list[str]:
    """One line per failed task result of an ansible-playbook log: host, task and its message."""
    found: list[str] = []
    task = "?"
    for line in log_text.splitlines():
        if line.startswith(("TASK [", "RUNNING HANDLER [")):
            task = line.split(" *")[0].strip()
            continue
        m = FAILED_RESULT.match(line)
        if not m:
            continue
        msg = MSG.search(m["rest"])
        detail = msg["msg"] if msg else m["rest"].strip()
        found.append(f"{m['host']}: {task}: {detail}"[:MAX_LINE])
    return found


def failed_tests(log_text: str) -> list[str]:
    """The FAILED/ERROR lines of pytest's short summary."""
    return [line[:MAX_LINE] for line in log_text.splitlines() if TEST_FAILURE.match(line)]


def digest(converge_logs: list[Path], pytest_logs: list[Path], limit: int = 30) -> list[str]:
    lines: list[str] = []
    for log in converge_logs:
        if log.exists():
            lines += [f"{log.stem}  {line}" for line in failed_tasks(log.read_text(errors="replace"))]
    for log in pytest_logs:
        if log.exists():
            lines += [f"{log.stem}  {line}" for line in failed_tests(log.read_text(errors="replace"))]
    return lines[-limit:]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=30, help="at most this many lines (the last ones)")


def run(args: argparse.Namespace) -> int:
    paths = LabPaths.default()
    converge_logs = [*sorted(paths.logs.glob("converge.attempt*.log")), paths.logs / "converge.log"]
    lines = digest(converge_logs, sorted(paths.logs.glob("pytest-*.log")), args.limit)
    print("==> why the host tier failed" if lines else "==> no failed task or test recorded in build/local/logs")
    for line in lines:
        print(f"    {line}")
    return 0
