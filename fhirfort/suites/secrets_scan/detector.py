"""detect-secrets (PyPI, Yelp) with its default plugins and heuristic filters, over files and strings.

Hits carry the detector type, the line number and detect-secrets' SHA-1 of the secret: never the secret.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from detect_secrets.core.scan import scan_file
from detect_secrets.settings import default_settings

from fhirfort.suites.secrets_scan import allowlist

MAX_FILE_BYTES = 2 * 1024 * 1024
_depth = 0
_rules: list[allowlist.Rule] = []
ALLOWED: list[dict[str, str]] = []  # what the allowlist suppressed in this process (reported)


@contextmanager
def session() -> Iterator[None]:
    """detect-secrets' default plugins and filters, set up once for many files (re-entrant)."""
    global _depth
    if _depth:
        yield
        return
    global _rules
    _rules = allowlist.load()
    ALLOWED.clear()
    with default_settings():
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1


@dataclass(frozen=True)
class Hit:
    source: str  # history | worktree | build | pulumi | host:<name>
    path: str
    line: int
    type: str
    hashed_secret: str


def is_text(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return b"\0" not in fh.read(8192)
    except OSError:
        return False


def scan_path(path: Path, source: str, label: str | None = None) -> list[Hit]:
    """Scan one file (skipped when binary or larger than MAX_FILE_BYTES)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_FILE_BYTES or not is_text(path):
            return []
    except OSError:
        return []
    with session():
        found = list(scan_file(str(path)))
    if not found:
        return []
    lines = path.read_text(errors="replace").splitlines()
    label = label or str(path)
    hits = []
    for s in found:
        line = lines[s.line_number - 1] if 0 < s.line_number <= len(lines) else ""
        value = s.secret_value or ""
        rule = next((r for r in _rules if r.matches(source, label, str(s.type), value, line)), None)
        if rule:
            ALLOWED.append({"source": source, "path": label, "type": str(s.type), "rule": str(rule.spec)})
            continue
        hits.append(Hit(source, label, int(s.line_number), str(s.type), str(s.secret_hash)))
    return hits


def scan_text(text: str, source: str, label: str) -> list[Hit]:
    with tempfile.TemporaryDirectory(prefix="fhirfort-secrets-") as tmp:
        p = Path(tmp) / "blob"
        p.write_text(text)
        return scan_path(p, source, label)
