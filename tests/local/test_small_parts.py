"""Secrets, endpoints, the /etc/hosts block, SSH keys, host files and the converge summary."""

from __future__ import annotations

import stat
from pathlib import Path

import yaml

from fhirfort.local.converge import parse_recap
from fhirfort.local.endpoints import BEGIN, render_endpoints, render_hosts_block, set_hosts_block
from fhirfort.local.lab import PUBLIC_NAME, build_lab
from fhirfort.local.paths import LabPaths
from fhirfort.local.rootfs import golden_stamp, mount_points_below, render_hosts, render_network
from fhirfort.local.secrets import SECRET_NAMES, ensure_secrets
from fhirfort.local.sshkeys import ensure_controller_key, ensure_host_key, render_known_hosts
from fhirfort.spec import spec


def test_secrets_created_once_with_modes(tmp_path: Path) -> None:
    f = tmp_path / "secrets" / "secrets.yml"
    assert ensure_secrets(f) == list(SECRET_NAMES)
    first = yaml.safe_load(f.read_text())
    assert ensure_secrets(f) == []
    assert yaml.safe_load(f.read_text()) == first
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stat.S_IMODE(f.parent.stat().st_mode) == 0o700
    assert len(set(first.values())) == len(SECRET_NAMES)
    assert ensure_secrets(f, (*SECRET_NAMES, "new_one")) == ["new_one"]
    assert yaml.safe_load(f.read_text())["postgresql_hapi_password"] == first["postgresql_hapi_password"]


def test_endpoints(tmp_path: Path) -> None:
    lab = build_lab(spec())
    ep = render_endpoints(lab, spec(), LabPaths(tmp_path))
    assert ep["fhir_base_url"] == f"https://{PUBLIC_NAME}/fhir"
    assert ep["smart_config_url"] == f"https://{PUBLIC_NAME}/fhir/.well-known/smart-configuration"
    assert Path(ep["ca_cert"]).is_absolute()
    assert ep["hosts"][PUBLIC_NAME] == str(lab.host("edge").address)


def test_hosts_block_added_replaced_removed(tmp_path: Path) -> None:
    f = tmp_path / "hosts"
    f.write_text("127.0.0.1 localhost\n")
    block = render_hosts_block(build_lab(spec()))
    assert set_hosts_block(block, f) is True
    assert set_hosts_block(block, f) is False
    assert f.read_text().count(BEGIN) == 1
    assert set_hosts_block(None, f) is True
    assert f.read_text() == "127.0.0.1 localhost\n"


def test_ssh_keys(tmp_path: Path) -> None:
    key = tmp_path / "ssh" / "id_ed25519"
    pub = ensure_controller_key(key)
    assert pub.startswith("ssh-ed25519 ")
    assert ensure_controller_key(key) == pub
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    a = ensure_host_key(tmp_path / "a", "a")
    b = ensure_host_key(tmp_path / "b", "b")
    assert a != b and ensure_host_key(tmp_path / "a", "a") == a
    assert render_known_hosts([(["a", "10.0.0.1"], a)]) == f"a,10.0.0.1 {a}\n"


def test_host_files() -> None:
    lab = build_lab(spec())
    db = lab.host("db")
    net = render_network(db)
    assert f"Address={db.address}/{db.tier.cidr.prefixlen}" in net
    assert f"Gateway={db.tier.gateway}" in net
    hosts = render_hosts(lab, PUBLIC_NAME)
    for h in lab.hosts:
        assert f"{h.address}\t{h.fqdn} {h.name}" in hosts
    assert PUBLIC_NAME in hosts
    assert len(golden_stamp()) == 64


def test_parse_recap() -> None:
    log = (
        "PLAY RECAP *****\n"
        "db                         : ok=12   changed=0    unreachable=0    failed=0    skipped=3\n"
        "edge                       : ok=20   changed=2    unreachable=0    failed=1    skipped=0\n"
    )
    assert parse_recap(log) == {
        "db": {"ok": 12, "changed": 0, "unreachable": 0, "failed": 0},
        "edge": {"ok": 20, "changed": 2, "unreachable": 0, "failed": 1},
    }
    assert parse_recap("no recap") == {}


def test_current_task_and_last_line() -> None:
    from fhirfort.local.converge import current_task
    from fhirfort.local.steps import last_line

    log = "PLAY [db] ****\nTASK [postgresql : PG-01 | Install] ****\nok: [db]\n"
    assert current_task(log) == "PLAY [db] / TASK [postgresql : PG-01 | Install]"
    assert current_task("") == "start"
    assert last_line("a\nb\n\n") == "b"


def test_nspawn_command(tmp_path: Path) -> None:
    from fhirfort.local.hostlab import nspawn_command, ssh_command

    lab = build_lab(spec())
    db = lab.host("db")
    cmd = nspawn_command(db, tmp_path / "db")
    assert {"--boot", "--register=no", "--keep-unit", f"--network-bridge={db.tier.bridge}"} <= set(cmd)
    assert "--machine=db" in cmd
    assert not any(a.startswith("--bind") for a in cmd)
    ssh = ssh_command(db, LabPaths(tmp_path), "true")
    assert "StrictHostKeyChecking=yes" in ssh and "BatchMode=yes" in ssh
    assert ssh[-2] == f"ops@{db.address}"


def test_log_store_is_bound_into_the_log_host_only(tmp_path: Path) -> None:
    from fhirfort.local import logstore
    from fhirfort.local.hostlab import nspawn_command

    s = spec()
    lab = build_lab(s)
    paths = LabPaths(tmp_path)
    assert s.log_host() == "logs"
    assert all(logstore.binds(h.name, paths, s) == [] for h in lab.hosts if h.name != "logs")
    binds = logstore.binds("logs", paths, s)
    assert binds == [(paths.logstore_mount, s.retention.local.log_store.remote_dir)]
    cmd = nspawn_command(lab.host("logs"), paths.machine("logs"), binds)
    assert f"--bind={paths.logstore_mount}:/var/log/remote" in cmd


def test_mount_points_below_an_interrupted_golden_build() -> None:
    # A debootstrap killed mid-way leaves /proc mounted in golden.tmp: shutil.rmtree then fails with EPERM on
    # /proc files, so the next `make up` unmounts what is below the directory first, deepest first.
    root = Path("/lab/build/local/golden.tmp")
    mountinfo = "\n".join(
        [
            "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "90 22 0:5 / /lab/build/local/golden.tmp/proc rw - proc proc rw",
            "91 90 0:6 / /lab/build/local/golden.tmp/proc/sys/fs/binfmt_misc rw - binfmt_misc binfmt rw",
            "92 22 0:7 / /lab/build/local/golden.tmp\\040old/proc rw - proc proc rw",
            "93 22 0:8 / /lab/build/local/golden.tmpx rw - tmpfs tmpfs rw",
        ]
    )
    assert mount_points_below(root, mountinfo) == [
        root / "proc" / "sys" / "fs" / "binfmt_misc",
        root / "proc",
    ]
    assert mount_points_below(Path("/lab/build/local/golden.tmp old"), mountinfo) == [
        Path("/lab/build/local/golden.tmp old/proc")
    ]
