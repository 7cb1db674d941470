"""The lab's apt proxy: apt-cacher-ng on the machine, bound to the controller-link address only.

Its backends are rendered at run time from the machine's apt sources (apt-cacher-ng does not read deb822
files itself; empty backends answer 503). `ForceManaged` makes it refuse every repository it was not
given, and `PassThroughPattern` refuses CONNECT tunnels, so the hosts get Debian packages and nothing else.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from fhirfort.local.aptsources import Mirrors, as_http
from fhirfort.local.paths import LabPaths
from fhirfort.local.pidproc import alive_pid, terminate
from fhirfort.local.steps import StepError

ACNG = "/usr/sbin/apt-cacher-ng"
ACNG_USER = "apt-cacher-ng"
STEP = "apt proxy"


def render_config(mirrors: Mirrors, bind: str, port: int, paths: LabPaths) -> str:
    lines = [
        "# Managed by fhirfort: generated at run time from the machine's apt sources.",
        f"CacheDir: {paths.aptcache}",
        f"LogDir: {paths.aptproxy / 'log'}",
        "SupportDir: /usr/lib/apt-cacher-ng",
        f"BindAddress: {bind}",
        f"Port: {port}",
        f"SocketPath: {paths.aptproxy / 'run' / 'socket'}",
        "ForceManaged: 1",
        "PassThroughPattern: ^$",
        "ExThreshold: 4",
        "ForeGround: 1",
    ]
    for name, uri in (("ffdebian", mirrors.main), ("ffsecurity", mirrors.security)):
        prefix = as_http(uri).removeprefix("http://")
        backend = uri.rstrip("/") + "/"
        lines.append(f"Remap-{name}: {prefix} ; {backend}")
    return "\n".join(lines) + "\n"


def _pidfile(paths: LabPaths) -> Path:
    return paths.run / "apt-cacher-ng.pid"


def start(mirrors: Mirrors, bind: str, port: int, paths: LabPaths) -> str:
    """Start (or keep) apt-cacher-ng; return 'started', 'restarted' or 'running'."""
    conf_dir = paths.aptproxy / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    conf = conf_dir / "acng.conf"
    text = render_config(mirrors, bind, port, paths)
    changed = not conf.exists() or conf.read_text() != text
    conf.write_text(text)
    pid = alive_pid(_pidfile(paths), ACNG, str(conf_dir))
    if pid and not changed and _listening(bind, port):
        return "running"
    if pid:
        terminate(pid)
    for d in (paths.aptcache, paths.aptproxy / "log", paths.aptproxy / "run"):
        d.mkdir(parents=True, exist_ok=True)
        shutil.chown(d, ACNG_USER, ACNG_USER)
        d.chmod(0o750)
    log = paths.logs / "apt-cacher-ng.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as fh:
        proc = subprocess.Popen(
            [
                "setpriv",
                f"--reuid={ACNG_USER}",
                f"--regid={ACNG_USER}",
                "--init-groups",
                "--no-new-privs",
                ACNG,
                "-c",
                str(conf_dir),
            ],
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    paths.run.mkdir(parents=True, exist_ok=True)
    _pidfile(paths).write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StepError(STEP, f"apt-cacher-ng exited with {proc.returncode}", log=log)
        if _listening(bind, port):
            return "restarted" if pid else "started"
        time.sleep(0.2)
    raise StepError(STEP, f"apt-cacher-ng is not listening on {bind}:{port}", log=log)


def stop(paths: LabPaths) -> bool:
    pid = alive_pid(_pidfile(paths), ACNG)
    if pid:
        terminate(pid)
    _pidfile(paths).unlink(missing_ok=True)
    return pid is not None


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def backend_hosts(mirrors: Mirrors) -> list[str]:
    return sorted({urlsplit(u).hostname or "" for u in mirrors.all()})
