"""Progress of long operations: each step prints its name and elapsed time; a failure names step, host, log."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class StepError(RuntimeError):
    """A step failed; the message names the step, the host (if any) and the log file to read."""

    def __init__(self, step: str, message: str, host: str | None = None, log: Path | None = None) -> None:
        self.step = step
        self.host = host
        self.log = log
        where = f" on host {host}" if host else ""
        hint = f" (log: {log})" if log else ""
        super().__init__(f"step '{step}' failed{where}: {message}{hint}")


_T0 = time.monotonic()
TIMINGS: dict[str, float] = {}


def say(message: str) -> None:
    """One progress line with the time since the command started."""
    print(f"[{time.monotonic() - _T0:7.1f}s] {message}", flush=True)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Announce a step, time it, and turn unexpected errors into a StepError naming it."""
    say(f"==> {name}")
    started = time.monotonic()
    try:
        yield
    except StepError:
        say(f"<== {name}: FAILED after {time.monotonic() - started:.1f}s")
        raise
    except Exception as exc:
        say(f"<== {name}: FAILED after {time.monotonic() - started:.1f}s")
        raise StepError(name, f"{type(exc).__name__}: {exc}") from exc
    elapsed = time.monotonic() - started
    TIMINGS[name] = elapsed
    say(f"<== {name}: ok ({elapsed:.1f}s)")


def fail(error: StepError) -> int:
    print(f"ERROR: {error}", file=sys.stderr, flush=True)
    return 1


def follow(child: subprocess.Popen[bytes], log: Path, describe: Callable[[str], str], every: float = 15.0) -> int:
    """Wait for a long-running child, printing where it is (from its log) every `every` seconds."""
    started = last = time.monotonic()
    while child.poll() is None:
        time.sleep(0.5)
        if time.monotonic() - last >= every:
            last = time.monotonic()
            text = log.read_text(errors="replace") if log.exists() else ""
            say(f"    ... {last - started:.0f}s, {describe(text)}")
    return child.returncode


def last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:140] if lines else "(no output yet)"
