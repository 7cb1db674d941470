"""Run Debian's wrk with the kit's Lua mix (bench/wrk/mix.lua) on one path, and parse its JSON summary line.

Name resolution: wrk resolves the URL's host itself and sends it as the TLS SNI and the Host header, which
is exactly what the edge (SNI `fhir.fhirfort.test`, unknown names refused) and HAPI's certificate
(`fhir.fhirfort.internal`) need; the lab has no DNS, so wrk runs in a private mount namespace
(`unshare -m`) where a bench hosts file is bind-mounted over /etc/hosts. The machine's /etc/hosts is not
touched. The direct path additionally enters only the edge host's network namespace (`nsenter -n`): same
binary, same Lua, same connections; only the network position differs.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhirfort import REPO_ROOT
from fhirfort.suites import debian

MIX_LUA = REPO_ROOT / "bench" / "wrk" / "mix.lua"
MARKER = "FHIRFORT_WRK "


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed no summary."""


@dataclass(frozen=True)
class Target:
    """One path: the URL wrk opens, the address its host name resolves to, an optional network namespace."""

    path: str
    url: str
    hostname: str
    address: str
    netns_pid: int | None = None


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    statuses: dict[str, int]
    socket_errors: int
    raw: dict[str, Any]


def wrk_binary() -> str:
    """wrk, installed from Debian's package when missing (root, apt)."""
    try:
        return debian.ensure_tool(("wrk",), "wrk")
    except debian.PackageError as exc:
        raise WrkError(str(exc)) from None


def parse_output(stdout: str) -> WrkResult:
    """The result from wrk's stdout (the mix's `done()` prints one line starting with FHIRFORT_WRK)."""
    lines = [ln for ln in stdout.splitlines() if ln.startswith(MARKER)]
    if not lines:
        raise WrkError(f"wrk printed no {MARKER.strip()} summary; output tail: {stdout[-400:]!r}")
    data = json.loads(lines[-1][len(MARKER) :])
    lat = data["latency_us"]
    errors = data["errors"]
    return WrkResult(
        requests=int(data["requests"]),
        duration_s=int(data["duration_us"]) / 1e6,
        p50_ms=lat["p50"] / 1000,
        p90_ms=lat["p90"] / 1000,
        p99_ms=lat["p99"] / 1000,
        statuses={str(k): int(v) for k, v in data.get("statuses", {}).items()},
        socket_errors=int(errors["connect"]) + int(errors["read"]) + int(errors["write"]) + int(errors["timeout"]),
        raw=data,
    )


def hosts_file(workdir: Path, target: Target) -> Path:
    path = workdir / f"hosts.{target.path}"
    path.write_text(f"127.0.0.1 localhost\n{target.address} {target.hostname}\n")
    return path


def command(
    target: Target,
    requests_file: Path,
    workdir: Path,
    *,
    duration_s: int,
    connections: int,
    threads: int,
    token_file: Path | None = None,
    timeout_s: int = 10,
) -> list[str]:
    """The full command line: [nsenter -n] unshare -m sh -c 'mount --bind HOSTS /etc/hosts && exec wrk ...'."""
    hosts = hosts_file(workdir, target)
    wrk = [
        wrk_binary(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(MIX_LUA),
        target.url,
        "--",
        str(requests_file),
        str(token_file) if token_file else "",
    ]
    inner = 'mount --bind "$1" /etc/hosts && shift && exec "$@"'
    cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", inner, "sh", str(hosts), *wrk]
    if target.netns_pid is not None:
        cmd = ["nsenter", "-t", str(target.netns_pid), "-n", *cmd]
    return cmd


def run(
    target: Target,
    requests_file: Path,
    workdir: Path,
    *,
    duration_s: int,
    connections: int,
    threads: int,
    token_file: Path | None = None,
) -> WrkResult:
    cmd = command(
        target,
        requests_file,
        workdir,
        duration_s=duration_s,
        connections=connections,
        threads=threads,
        token_file=token_file,
    )
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=duration_s + 60, check=False)
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk on the {target.path} path did not finish within {duration_s + 60} s") from exc
    if res.returncode != 0:
        raise WrkError(f"wrk on the {target.path} path exited {res.returncode}: {(res.stderr or res.stdout)[-400:]}")
    return parse_output(res.stdout)
