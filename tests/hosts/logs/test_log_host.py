"""LOGH-01..04 on the log host: TLS-only mutual-auth receiver, per-host files, six-year rotation, store guard."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.host

ROOT = Path(__file__).resolve().parents[3]


def spec(name: str) -> dict:
    return yaml.safe_load((ROOT / "spec" / f"{name}.yaml").read_text())


TOPOLOGY = spec("tiers")
RETENTION = spec("retention")
SYSLOG_PORT = spec("services")["services"]["syslog_tls"]["port"]
LOG_HOST = next(f["to"] for f in spec("flows")["flows"] if f["service"] == "syslog_tls")
LOG_ADDRESS = TOPOLOGY["hosts"][LOG_HOST]["address"]
CLIENT = next(h for h in TOPOLOGY["hosts"] if h != LOG_HOST)
STORE = RETENTION["local"]["log_store"]
REMOTE = STORE["remote_dir"]
GUARD = "/usr/local/sbin/fhirfort-logstore-guard"
PKI = "/etc/fhirfort/pki"


@pytest.fixture(scope="module")
def logs(lab_host):
    return lab_host(LOG_HOST)


@pytest.fixture(scope="module")
def client(lab_host):
    return lab_host(CLIENT)


def test_logh01_rsyslog_openssl_installed(logs) -> None:
    assert logs.package("rsyslog-openssl").is_installed
    assert logs.service("rsyslog").is_running


def test_logh01_listens_on_syslog_tls_port(logs) -> None:
    assert logs.socket(f"tcp://0.0.0.0:{SYSLOG_PORT}").is_listening


def test_logh02_directories_and_files(logs) -> None:
    root = logs.file(REMOTE)
    assert root.mode == 0o750 and root.user == "root" and root.group == "adm"
    for name in TOPOLOGY["hosts"]:
        d = logs.file(f"{REMOTE}/{name}")
        assert d.is_directory and d.mode == 0o750, name
    files = logs.check_output(f"find {REMOTE} -type f -name '*.log' -printf '%m %u %g %p\\n'").splitlines()
    assert files, "no remote log file yet"
    wrong = [f for f in files if not f.startswith("640 root adm ")]
    assert not wrong, wrong


def test_logh03_logrotate_keeps_the_spec_retention(logs) -> None:
    conf = logs.file("/etc/logrotate.d/fhirfort-remote").content_string
    keep = RETENTION["local"]["logrotate_keep_days"]
    assert keep >= RETENTION["audit_retention_floor_days"]
    assert f"rotate {keep}" in conf
    assert RETENTION["local"]["logrotate_period"] in conf
    for word in ("compress", "dateext"):
        assert word in conf
    assert logs.run("logrotate -d /etc/logrotate.d/fhirfort-remote").rc == 0


def test_logh01_tls_with_client_certificate_verifies_log_host(client) -> None:
    """A client with its certificate completes the handshake and the log host's certificate verifies."""
    out = client.run(
        f"echo | timeout 10 openssl s_client -connect {LOG_ADDRESS}:{SYSLOG_PORT} -CAfile {PKI}/ca.crt "
        f"-cert {PKI}/host.crt -key {PKI}/host.key -verify_return_error -brief 2>&1"
    )
    assert "Verification: OK" in out.stdout, out.stdout


def test_logh01_tls_below_1_2_refused(client) -> None:
    out = client.run(
        "echo | timeout 10 openssl s_client -cipher DEFAULT@SECLEVEL=0 -tls1_1 "
        f"-connect {LOG_ADDRESS}:{SYSLOG_PORT} -CAfile {PKI}/ca.crt "
        f"-cert {PKI}/host.crt -key {PKI}/host.key -brief 2>&1"
    )
    assert out.rc != 0 and "Verification: OK" not in out.stdout


def _grep_remote(logs, marker: str) -> str:
    """Files under the remote tree holding `marker`, searched with a pattern that does not contain the marker
    literally (sudo logs every command line, and those lines are forwarded too)."""
    pattern = f"{marker[:8]}[{marker[8]}]{marker[9:]}"
    return logs.run(f"grep -rl '{pattern}' {REMOTE}").stdout


def _hidden(marker: str) -> str:
    """A shell expression that yields `marker` without it appearing on the command line."""
    return f'"$(echo {marker[::-1]} | rev)"'


def test_logh01_plain_tcp_syslog_is_not_accepted(client, logs) -> None:
    """A plain (non-TLS) syslog line sent to the TLS port never reaches a log file."""
    marker = f"fhirfort-plain-{uuid.uuid4().hex}"
    script = (
        "import socket,sys; s=socket.create_connection((sys.argv[1], int(sys.argv[2])), 5); "
        "m=('<14>1 - - plaintest - - - ' + sys.argv[3]).encode(); "
        "s.sendall(b'%d ' % len(m) + m + b'\\n'); s.settimeout(5)\n"
        "try:\n    print('reply', len(s.recv(4096)))\nexcept Exception as e:\n    print('closed', e)"
    )
    client.run(f"python3 -c {script!r} {LOG_ADDRESS} {SYSLOG_PORT} {_hidden(marker)}")
    # a TLS-only listener treats the bytes as a broken ClientHello and closes: nothing is logged
    logs.run("sleep 3")
    assert not _grep_remote(logs, marker)


def test_logh01_client_without_certificate_is_not_accepted(client, logs) -> None:
    """TLS without a client certificate: the log host refuses the session, nothing is logged."""
    marker = f"fhirfort-nocert-{uuid.uuid4().hex}"
    prefix = f"<14>1 - {CLIENT} nocert - - - "
    client.run(
        f"(printf '%d %s%s' {len(prefix) + len(marker)} '{prefix}' {_hidden(marker)}; sleep 2) | timeout 10 "
        f"openssl s_client -quiet -connect {LOG_ADDRESS}:{SYSLOG_PORT} -CAfile {PKI}/ca.crt 2>&1"
    )
    logs.run("sleep 3")
    assert not _grep_remote(logs, marker)


def test_logh04_store_is_a_filesystem_of_its_own(logs) -> None:
    assert logs.run(f"mountpoint -q {REMOTE}").rc == 0, f"{REMOTE} shares the root filesystem"
    root_dev = logs.check_output("stat -c %d /")
    assert logs.check_output(f"stat -c %d {REMOTE}") != root_dev


def test_logh04_guard_runs_and_reports_ok(logs) -> None:
    assert logs.service("fhirfort-logstore-guard").is_running
    assert logs.service("fhirfort-logstore-guard").is_enabled
    status = logs.check_output(f"{GUARD} --status")
    assert "state=ok" in status and "own_filesystem=yes" in status, status
    assert f"min_free_percent={STORE['min_free_percent']}" in status
    assert logs.run(f"{GUARD} --check").rc == 0


def test_logh04_rsyslog_will_not_start_below_the_minimum(logs) -> None:
    unit = logs.check_output("systemctl cat rsyslog.service")
    assert f"ExecStartPre={GUARD} --check" in unit
