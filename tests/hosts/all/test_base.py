"""base_hardening on every host: sysctls, umask, journald, core dumps, packages, banner, kernel controls."""

from __future__ import annotations

import re

import pytest

from fhirfort.spec import spec as kit_spec

pytestmark = pytest.mark.host

# every lab host: each role's primary and its local replicas (spec/tiers.yaml)
HOSTS = [name for role in kit_spec().topology.hosts for name, _ in kit_spec().topology.instances(role)]
# The baseline the kit promises (test data, not the role's defaults).
NET_SYSCTLS = {
    "net.ipv4.ip_forward": "0",
    "net.ipv4.conf.all.rp_filter": "1",
    "net.ipv4.conf.all.accept_redirects": "0",
    "net.ipv4.conf.all.send_redirects": "0",
    "net.ipv4.conf.all.accept_source_route": "0",
    "net.ipv4.conf.all.log_martians": "1",
    "net.ipv4.tcp_syncookies": "1",
    "net.ipv6.conf.all.accept_ra": "0",
    "net.ipv6.conf.all.accept_redirects": "0",
}
FORBIDDEN_PACKAGES = ("telnet", "rsh-client", "rsh-server", "xinetd", "nis", "tftpd-hpa")


@pytest.fixture(scope="module", params=HOSTS)
def host(request, lab_host):
    return lab_host(request.param)


def test_sys01_network_sysctls(host) -> None:
    wrong = {k: host.sysctl(k) for k, v in NET_SYSCTLS.items() if str(host.sysctl(k)) != v}
    assert not wrong, wrong
    assert host.file("/etc/sysctl.d/60-fhirfort-net.conf").exists


def test_acc01_umask_027(host) -> None:
    assert re.search(r"^UMASK\s+027$", host.file("/etc/login.defs").content_string, re.MULTILINE)
    assert host.run("bash -lc umask").stdout.strip() == "0027"


def test_acc02_sensitive_files(host) -> None:
    shadow = host.file("/etc/shadow")
    assert shadow.mode == 0o640 and shadow.user == "root" and shadow.group == "shadow"
    assert host.file("/etc/passwd").mode == 0o644


def test_jrn01_journal_persistent_and_forwarded(host) -> None:
    conf = host.check_output("systemd-analyze cat-config systemd/journald.conf")
    assert "Storage=persistent" in conf and "ForwardToSyslog=yes" in conf
    assert host.file("/var/log/journal").is_directory


def test_core01_no_core_dumps(host) -> None:
    assert host.check_output("systemctl show --property DefaultLimitCORE") == "DefaultLimitCORE=0"
    limits = host.file("/etc/security/limits.d/60-fhirfort-coredump.conf").content_string
    assert re.search(r"^\*\s+hard\s+core\s+0$", limits, re.MULTILINE)


def test_pkg01_no_clear_text_services(host) -> None:
    installed = [p for p in FORBIDDEN_PACKAGES if host.package(p).is_installed]
    assert not installed


def test_pkg02_unattended_security_upgrades(host) -> None:
    assert host.package("unattended-upgrades").is_installed
    conf = host.check_output("apt-config dump Unattended-Upgrade::Origins-Pattern")
    assert "Debian-Security" in conf
    assert 'APT::Periodic::Unattended-Upgrade "1"' in host.check_output("apt-config dump APT::Periodic")


def test_ban01_login_banner(host) -> None:
    assert "Authorised access only" in host.file("/etc/issue.net").content_string


def test_sys02_kernel_controls(host, in_container) -> None:
    if in_container(host):
        # the role must not have tried: no kernel sysctl file, no auditd
        assert not host.file("/etc/sysctl.d/61-fhirfort-kernel.conf").exists
        assert not host.package("auditd").is_installed
        pytest.skip(
            "SYS-02/AUD-01/AAM-01 are skipped by design in a container: the kernel is the machine's "
            "(kernel.* sysctls read-only, audit refused outside the main namespace, no AppArmor)"
        )
    assert host.sysctl("kernel.kptr_restrict") == 2
    assert host.sysctl("fs.suid_dumpable") == 0
    assert host.service("auditd").is_running
    assert host.service("apparmor").is_enabled
