"""The log host's disk fills up: /var/log/remote is covered by a full 64 MB tmpfs (inside the logs host only);
FHIR must keep serving and log records written meanwhile must arrive once space returns.

The machine's disk is never filled: the tmpfs is bounded and lives in the logs host's mount namespace. It is
mounted at /run/fhirfort-chaos/tmpfs, filled to ENOSPC *before* rsyslog sees it (so no log file has a partly
used page that would still take lines), then bind-mounted over /var/log/remote and rsyslog is sent HUP
(`systemctl kill -s HUP`) to reopen its files there. Afterwards the bind is removed (lazily), rsyslog reopens
the real files, and what it stored on the tmpfs is appended to the real files from the machine's side (the
host's root directory under build/local/machines/logs), so no record is lost by the test itself.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import Any

from fhirfort.local.paths import LabPaths
from fhirfort.suites.chaos.probes import LogDelivery
from fhirfort.suites.lab import LabError, exec_in

REMOTE = "/var/log/remote"
STAGE = "/run/fhirfort-chaos"
TMPFS = STAGE + "/fs"  # the tmpfs mount point (in the logs host's /run)
FILL = ".fhirfort-fill"
SIZE = "64m"

SETUP = f"""set -e
mkdir -p {TMPFS}
mountpoint -q {TMPFS} || mount -t tmpfs -o size={SIZE},mode=0750 fhirfort-chaos {TMPFS}
mount --make-private {TMPFS}
chgrp adm {TMPFS}
dd if=/dev/zero of={TMPFS}/{FILL} bs=1M 2>/dev/null || true
mount --bind {TMPFS} {REMOTE}
mount --make-private {REMOTE}
systemctl kill -s HUP rsyslog
df -P {REMOTE} | tail -1
"""
FREE = f"rm -f {REMOTE}/{FILL}; df -P {REMOTE} | tail -1"
UNBIND = f"""if [ "$(stat -f -c %T {REMOTE})" = tmpfs ]; then umount -l {REMOTE}; fi
systemctl kill -s HUP rsyslog
"""
LIST = f"cd {TMPFS} && find . -type f ! -name {FILL}"
DROP = f"""rm -f {TMPFS}/{FILL}
mountpoint -q {TMPFS} && umount -l {TMPFS}
rmdir {TMPFS} {STAGE} 2>/dev/null || true
"""
ERRORS = "journalctl -u rsyslog --since '-{since}s' --no-pager -o cat | grep -iE 'space|suspend|lost' | sort | uniq -c"
SPOOL = "ls -la /var/spool/rsyslog/ | tail -n +4"


def _sh(script: str, paths: LabPaths, timeout: float = 60, check: bool = True) -> str:
    res = exec_in("logs", ["sh", "-c", script], timeout=timeout, paths=paths)
    if check and res.returncode != 0:
        raise LabError(f"logs host: {res.stderr.strip()[-300:] or res.stdout.strip()[-300:]}")
    return res.stdout.strip()


def _copy_back(paths: LabPaths) -> int:
    """Append what rsyslog stored on the tmpfs to the real files (machine side); return the bytes copied."""
    real_root = paths.machine("logs") / REMOTE.lstrip("/")
    copied = 0
    for rel in _sh(LIST, paths).split():
        data = exec_in("logs", ["cat", f"{TMPFS}/{rel}"], timeout=60, paths=paths, text=False).stdout
        target = (real_root / rel).resolve()
        if real_root.resolve() not in target.parents:
            continue
        if not target.parent.exists():
            target.parent.mkdir(parents=True, mode=0o750)
            shutil.chown(target.parent, "root", _adm_gid(paths))
        new = not target.exists()
        with target.open("ab") as fh:
            fh.write(data)
        if new:
            os.chmod(target, 0o640)
            shutil.chown(target, "root", _adm_gid(paths))
        copied += len(data)
    return copied


def _adm_gid(paths: LabPaths) -> int:
    """The logs host's `adm` group id (from its own /etc/group)."""
    for line in (paths.machine("logs") / "etc" / "group").read_text().splitlines():
        name, _, gid, *_ = line.split(":")
        if name == "adm":
            return int(gid)
    return 4


def run(
    paths: LabPaths, fhir_ok: Callable[[], bool], say: Callable[[str], None], hold_s: float = 20, cap_s: float = 120
) -> dict[str, Any]:
    out: dict[str, Any] = {"filesystem": f"tmpfs {SIZE} over {REMOTE} on the logs host (filled before use)"}
    clients = [LogDelivery(paths, c) for c in ("edge", "fhir")]
    t_start = time.monotonic()
    try:
        out["df_full"] = _sh(SETUP, paths)
        say(f"    logs disk full: {out['df_full']}")
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
        out["rsyslog_errors_while_full"] = _sh(ERRORS.format(since=since), paths, check=False).splitlines()
        out["logs_host_spool_while_full"] = _sh(SPOOL, paths, check=False).splitlines()
        out["df_freed"] = _sh(FREE, paths)
        t_free = time.monotonic()
        say("    logs disk space back; waiting for the records written meanwhile")
        arrived = 0
        while time.monotonic() - t_free < cap_s:
            arrived = sum(len(c.delivered()) for c in clients)
            if arrived >= sent:
                break
            time.sleep(2)
        out["markers_delivered_after_free"] = arrived
        out["markers_lost"] = sent - arrived
        out["delivery_after_free_s"] = round(time.monotonic() - t_free, 1) if arrived >= sent else None
        out["fhir_kept_serving"] = failed == 0
        out["all_records_delivered"] = arrived >= sent
        out["failure_visible"] = bool(out["rsyslog_errors_while_full"])
    finally:
        out["cleanup"] = _cleanup(paths)
    return out


def _cleanup(paths: LabPaths) -> str:
    try:
        _sh(UNBIND, paths)
        time.sleep(1)  # rsyslog has reopened its files on the real filesystem
        copied = _copy_back(paths)
        _sh(DROP, paths)
    except (LabError, OSError) as exc:
        return f"FAILED: {exc} (check the logs host: umount {REMOTE} and {TMPFS})"
    return f"bind and tmpfs removed; {copied} bytes stored on the tmpfs appended to the real files; rsyslog HUP"
