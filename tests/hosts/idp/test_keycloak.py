"""The identity host (role identity): Keycloak as a sandboxed, unprivileged service, listening only on the
app-tier address (HTTPS + management), TLS 1.2/1.3 only, secrets private, the installation read-only to it.
Expected values come from the spec (services.yaml, tiers.yaml, identity.yaml), not from the role's defaults."""

from __future__ import annotations

import json

import pytest

from fhirfort.spec import spec

pytestmark = pytest.mark.host
INSTANCES = [(name, str(address)) for name, address in spec().topology.instances("idp")]

CONF = "/etc/keycloak/keycloak.conf"
ENV = "/etc/keycloak/keycloak.env"
CA = "/etc/fhirfort/pki/ca.crt"


@pytest.fixture(scope="module", params=INSTANCES, ids=[name for name, _ in INSTANCES])
def idp_instance(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(host name, address) of the Keycloak instance under test: the primary, then its local replicas."""
    return request.param


@pytest.fixture(scope="module")
def idp(lab_host, idp_instance):
    return lab_host(idp_instance[0])


@pytest.fixture(scope="module")
def expected(spec_data, idp_instance) -> dict:
    services = spec_data("services")["services"]
    return {
        "address": idp_instance[1],
        "cluster": [services["idp_cluster"]["port"], services["idp_cluster_fd"]["port"]],
        "edge": spec_data("tiers")["hosts"]["edge"]["address"],
        "db": spec_data("tiers")["hosts"]["db"]["address"],
        "https": services["idp_https"]["port"],
        "management": services["idp_management"]["port"],
        "realm": spec_data("identity")["realm"],
    }


def test_idp04_service_active_enabled(idp) -> None:
    svc = idp.service("keycloak")
    assert svc.is_running
    assert svc.is_enabled


def test_idp04_runs_unprivileged(idp) -> None:
    procs = idp.process.filter(comm="java")
    assert procs, "no java process"
    assert {p.user for p in procs} == {"keycloak"}
    user = idp.user("keycloak")
    assert user.shell in ("/usr/sbin/nologin", "/bin/false")
    assert user.uid < 1000, "a system account"


def test_idp04_unit_sandbox(idp) -> None:
    props = idp.run(
        "systemctl show keycloak -p User -p NoNewPrivileges -p ProtectSystem -p PrivateTmp -p CapabilityBoundingSet "
        "-p AmbientCapabilities -p Restart -p MemoryMax -p ProtectHome -p PrivateDevices -p RestrictSUIDSGID"
    ).stdout
    values = dict(line.split("=", 1) for line in props.splitlines() if "=" in line)
    assert values["User"] == "keycloak"
    assert values["NoNewPrivileges"] == "yes"
    assert values["ProtectSystem"] == "strict"
    assert values["PrivateTmp"] == "yes"
    assert values["ProtectHome"] == "yes"
    assert values["PrivateDevices"] == "yes"
    assert values["RestrictSUIDSGID"] == "yes"
    assert values["CapabilityBoundingSet"] == ""
    assert values["AmbientCapabilities"] == ""
    assert values["Restart"] == "always"
    assert values["MemoryMax"] != "infinity"


def test_idp03_listens_only_on_app_address(idp, expected) -> None:
    out = idp.run("ss -Hltnp").stdout
    # Java binds IPv4 addresses as IPv4-mapped IPv6 ([::ffff:a.b.c.d]:port)
    java = [line.split()[3].replace("[::ffff:", "").replace("]", "") for line in out.splitlines() if '"java"' in line]
    # the transaction manager's recovery listener binds loopback only: not reachable from the network
    java = [a for a in java if not a.startswith("127.0.0.1:")]
    # HTTPS and management, and the cluster transport and its failure detection (IDP-08), all on the app address
    ports = (expected["https"], expected["management"], *expected["cluster"])
    assert sorted(java) == sorted(f"{expected['address']}:{p}" for p in ports)
    assert not [line for line in out.splitlines() if ":8080 " in line], "plain HTTP listener present"
    assert not [a for a in java if a.startswith("*:") or a.startswith("0.0.0.0:")], "a wildcard listener"


def test_idp03_tls_versions(idp, expected) -> None:
    target = f"{expected['address']}:{expected['https']}"
    for flag in ("-tls1_2", "-tls1_3"):
        ok = idp.run(f"echo | timeout 10 openssl s_client -connect {target} {flag} -CAfile {CA} -verify_return_error")
        assert ok.rc == 0, f"{flag} refused: {ok.stderr[-300:]}"
    for flag in ("-tls1", "-tls1_1"):
        old = idp.run(f"echo | timeout 10 openssl s_client -connect {target} {flag} -CAfile {CA}")
        assert old.rc != 0, f"{flag} accepted"


def test_idp03_config(idp, expected) -> None:
    conf = idp.file(CONF)
    assert conf.user == "root" and conf.group == "keycloak" and conf.mode == 0o640
    text = conf.content_string
    assert "http-enabled=false" in text
    assert f"http-host={expected['address']}" in text
    assert f"https-port={expected['https']}" in text
    assert "https-protocols=TLSv1.3,TLSv1.2" in text
    assert f"proxy-trusted-addresses={expected['edge']}" in text
    assert "proxy-headers=xforwarded" in text
    assert "hostname=https://" in text and "hostname-strict=true" in text
    assert f"jdbc:postgresql://{expected['db']}:" in text and "sslmode=verify-full" in text
    assert "db-password" not in text, "the database password belongs in the 0600 environment file"


def test_idp03_secrets_private(idp) -> None:
    env = idp.file(ENV)
    assert env.user == "root" and env.group == "root" and env.mode == 0o600
    assert idp.file("/etc/keycloak").mode == 0o750


def test_idp02_installation_read_only_to_service(idp) -> None:
    home = idp.file("/opt/keycloak/current")
    assert home.is_symlink
    for path in ("/opt/keycloak/current/lib", "/opt/keycloak/current/bin", "/opt/keycloak/current/providers"):
        assert idp.run(f"sudo -u keycloak test -w {path}").rc != 0, f"{path} writable by keycloak"
    assert idp.file("/var/lib/keycloak").user == "keycloak"
    assert idp.file("/var/lib/keycloak").mode == 0o750


def test_idp03_build_stamp_present(idp) -> None:
    stamp = idp.file("/opt/keycloak/current/.fhirfort-build")
    assert stamp.exists and len(stamp.content_string.strip()) == 64


def test_idp03_management_health_and_metrics(idp, expected) -> None:
    base = f"https://{expected['address']}:{expected['management']}"
    ready = idp.run(f"curl -sS --cacert {CA} {base}/health/ready")
    assert ready.rc == 0 and json.loads(ready.stdout)["status"] == "UP"
    metrics = idp.run(f"curl -sS -o /dev/null -w '%{{http_code}}' --cacert {CA} {base}/metrics")
    assert metrics.stdout == "200"
    # health and metrics are not on the public listener
    public = f"https://{expected['address']}:{expected['https']}"
    for path in ("/health/ready", "/metrics"):
        code = idp.run(f"curl -sS -o /dev/null -w '%{{http_code}}' --cacert {CA} {public}{path}").stdout
        assert code == "404", f"{path} on the public listener answered {code}"


def test_idp06_realm_served_with_public_issuer(idp, expected) -> None:
    url = (
        f"https://{expected['address']}:{expected['https']}/realms/{expected['realm']}/.well-known/openid-configuration"
    )
    doc = json.loads(idp.run(f"curl -sS --cacert {CA} {url}").stdout)
    assert doc["issuer"].startswith("https://") and doc["issuer"].endswith(f"/realms/{expected['realm']}")
    assert "S256" in doc["code_challenge_methods_supported"]
    assert "private_key_jwt" in doc["token_endpoint_auth_methods_supported"]


def test_idp07_events_logged_to_journal(idp, idp_instance) -> None:
    if idp_instance[0] != INSTANCES[0][0]:
        pytest.skip("a standby instance serves no logins while the primary is up, so it has no events to log")
    out = idp.run("journalctl -u keycloak --no-pager -n 2000 -o cat | grep -c 'org.keycloak.events'").stdout.strip()
    assert int(out or 0) > 0, "no Keycloak event in the journal (jboss-logging listener)"


def test_idp04_memory_within_budget(idp) -> None:
    rss_kb = sum(int(x) for x in idp.run("ps -o rss= -u keycloak").stdout.split())
    assert rss_kb < 900 * 1024, f"Keycloak RSS {rss_kb // 1024} MiB"
