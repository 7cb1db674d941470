"""What is scanned: every blob of the repository history, the working tree, build/, each lab host's areas."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from fhirfort import REPO_ROOT
from fhirfort.suites.secrets_scan import allowlist
from fhirfort.suites.secrets_scan.detector import MAX_FILE_BYTES, Hit, scan_path

# build/ parts that are not scanned for content: the intentional secret stores (mode-checked instead, see
# perms.py), the hosts' root filesystems (scanned per host below) and package caches
BUILD_EXCLUDES = (
    "local/secrets",
    "local/machines",
    "local/golden",
    "local/aptcache",
    "local/aptproxy/cache",
    "local/volumes",  # the log host's store: scanned as part of that host (host(..., mounts=...))
)
# Private keys and the short-lived access tokens the bench and chaos suites cache (0600, mode-checked).
BUILD_SECRET_FILES = ("*.key", "id_ed25519", "id_rsa", "id_ecdsa", "token")
# Reports of earlier scans: they hold finding hashes and detector names, not secrets.
BUILD_SCAN_REPORTS = ("secrets-scan*.json",)
HOST_AREAS = (
    "etc",
    "var/log",
    "opt",
    "srv",
    "home",
    "root",
    "var/lib/fhirfort",
    "var/lib/keycloak",
    "var/lib/postgresql/.pgpass",
    "usr/local/etc",
    "usr/local/sbin",
)
# intentional secret stores on the hosts: TLS and SSH private keys (mode-checked, not content-scanned)
HOST_SECRET_STORES = (
    "etc/fhirfort/pki/*.key",
    "etc/ssh/ssh_host_*_key",
    "etc/ssl/private/*",
    "etc/keycloak/keycloak.env",  # the Keycloak service's database credential (systemd EnvironmentFile)
)
SKIP_DIRS = {".git", ".venv", "__pycache__", ".ruff_cache", ".pytest_cache", "node_modules", "target"}
MAX_FILES = 40000


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, timeout=120, check=False)


def history(progress: Callable[[str], None]) -> list[Hit]:
    """Every blob reachable from any ref (all commits), each scanned once."""
    res = _git("rev-list", "--all", "--objects")
    if res.returncode != 0:
        progress(f"secrets-scan: git rev-list failed: {res.stderr.decode()[-200:]}")
        return []
    paths: dict[str, str] = {}
    for line in res.stdout.decode().splitlines():
        sha, _, path = line.partition(" ")
        if path:
            paths.setdefault(sha, path)
    hits: list[Hit] = []
    blobs = 0
    with tempfile.TemporaryDirectory(prefix="fhirfort-history-") as tmp:
        for sha, path in paths.items():
            kind = _git("cat-file", "-t", sha).stdout.decode().strip()
            if kind != "blob":
                continue
            data = _git("cat-file", "blob", sha).stdout
            if len(data) > MAX_FILE_BYTES:
                continue
            f = Path(tmp) / sha
            f.write_bytes(data)
            hits += scan_path(f, "history", f"{path}@{sha[:10]}")
            f.unlink()
            blobs += 1
    progress(f"secrets-scan: history: {blobs} blobs scanned, {len(hits)} hits")
    return hits


def worktree(progress: Callable[[str], None]) -> list[Hit]:
    """Tracked and untracked (not ignored) files of the working tree."""
    res = _git("ls-files", "-co", "--exclude-standard", "-z")
    files = [REPO_ROOT / p for p in res.stdout.decode().split("\0") if p]
    hits = [h for f in files for h in scan_path(f, "worktree", str(f.relative_to(REPO_ROOT)))]
    progress(f"secrets-scan: working tree: {len(files)} files scanned, {len(hits)} hits")
    return hits


def walk(root: Path, excludes: tuple[str, ...] = ()) -> Iterator[Path]:
    count = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel = os.path.relpath(dirpath, root)
        dirnames[:] = [
            d for d in dirnames if d not in SKIP_DIRS and os.path.normpath(os.path.join(rel, d)) not in excludes
        ]
        for name in filenames:
            count += 1
            if count > MAX_FILES:
                return
            yield Path(dirpath) / name


def _label(f: Path) -> str:
    try:
        return str(f.relative_to(REPO_ROOT))
    except ValueError:
        return str(f)


def build_dir(build: Path, progress: Callable[[str], None], own_report: Path | None = None) -> list[Hit]:
    """build/ without the secret stores and this scan's own report (hashes and detector names only)."""
    hits: list[Hit] = []
    n = 0
    for f in walk(build, BUILD_EXCLUDES):
        if any(f.match(p) for p in BUILD_SECRET_FILES + BUILD_SCAN_REPORTS) or (
            own_report is not None and f == own_report
        ):
            continue
        n += 1
        hits += scan_path(f, "build", _label(f))
    progress(f"secrets-scan: build/: {n} files scanned, {len(hits)} hits")
    return hits


def host(
    name: str, rootfs: Path, progress: Callable[[str], None], mounts: Sequence[tuple[Path, str]] = ()
) -> list[Hit]:
    """A lab host's areas, read through its root filesystem on the machine (the container's own files), and the
    filesystems bound into it (`mounts`: controller path, path in the host), e.g. the log host's store."""
    hits: list[Hit] = []
    for src, dst in mounts:
        for f in walk(src):
            hits += scan_path(f, f"host:{name}", dst.rstrip("/") + "/" + str(f.relative_to(src)))
    n = skipped = 0
    packaged = allowlist.dpkg_unmodified(rootfs)
    for area in HOST_AREAS:
        base = rootfs / area
        if not base.exists():
            continue
        files = [base] if base.is_file() else walk(base)
        for f in files:
            rel = str(f.relative_to(rootfs))
            if any(Path(rel).match(p) for p in HOST_SECRET_STORES):
                continue
            if "/" + rel in packaged and f.is_file() and allowlist.md5(f) == packaged["/" + rel]:
                skipped += 1  # shipped by a Debian package and unmodified: no site secret in it
                continue
            n += 1
            hits += scan_path(f, f"host:{name}", "/" + rel)
    progress(
        f"secrets-scan: host {name}: {n} files scanned ({skipped} unmodified packaged files skipped), {len(hits)} hits"
    )
    return hits
