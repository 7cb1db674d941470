"""File modes: the intentional secret stores must be private, and no key/password/token file world-readable."""

from __future__ import annotations

import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fhirfort.suites.secrets_scan.sources import HOST_AREAS, HOST_SECRET_STORES, walk

SECRETISH = re.compile(
    r"(?i)(\.key$|_key$|\.pem$|secret|password|token|credential|\.p12$|\.pfx$|\.jks$|keystore|"
    r"/id_(rsa|ecdsa|ed25519)$|/\.pgpass$|\.htpasswd$|/g?shadow-?$|\.env$)"
)
# names that only look secret: certificates, code, libraries, PAM modules' configuration
PUBLIC = re.compile(
    r"(?i)(\.pub$|\.crt$|\.cer$|ca-certificates|\.0$|/etc/ssl/certs/|\.py$|\.j2$|\.md$|\.html?$|\.jar$|"
    r"\.so(\.\d+)*$|/pam\.d/|/usr/share/|^/reports/[^/]+\.(json|md)$)"
)


@dataclass(frozen=True)
class ModeFinding:
    where: str
    path: str
    mode: str
    problem: str


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.lstat().st_mode)


def private_store(root: Path, where: str, dir_mode: int = 0o700, file_mode: int = 0o600) -> list[ModeFinding]:
    """A secret store directory: the directory at most dir_mode, every file at most file_mode."""
    out: list[ModeFinding] = []
    if not root.exists():
        return out
    if _mode(root) & ~dir_mode:
        out.append(ModeFinding(where, str(root), oct(_mode(root)), f"directory wider than {oct(dir_mode)}"))
    for f in walk(root):
        if f.is_symlink():
            continue
        if _mode(f) & ~file_mode:
            out.append(ModeFinding(where, str(f), oct(_mode(f)), f"file wider than {oct(file_mode)}"))
    return out


def key_files(paths: list[Path], where: str, max_mode: int = 0o600) -> list[ModeFinding]:
    return [
        ModeFinding(where, str(p), oct(_mode(p)), f"private key wider than {oct(max_mode)}")
        for p in paths
        if p.is_file() and not p.is_symlink() and _mode(p) & ~max_mode
    ]


def world_readable(
    root: Path, where: str, label_root: Path | None = None, areas: tuple[str, ...] = ("",)
) -> list[ModeFinding]:
    """Files whose name says key/password/token/secret and that anyone can read."""
    out = []
    for area in areas:
        base = root / area if area else root
        if not base.exists():
            continue
        for f in [base] if base.is_file() else walk(base):
            rel = "/" + str(f.relative_to(label_root or root))
            if f.is_symlink() or not SECRETISH.search(rel) or PUBLIC.search(rel):
                continue
            try:
                mode = _mode(f)
            except OSError:
                continue
            if mode & stat.S_IROTH:
                out.append(ModeFinding(where, rel, oct(mode), "world-readable secret-looking file"))
    return out


def machine(build: Path) -> list[ModeFinding]:
    local = build / "local"
    found = private_store(local / "secrets", "machine")
    found += key_files(sorted((local / "pki").rglob("*.key")), "machine")
    found += key_files([p for p in (local / "ssh").glob("id_*") if not p.name.endswith(".pub")], "machine")
    found += world_readable(build, "machine")
    return [f for f in found if "/local/machines/" not in f.path and "/local/golden/" not in f.path]


def host(name: str, rootfs: Path, mounts: Sequence[tuple[Path, str]] = ()) -> list[ModeFinding]:
    where = f"host:{name}"
    stores = [p for pattern in HOST_SECRET_STORES for p in rootfs.glob(pattern)]
    found = [
        ModeFinding(where, "/" + str(p.relative_to(rootfs)), oct(_mode(p)), "private key readable by others")
        for p in stores
        if p.is_file() and not p.is_symlink() and _mode(p) & 0o037
    ]
    found += world_readable(rootfs, where, rootfs, HOST_AREAS)
    for src, dst in mounts:
        found += [
            ModeFinding(f.where, dst.rstrip("/") + "/" + f.path.lstrip("/"), f.mode, f.problem)
            for f in world_readable(src, where, src)
        ]
    return found
