"""The log host's store fills up: FHIR must keep serving, the guard must pause intake and raise an alarm,
and log records written meanwhile must arrive once space returns.

The store is the log host's own filesystem (roles/log_host, spec `local.log_store`; in the lab an ext4 image
bound over /var/log/remote), so filling it touches nothing else. The fault is one preallocated file
(`fallocate`, no data written) that leaves a little less free space than the guard's minimum; removing it
is the recovery. Nothing of the store's real content is touched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from fhirfort.local.paths import LabPaths
from fhirfort.spec import spec
from fhirfort.suites.chaos.probes import LogDelivery
from fhirfort.suites.lab import LabError, exec_in

FILL_NAME = ".fhirfort-chaos-fill"
GUARD = "/usr/local/sbin/fhirfort-logstore-guard"
DF = "df -B1 --output=size,avail {remote} | tail -1"
ALARMS = "journalctl -u fhirfort-logstore-guard --since '-{since}s' --no-pager -o cat -p warning"
RSYSLOG_LOST = "journalctl -u rsyslog --since '-{since}s' --no-pager -o cat | grep -ciE 'space|message lost' || true"


def _sh(script: str, paths: LabPaths, timeout: float = 60, check: bool = True) -> str:
    res = exec_in("logs", ["sh", "-c", script], timeout=timeout, paths=paths)
    if check and res.returncode != 0:
        raise LabError(f"logs host: {res.stderr.strip()[-300:] or res.stdout.strip()[-300:]}")
    return res.stdout.strip()


def fill_bytes(size: int, avail: int, min_free_percent: int) -> int:
    """Bytes to preallocate so that free space ends two points below the guard's minimum (at least 1 %)."""
    target_free = size * max(min_free_percent - 2, 1) // 100
    return max(avail - target_free, 0)


def guard_state(paths: LabPaths) -> dict[str, str]:
    """The guard's `key=value` state line (`state`, `free_percent`, `own_filesystem`, ...)."""
    line = _sh(f"{GUARD} --status", paths, check=False)
    return dict(re.findall(r"(\w+)=(\S+)", line))


def _wait_state(paths: LabPaths, want: str, cap_s: float) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < cap_s:
        if guard_state(paths).get("state") == want:
            return round(time.monotonic() - t0, 1)
        time.sleep(0.5)
    return None


def run(
    paths: LabPaths, fhir_ok: Callable[[], bool], say: Callable[[str], None], hold_s: float = 20, cap_s: float = 150
) -> dict[str, Any]:
    store = spec().retention.local.log_store
    fill = f"{store.remote_dir}/{FILL_NAME}"
    out: dict[str, Any] = {"filesystem": f"the log host's own store at {store.remote_dir}", "fill_file": fill}
    clients = [LogDelivery(paths, c) for c in ("edge", "fhir")]
    t_start = time.monotonic()
    try:
        size, avail = (int(x) for x in _sh(DF.format(remote=store.remote_dir), paths).split())
        out["own_filesystem"] = guard_state(paths).get("own_filesystem") == "yes"
        nbytes = fill_bytes(size, avail, store.min_free_percent)
        _sh(f"fallocate -l {nbytes} {fill}", paths)
        out["free_percent_after_fill"] = round(100 * (avail - nbytes) / size, 1)
        say(f"    store filled to {out['free_percent_after_fill']} % free (guard minimum {store.min_free_percent} %)")
        out["intake_paused_after_s"] = _wait_state(paths, "paused", 30)
        t_full = time.monotonic()
        served = failed = 0
        while time.monotonic() - t_full < hold_s:
            for c in clients:
                c.send()
            if fhir_ok():
                served += 1
            else:
                failed += 1
            time.sleep(1)
        sent = sum(len(c.sent) for c in clients)
        out["fhir_probes_while_full"] = {"ok": served, "failed": failed}
        out["markers_sent_while_full"] = sent
        out["markers_stored_while_full"] = sum(len(c.delivered()) for c in clients)
        since = int(time.monotonic() - t_start) + 5
        out["alarms"] = _sh(ALARMS.format(since=since), paths, check=False).splitlines()[-5:]
        _sh(f"rm -f {fill}", paths)
        t_free = time.monotonic()
        out["intake_resumed_after_s"] = _wait_state(paths, "ok", 30)
        say("    store has space again; waiting for the records written meanwhile")
        arrived = 0
        while time.monotonic() - t_free < cap_s:
            arrived = sum(len(c.delivered()) for c in clients)
            if arrived >= sent:
                break
            time.sleep(2)
        since = int(time.monotonic() - t_start) + 5
        out["rsyslog_write_errors"] = int(_sh(RSYSLOG_LOST.format(since=since), paths, check=False) or 0)
        out["markers_delivered_after_free"] = arrived
        out["markers_lost"] = sent - arrived
        out["delivery_after_free_s"] = round(time.monotonic() - t_free, 1) if arrived >= sent else None
        out["fhir_kept_serving"] = failed == 0
        out["all_records_delivered"] = sent > 0 and arrived >= sent
        out["failure_visible"] = any("ALARM" in a for a in out["alarms"])
    finally:
        out["cleanup"] = _cleanup(paths, fill)
    return out


def _cleanup(paths: LabPaths, fill: str) -> str:
    try:
        _sh(f"rm -f {fill}", paths)
    except LabError as exc:
        return f"FAILED: {exc} (remove {fill} on the logs host)"
    return f"{fill} removed"
