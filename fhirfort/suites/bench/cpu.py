"""CPU time of the services inside the lab hosts, read from the machine's /proc.

The hosts run under systemd-nspawn without per-service cgroup accounting visible here (cgroup v1 with
cpuacct at the root), so CPU is summed per process: every process whose PID namespace is the host's and
whose command name is the service's (nginx, java, postgres). utime + stime of the live processes plus
cutime + cstime (their reaped children) covers short-lived workers too. Units: seconds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Service:
    """A service to account: `host` is the lab host, `comms` the process command names (as in /proc/PID/comm)."""

    label: str
    host: str
    comms: tuple[str, ...]


DEFAULT_SERVICES = (
    Service("edge_nginx", "edge", ("nginx",)),
    Service("fhir_java", "fhir", ("java",)),
    Service("db_postgres", "db", ("postgres",)),
)


def parse_stat_times(stat: str) -> tuple[str, int]:
    """(comm, utime+stime+cutime+cstime in clock ticks) from the text of /proc/PID/stat."""
    left, _, right = stat.rpartition(")")
    comm = left.split("(", 1)[1] if "(" in left else ""
    fields = right.split()
    # fields[0] is state (field 3); utime, stime, cutime, cstime are fields 14..17.
    return comm, sum(int(x) for x in fields[11:15])


def _pid_ns(pid: str | int, proc: Path = PROC) -> str | None:
    try:
        return os.readlink(proc / str(pid) / "ns" / "pid")
    except OSError:
        return None


def ticks_by_namespace(comms: set[str], proc: Path = PROC) -> dict[tuple[str, str], int]:
    """{(pid namespace, comm): ticks} over every process whose comm is in `comms`."""
    out: dict[tuple[str, str], int] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm, ticks = parse_stat_times((entry / "stat").read_text())
        except (OSError, IndexError, ValueError):
            continue
        if comm not in comms:
            continue
        ns = _pid_ns(entry.name, proc)
        if ns is not None:
            out[(ns, comm)] = out.get((ns, comm), 0) + ticks
    return out


def snapshot(leaders: Mapping[str, int], services: tuple[Service, ...] = DEFAULT_SERVICES) -> dict[str, float]:
    """CPU seconds so far of each service whose host has a leader PID (host -> leader of its container)."""
    namespaces = {host: _pid_ns(pid) for host, pid in leaders.items()}
    ticks = ticks_by_namespace({c for s in services for c in s.comms})
    out: dict[str, float] = {}
    for svc in services:
        ns = namespaces.get(svc.host)
        if ns is None:
            continue
        out[svc.label] = sum(ticks.get((ns, c), 0) for c in svc.comms) / CLK_TCK
    return out


def delta(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """after - before per service (a service restarted in between gives a negative value: clamp to 0)."""
    return {k: max(0.0, after[k] - before.get(k, 0.0)) for k in after}
