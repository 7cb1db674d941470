"""Reviewed false positives (suites/secrets-allowlist.yaml) and Debian-packaged files left unmodified."""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fhirfort import REPO_ROOT

ALLOWLIST_FILE = REPO_ROOT / "suites" / "secrets-allowlist.yaml"
FIELDS = ("source", "path", "type", "value", "line")


class AllowlistError(ValueError):
    """An allowlist entry without a reason or with an unknown field."""


@dataclass(frozen=True)
class Rule:
    spec: dict[str, str]

    def matches(self, source: str, path: str, typ: str, value: str, line: str) -> bool:
        s = self.spec
        return (
            ("source" not in s or fnmatch.fnmatch(source, s["source"]))
            and ("path" not in s or fnmatch.fnmatch(path, s["path"]))
            and ("type" not in s or s["type"] == typ)
            and ("value" not in s or re.search(s["value"], value) is not None)
            and ("line" not in s or re.search(s["line"], line) is not None)
        )


def load(path: Path = ALLOWLIST_FILE) -> list[Rule]:
    if not path.exists():
        return []
    data: list[dict[str, Any]] = yaml.safe_load(path.read_text()) or []
    rules = []
    for entry in data:
        if not entry.get("reason") or not set(entry) - {"reason"} or set(entry) - {*FIELDS, "reason"}:
            raise AllowlistError(f"{path}: every entry needs a reason and at least one of {FIELDS}: {entry}")
        rules.append(Rule({k: str(v) for k, v in entry.items() if k != "reason"}))
    return rules


def dpkg_unmodified(rootfs: Path) -> dict[str, str]:
    """{'/etc/x': md5} of every file a Debian package installed (md5sums and conffiles) on that root."""
    sums: dict[str, str] = {}
    info = rootfs / "var/lib/dpkg/info"
    for f in info.glob("*.md5sums") if info.is_dir() else []:
        for line in f.read_text(errors="replace").splitlines():
            md5, _, rel = line.partition("  ")
            if rel:
                sums["/" + rel] = md5
    status = rootfs / "var/lib/dpkg/status"
    if status.exists():
        for m in re.finditer(r"^ (/\S+) ([0-9a-f]{32})$", status.read_text(errors="replace"), re.M):
            sums[m.group(1)] = m.group(2)
    return sums


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
