"""The faults: kill -9 a service's main process, or restart a whole lab host (SIGTERM to its nspawn, boot again
with the lab's own function, data kept). Each fault is followed by polling its probe until serving."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fhirfort.local import hostlab
from fhirfort.local.lab import build_lab
from fhirfort.local.paths import LabPaths
from fhirfort.spec import spec
from fhirfort.suites.lab import LabError, exec_in


@dataclass(frozen=True)
class Fault:
    name: str
    kind: str  # "kill" or "host"
    host: str
    unit: str  # the service whose recovery is measured (on `host`)
    probe: str  # "fhir", "idp" or "logs"

    def describe(self) -> str:
        if self.kind == "kill":
            return f"kill -9 every process of {self.unit} on {self.host} (a crash of the service)"
        return f"restart host {self.host} (SIGTERM to its systemd-nspawn, boot again)"


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault("kill-nginx", "kill", "edge", "nginx", "fhir"),
        Fault("kill-hapi", "kill", "fhir", "fhirfort-fhir-server", "fhir"),
        Fault("kill-postgres", "kill", "db", "postgresql@17-main", "fhir"),
        Fault("kill-keycloak", "kill", "idp", "keycloak", "idp"),
        Fault("kill-rsyslog", "kill", "logs", "rsyslog", "logs"),
        Fault("restart-edge", "host", "edge", "nginx", "fhir"),
        Fault("restart-fhir", "host", "fhir", "fhirfort-fhir-server", "fhir"),
        Fault("restart-db", "host", "db", "postgresql@17-main", "fhir"),
        Fault("restart-idp", "host", "idp", "keycloak", "idp"),
        Fault("restart-logs", "host", "logs", "rsyslog", "logs"),
    )
}
FULL = tuple(FAULTS)
SHORT = ("kill-nginx", "kill-hapi", "kill-keycloak", "kill-rsyslog", "restart-edge")


def standbys(fault: Fault) -> list[str]:
    """The local replicas of the faulted host's role (spec/tiers.yaml): the instances that serve meanwhile."""
    lab = build_lab(spec())
    role = lab.host(fault.host).plays
    return [h.name for h in lab.instances(role) if h.name != fault.host]


def unit_props(host: str, unit: str, paths: LabPaths) -> dict[str, str]:
    """MainPID, ActiveState, Restart, LoadState of a unit inside a host ({} when the host does not answer)."""
    try:
        res = exec_in(
            host,
            ["systemctl", "show", "-p", "MainPID", "-p", "ActiveState", "-p", "Restart", "-p", "LoadState", unit],
            timeout=10,
            paths=paths,
        )
    except LabError:
        return {}
    return dict(line.split("=", 1) for line in res.stdout.splitlines() if "=" in line)


def kill9(fault: Fault, paths: LabPaths) -> dict[str, Any]:
    props = unit_props(fault.host, fault.unit, paths)
    pid = props.get("MainPID", "0")
    if props.get("LoadState") != "loaded" or props.get("ActiveState") != "active" or pid in ("", "0"):
        return {"skipped": f"{fault.unit} is not running on {fault.host} ({props or 'host not answering'})"}
    # SIGKILL to every process of the unit (systemd's restart policy applies: this is not a stop). Killing the
    # main process alone is no crash for a service started by a wrapper script (Keycloak's kc.sh): the JVM would
    # then get a SIGTERM and shut down gracefully.
    res = exec_in(fault.host, ["systemctl", "kill", "--signal=KILL", fault.unit], timeout=10, paths=paths)
    if res.returncode != 0:
        raise LabError(f"systemctl kill --signal=KILL {fault.unit} on {fault.host}: {res.stderr.strip()}")
    return {"killed_pid": int(pid), "restart_policy": props.get("Restart", "?")}


def restart_host(fault: Fault, paths: LabPaths) -> dict[str, Any]:
    host = build_lab(spec()).host(fault.host)
    t0 = time.monotonic()
    hostlab.stop(fault.host, paths)
    stopped = time.monotonic() - t0
    hostlab.start(host, paths)
    return {"stop_s": round(stopped, 2), "boot_s": round(time.monotonic() - t0 - stopped, 2)}


def inject(fault: Fault, paths: LabPaths) -> dict[str, Any]:
    return kill9(fault, paths) if fault.kind == "kill" else restart_host(fault, paths)


def gave_up(fault: Fault, paths: LabPaths, since: float) -> Callable[[], str | None]:
    """A check for 'this unit will not come back by itself' (failed/inactive with Restart=no, after 5 s)."""

    def check() -> str | None:
        if time.monotonic() - since < 5:
            return None
        props = unit_props(fault.host, fault.unit, paths)
        if props.get("Restart") == "no" and props.get("ActiveState") in ("failed", "inactive"):
            return f"{fault.unit} is {props['ActiveState']} and has Restart=no: systemd does not restart it"
        return None

    return check


def repair(fault: Fault, paths: LabPaths) -> str:
    """Start the unit by hand (so the lab stays usable after a failed recovery)."""
    try:
        res = exec_in(fault.host, ["systemctl", "start", fault.unit], timeout=120, paths=paths)
    except LabError as exc:
        return f"repair failed: {exc}"
    return "started by hand (systemctl start)" if res.returncode == 0 else f"repair failed: {res.stderr.strip()}"


def replaced(fault: Fault, paths: LabPaths, killed_pid: int) -> bool:
    """The unit runs again under a new main process (a probe alone could still reach the dying one)."""
    props = unit_props(fault.host, fault.unit, paths)
    pid = props.get("MainPID", "0")
    return props.get("ActiveState") == "active" and pid not in ("", "0", str(killed_pid))
