"""The secrets scan bites: the canary is detected, removed afterwards, and modes are checked."""

from __future__ import annotations

from pathlib import Path

from fhirfort.suites.secrets_scan import perms, sources
from fhirfort.suites.secrets_scan.canary import Canary
from fhirfort.suites.secrets_scan.detector import scan_path, scan_text


def test_canary_is_detected_and_removed(tmp_path: Path) -> None:
    canary = Canary()
    path = canary.plant(tmp_path / "area")
    hits = sources.build_dir(tmp_path, lambda _m: None)
    mine = [h for h in hits if canary.matches(h.path)]
    assert {"AWS Access Key", "Private Key"} <= {h.type for h in mine}
    assert all(canary.matches(h.path) for h in hits)
    assert canary.remove() == [] and not path.exists()


def test_hits_never_carry_the_secret(tmp_path: Path) -> None:
    canary = Canary()
    text = canary.content()
    hits = scan_text(text, "test", "blob")
    assert hits and all(h.hashed_secret not in text for h in hits)
    assert "AKIA" not in repr(hits)


def test_binary_and_clean_files_are_quiet(tmp_path: Path) -> None:
    (tmp_path / "bin").write_bytes(b"\0AKIA" + b"A" * 16)
    (tmp_path / "clean.txt").write_text("patient O'Brien, no secrets here\n")
    assert scan_path(tmp_path / "bin", "t") == [] and scan_path(tmp_path / "clean.txt", "t") == []


def test_mode_checks(tmp_path: Path) -> None:
    store = tmp_path / "local" / "secrets"
    store.mkdir(parents=True)
    (store / "secrets.yml").write_text("x: 1\n")
    store.chmod(0o755)
    (store / "secrets.yml").chmod(0o644)
    found = perms.private_store(store, "machine")
    assert {f.problem.split()[0] for f in found} == {"directory", "file"}
    token = tmp_path / "api-token.txt"
    token.write_text("t")
    token.chmod(0o644)
    cert = tmp_path / "server.crt"
    cert.write_text("c")
    cert.chmod(0o644)
    wr = perms.world_readable(tmp_path, "machine")
    assert [f.path for f in wr if "token" in f.path] and not [f for f in wr if f.path.endswith(".crt")]
    store.chmod(0o700)
    (store / "secrets.yml").chmod(0o600)
    assert perms.private_store(store, "machine") == []


def test_a_host_is_scanned_with_the_filesystems_bound_into_it(tmp_path: Path) -> None:
    rootfs, store = tmp_path / "rootfs", tmp_path / "store"
    (rootfs / "etc").mkdir(parents=True)
    canary = Canary()
    canary.plant(store / "edge")
    hits = sources.host("logs", rootfs, lambda _m: None, [(store, "/var/log/remote")])
    mine = [h for h in hits if canary.matches(h.path)]
    assert mine and all(h.source == "host:logs" and h.path.startswith("/var/log/remote/edge/") for h in mine)
    assert sources.host("logs", rootfs, lambda _m: None) == []  # without the mount, the store is not seen
    canary.remove()
