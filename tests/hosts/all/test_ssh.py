"""SSH-01 on every host: the effective sshd configuration (`sshd -T`) is key-only, no root, no forwarding."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from fhirfort.spec import spec as kit_spec

pytestmark = pytest.mark.host


def spec(name: str) -> dict:
    return yaml.safe_load((Path(__file__).resolve().parents[3] / "spec" / f"{name}.yaml").read_text())


# every lab host: each role's primary and its local replicas (spec/tiers.yaml)
HOSTS = [name for role in kit_spec().topology.hosts for name, _ in kit_spec().topology.instances(role)]
SSH_PORT = spec("services")["services"]["ssh"]["port"]
# The baseline the kit promises (test data, not the role's defaults).
REQUIRED = {
    "passwordauthentication": "no",
    "kbdinteractiveauthentication": "no",
    "permitemptypasswords": "no",
    "pubkeyauthentication": "yes",
    "permitrootlogin": "no",
    "hostbasedauthentication": "no",
    "ignorerhosts": "yes",
    "x11forwarding": "no",
    "allowtcpforwarding": "no",
    "allowagentforwarding": "no",
    "allowstreamlocalforwarding": "no",
    "permittunnel": "no",
    "permituserenvironment": "no",
    "disableforwarding": "yes",
    "authenticationmethods": "publickey",
}
WEAK = re.compile(r"cbc|3des|arcfour|hmac-sha1|hmac-md5|umac-64|diffie-hellman-group1-|group14-sha1|exchange-sha1")


def sshd_settings(host) -> dict[str, str]:
    out = host.check_output("/usr/sbin/sshd -T -C user=ops,host=controller,addr=198.18.0.1")
    settings: dict[str, str] = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        settings.setdefault(key.lower(), value.strip())
    return settings


@pytest.fixture(scope="module", params=HOSTS)
def sshd(request, lab_host):
    return sshd_settings(lab_host(request.param))


def test_ssh01_key_only_no_root_no_forwarding(sshd) -> None:
    wrong = {k: sshd.get(k) for k, v in REQUIRED.items() if sshd.get(k) != v}
    assert not wrong, f"sshd -T differs from the baseline: {wrong}"


def test_ssh01_port_from_spec(sshd) -> None:
    assert sshd["port"] == str(SSH_PORT)


def test_ssh01_login_limits(sshd) -> None:
    assert int(sshd["maxauthtries"]) <= 4
    assert 0 < int(sshd["logingracetime"]) <= 60
    assert sshd["allowgroups"].split(), "AllowGroups must be set"


def test_ssh01_no_weak_algorithms(sshd) -> None:
    for key in ("ciphers", "macs", "kexalgorithms"):
        weak = [alg for alg in sshd[key].split(",") if WEAK.search(alg)]
        assert not weak, f"{key} offers weak algorithms: {weak}"
    assert all(m.endswith("-etm@openssh.com") for m in sshd["macs"].split(",")), sshd["macs"]


@pytest.mark.parametrize("name", HOSTS)
def test_ssh01_sshd_running(lab_host, name) -> None:
    host = lab_host(name)
    assert host.service("ssh").is_enabled
    assert host.service("ssh").is_running
    assert host.file("/etc/ssh/sshd_config").mode == 0o600
