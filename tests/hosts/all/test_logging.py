"""LOGH-01 / LOGC-01 on every host: rsyslog runs everywhere, the TLS syslog port listens only on the log host."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fhirfort.spec import spec as kit_spec

pytestmark = pytest.mark.host

ROOT = Path(__file__).resolve().parents[3]
# every lab host: each role's primary and its local replicas (spec/tiers.yaml)
HOSTS = [name for role in kit_spec().topology.hosts for name, _ in kit_spec().topology.instances(role)]
FLOWS = yaml.safe_load((ROOT / "spec" / "flows.yaml").read_text())["flows"]
SYSLOG_PORT = yaml.safe_load((ROOT / "spec" / "services.yaml").read_text())["services"]["syslog_tls"]["port"]
LOG_HOST = next(f["to"] for f in FLOWS if f["service"] == "syslog_tls")


@pytest.mark.parametrize("name", HOSTS)
def test_rsyslog_running(lab_host, name) -> None:
    host = lab_host(name)
    assert host.service("rsyslog").is_enabled
    assert host.service("rsyslog").is_running


@pytest.mark.parametrize("name", HOSTS)
def test_syslog_tls_port_only_on_log_host(lab_host, name) -> None:
    host = lab_host(name)
    local_addresses = [line.split()[3] for line in host.check_output("ss -Hltn").splitlines()]
    listening = any(a.rsplit(":", 1)[1] == str(SYSLOG_PORT) for a in local_addresses)
    assert listening == (name == LOG_HOST)


@pytest.mark.parametrize("name", [h for h in HOSTS if h != LOG_HOST])
def test_logc01_forwarding_queue_configured(lab_host, name) -> None:
    host = lab_host(name)
    conf = host.file("/etc/rsyslog.conf").content_string
    assert 'StreamDriverMode="1"' in conf and 'StreamDriverAuthMode="x509/name"' in conf
    assert 'action.resumeRetryCount="-1"' in conf and 'queue.type="LinkedList"' in conf and "queue.filename=" in conf
