"""A planted canary proves the scan bites: a fake AWS access key and a fake private key, written into the
scanned areas for the run (build/ and one lab host's /srv) and removed afterwards. The run fails if the
scanner does not report them. The values are generated at run time and are not real credentials."""

from __future__ import annotations

import base64
import secrets
import shutil
import string
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "fhirfort-secrets-canary"


def fake_aws_key() -> str:
    alphabet = string.ascii_uppercase + "234567"
    return "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16))


def fake_private_key() -> str:
    body = base64.b64encode(secrets.token_bytes(96)).decode()
    kind = "RSA " + "PRIVATE KEY"
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


@dataclass
class Canary:
    token: str = field(default_factory=lambda: secrets.token_hex(6))
    planted: list[Path] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f".{MARKER}-{self.token}"

    def content(self) -> str:
        return f"aws_access_key_id = {fake_aws_key()}\n{fake_private_key()}"

    def plant(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / self.name
        path.write_text(self.content())
        path.chmod(0o600)
        self.planted.append(path)
        return path

    def matches(self, label: str) -> bool:
        return self.name in label

    def remove(self) -> list[str]:
        """Remove every planted file; return what could not be removed."""
        left = []
        for p in self.planted:
            try:
                if p.is_dir():
                    shutil.rmtree(p)
                else:
                    p.unlink(missing_ok=True)
            except OSError:
                left.append(str(p))
        return left
