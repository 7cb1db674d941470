"""Fixtures of the lab isolation tests: the running lab and a TCP probe run inside a lab host."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest

from fhirfort.local import hostlab
from fhirfort.local.lab import Lab, build_lab
from fhirfort.local.paths import LabPaths
from fhirfort.spec import spec

PROBE = """
import socket, sys
s = socket.socket()
s.settimeout(float(sys.argv[3]))
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("open")
except ConnectionRefusedError:
    print("refused")
except TimeoutError:
    print("timeout")
except OSError as e:
    print("unreachable" if e.errno in (101, 113) else f"error {e.errno}")
"""


@pytest.fixture(scope="session")
def paths() -> LabPaths:
    return LabPaths.default()


@pytest.fixture(scope="session")
def lab(paths: LabPaths) -> Lab:
    lab = build_lab(spec())
    down = [h.name for h in lab.hosts if hostlab.leader_pid(h.name, paths) is None]
    if down:
        pytest.skip(f"the local lab is not up (hosts not running: {', '.join(down)}); run `make up`")
    return lab


Probe = Callable[[str, str, int], str]


@pytest.fixture(scope="session")
def probe(lab: Lab, paths: LabPaths) -> Probe:
    """probe(host, address, port) -> open | refused | timeout | unreachable, from inside `host`."""

    def _probe(host: str, address: str, port: int, timeout: float = 1.5) -> str:
        res = hostlab.exec_in(host, paths, ["python3", "-c", PROBE, address, str(port), str(timeout)], timeout=15)
        assert res.returncode == 0, res.stderr
        return res.stdout.strip()

    return _probe


@pytest.fixture(scope="session")
def machine() -> Callable[[list[str]], str]:
    """Run a command on the machine and return its output."""

    def _run(cmd: list[str]) -> str:
        return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=15).stdout

    return _run
