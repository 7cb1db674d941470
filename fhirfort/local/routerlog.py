"""The router's drop log: ulogd2 inside the router namespace reads the NFLOG group of the drop rules
and writes one line per dropped packet (with its prefix) to build/local/logs/router-drops.log.
(The kernel's own `log` statement is silent outside the initial namespace; the machine's
nf_log_all_netns stays as it is.)"""

from __future__ import annotations

import subprocess
import time

from fhirfort.local.firewall import LOG_GROUP
from fhirfort.local.lab import ROUTER_NS
from fhirfort.local.paths import LabPaths
from fhirfort.local.pidproc import alive_pid, terminate
from fhirfort.local.steps import StepError

ULOGD = "/usr/sbin/ulogd"


def render_config(paths: LabPaths) -> str:
    return f"""# Managed by fhirfort: NFLOG group {LOG_GROUP} of the lab router -> text log.
[global]
logfile="{paths.logs / "ulogd.log"}"
loglevel=3
plugin="/usr/lib/x86_64-linux-gnu/ulogd/ulogd_inppkt_NFLOG.so"
plugin="/usr/lib/x86_64-linux-gnu/ulogd/ulogd_raw2packet_BASE.so"
plugin="/usr/lib/x86_64-linux-gnu/ulogd/ulogd_filter_IFINDEX.so"
plugin="/usr/lib/x86_64-linux-gnu/ulogd/ulogd_filter_IP2STR.so"
plugin="/usr/lib/x86_64-linux-gnu/ulogd/ulogd_filter_PRINTPKT.so"
plugin="/usr/lib/x86_64-linux-gnu/ulogd/ulogd_output_LOGEMU.so"
stack=log1:NFLOG,base1:BASE,ifi1:IFINDEX,ip2str1:IP2STR,print1:PRINTPKT,emu1:LOGEMU

[log1]
group={LOG_GROUP}

[emu1]
file="{paths.logs / "router-drops.log"}"
sync=1
"""


def _pidfile(paths: LabPaths) -> str:
    return str(paths.run / "ulogd.pid")


def start(paths: LabPaths) -> str:
    conf = paths.run / "ulogd.conf"
    text = render_config(paths)
    changed = not conf.exists() or conf.read_text() != text
    conf.write_text(text)
    pidfile = paths.run / "ulogd.pid"
    pid = alive_pid(pidfile, ULOGD, str(conf))
    if pid and not changed:
        return "running"
    if pid:
        terminate(pid)
    log = paths.logs / "ulogd.console.log"
    with log.open("a") as fh:
        child = subprocess.Popen(
            ["ip", "netns", "exec", ROUTER_NS, ULOGD, "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    time.sleep(0.5)
    if child.poll() is not None:
        raise StepError("network", f"ulogd exited with {child.returncode}", log=paths.logs / "ulogd.log")
    pidfile.write_text(f"{child.pid}\n")
    return "started"


def stop(paths: LabPaths) -> bool:
    pid = alive_pid(paths.run / "ulogd.pid", ULOGD)
    if pid:
        terminate(pid)
    (paths.run / "ulogd.pid").unlink(missing_ok=True)
    return pid is not None
