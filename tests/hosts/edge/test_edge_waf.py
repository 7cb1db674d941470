"""edge_waf on the edge host: nginx + ModSecurity + CRS in blocking mode, TLS settings, file modes, listeners."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.host


def spec(name: str) -> dict:
    return yaml.safe_load((Path(__file__).resolve().parents[3] / "spec" / f"{name}.yaml").read_text())


TIERS = spec("tiers")
SERVICES = spec("services")["services"]
TLS = spec("tls")
EDGE_ADDRESS = TIERS["hosts"]["edge"]["address"]


def test_edge13_nginx_running(edge) -> None:
    svc = edge.service("nginx")
    assert svc.is_running
    assert svc.is_enabled
    workers = edge.check_output("ps -o user= -C nginx | sort -u").split()
    assert "www-data" in workers


def test_edge01_listens_only_on_the_tier_address(edge) -> None:
    for port in (SERVICES["https"]["port"], SERVICES["http_redirect"]["port"]):
        assert edge.socket(f"tcp://{EDGE_ADDRESS}:{port}").is_listening
        assert not edge.socket(f"tcp://0.0.0.0:{port}").is_listening
        assert not edge.socket(f"tcp://:::{port}").is_listening


def test_waf01_modsecurity_on_and_blocking(edge) -> None:
    dump = edge.check_output("nginx -T 2>/dev/null")
    assert "modsecurity on;" in dump
    assert "modsecurity_rules_file /etc/nginx/fhirfort/modsecurity/main.conf;" in dump
    rules = edge.file("/etc/nginx/fhirfort/modsecurity/main.conf").content_string
    assert "\nSecRuleEngine On\n" in rules
    assert "DetectionOnly" not in rules
    assert "Include /usr/share/modsecurity-crs/rules/*.conf" in rules
    assert "\nIncludeOptional" not in rules
    assert "SecResponseBodyAccess Off" in rules
    setup = edge.file("/etc/nginx/fhirfort/modsecurity/crs-setup.conf").content_string
    assert "application/fhir+json" in setup and "application/json-patch+json" in setup
    assert "tx.inbound_anomaly_score_threshold=5" in setup
    assert "tx.paranoia_level=1" in setup


def test_tls01_protocols_and_ciphers(edge) -> None:
    dump = edge.check_output("nginx -T 2>/dev/null")
    assert f"ssl_protocols {' '.join(TLS['protocols'])};" in dump
    assert f"ssl_ciphers {':'.join(TLS['tls12_ciphers'])};" in dump
    assert "ssl_session_tickets off;" in dump
    assert "server_tokens off;" in dump
    assert "proxy_ssl_verify on;" in dump


def test_tls01_key_modes(edge) -> None:
    key = edge.file("/etc/fhirfort/pki/public.key")
    assert key.user == "root"
    assert key.mode == 0o600


def test_log02_logs_present_and_not_world_readable(edge) -> None:
    for path in (
        "/var/log/nginx/fhirfort-access.json",
        "/var/log/nginx/modsec-audit.json",
        "/var/log/nginx/modsec-events.log",
    ):
        f = edge.file(path)
        assert f.exists, path
        assert not f.mode & 0o007, path


def test_log01_access_log_has_no_credentials(edge) -> None:
    fmt = edge.check_output("nginx -T 2>/dev/null | grep -A8 'log_format fhirfort_json'")
    for forbidden in ("http_authorization", "http_cookie", "http_referer", "$request_uri", "$args"):
        assert forbidden not in fmt
