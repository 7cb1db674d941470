"""fhir_server on the fhir host: service user, sandbox, listener, secret modes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.host


def spec(name: str) -> dict:
    return yaml.safe_load((Path(__file__).resolve().parents[3] / "spec" / f"{name}.yaml").read_text())


TIERS = spec("tiers")
PORT = spec("services")["services"]["fhir_https"]["port"]
UNIT = "fhirfort-fhir-server"


def test_app05_service_running_as_fhir(fhir_host) -> None:
    svc = fhir_host.service(UNIT)
    assert svc.is_running
    assert svc.is_enabled
    users = fhir_host.check_output(f"ps -o user= -p $(systemctl show -p MainPID --value {UNIT})").split()
    assert users == ["fhir"]


def test_app01_user_has_no_shell(fhir_host) -> None:
    user = fhir_host.user("fhir")
    assert user.shell in ("/usr/sbin/nologin", "/bin/false")
    assert user.password in ("!", "*", "!*")


def test_app02_listens_only_on_tier_address(fhir_host, fhir_instance) -> None:
    # Java binds an IPv6 socket: the tier address shows as [::ffff:a.b.c.d]; any other address fails
    address = fhir_instance[1]
    lines = fhir_host.check_output(f"ss -Hltn 'sport = :{PORT}'").splitlines()
    local = {line.split()[3].rsplit(":", 1)[0] for line in lines}
    assert local, f"nothing listens on {PORT}"
    assert local <= {address, f"[::ffff:{address}]"}, local


def test_app03_secret_and_config_modes(fhir_host) -> None:
    secret = fhir_host.file("/etc/fhirfort/fhir-server/secrets/fhirfort.db.password")
    assert secret.user == "root" and secret.group == "fhir"
    assert secret.mode == 0o440
    config = fhir_host.file("/etc/fhirfort/fhir-server/application.yaml")
    assert config.mode == 0o640 and config.group == "fhir"
    assert "password" not in config.content_string.lower()
    cmdline = fhir_host.check_output(f"cat /proc/$(systemctl show -p MainPID --value {UNIT})/cmdline | tr '\\0' ' '")
    assert "password" not in cmdline.lower()


def test_app05_sandbox(fhir_host) -> None:
    props = dict(
        line.split("=", 1)
        for line in fhir_host.check_output(
            f"systemctl show {UNIT} -p User -p NoNewPrivileges -p ProtectSystem -p ProtectHome -p PrivateTmp "
            "-p PrivateDevices -p CapabilityBoundingSet -p AmbientCapabilities -p RestrictAddressFamilies "
            "-p MemoryMax -p Restart -p LockPersonality"
        ).splitlines()
    )
    assert props["User"] == "fhir"
    assert props["NoNewPrivileges"] == "yes"
    assert props["ProtectSystem"] == "strict"
    assert props["ProtectHome"] == "yes"
    assert props["PrivateTmp"] == "yes"
    assert props["PrivateDevices"] == "yes"
    assert props["CapabilityBoundingSet"] == ""
    assert props["AmbientCapabilities"] == ""
    assert set(props["RestrictAddressFamilies"].split()) == {"AF_UNIX", "AF_INET", "AF_INET6"}
    assert props["MemoryMax"] != "infinity"
    assert props["Restart"] == "always"
    assert props["LockPersonality"] == "yes"


def main_pid(fhir_host) -> str:
    return fhir_host.check_output(f"systemctl show -p MainPID --value {UNIT}").strip()


def test_app08_server_runs_its_release_with_the_cds_archive_mapped(fhir_host) -> None:
    pid = main_pid(fhir_host)
    args = fhir_host.check_output(f"cat /proc/{pid}/cmdline | tr '\\0' '\\n'").splitlines()
    archives = [a.split("=", 1)[1] for a in args if a.startswith("-XX:SharedArchiveFile=")]
    assert len(archives) == 1, args
    release = Path(archives[0]).parent
    assert f"{release}/fhir-server.jar" in args
    # The JVM really mapped it (a mismatched archive is silently ignored, the start is then slower)
    assert archives[0] in fhir_host.check_output(f"cat /proc/{pid}/maps")
    # One release on the host: earlier ones are removed after the restart
    assert fhir_host.check_output("ls /opt/fhirfort/fhir-server/releases").split() == [release.name]


def test_app08_archive_and_release_are_not_writable_by_the_service(fhir_host) -> None:
    pid = main_pid(fhir_host)
    args = fhir_host.check_output(f"cat /proc/{pid}/cmdline | tr '\\0' '\\n'").splitlines()
    archive = next(a.split("=", 1)[1] for a in args if a.startswith("-XX:SharedArchiveFile="))
    jsa = fhir_host.file(archive)
    assert (jsa.user, jsa.group, jsa.mode) == ("root", "root", 0o644)
    release = str(Path(archive).parent)
    for path in (archive, release, f"{release}/lib", f"{release}/fhir-server.jar"):
        # a planted archive or jar would be loaded by every later start
        assert fhir_host.run(f"runuser -u fhir -- test -w {path}").rc != 0, f"{path} is writable by the service"
    assert fhir_host.run(f"find {release} -perm /022 -o ! -user root").stdout.strip() == ""
