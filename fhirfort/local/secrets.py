"""The local target's generated secrets: created once, kept in build/local/secrets/secrets.yml (0600,
dir 0700) and handed to Ansible as `-e @file` -- never as values on a command line, never printed."""

from __future__ import annotations

import os
import secrets as _random
from pathlib import Path

import yaml

SECRET_NAMES = (
    "postgresql_hapi_password",
    "postgresql_keycloak_password",
    "keycloak_admin_password",
    "keycloak_confidential_client_secret",
    "keycloak_sample_user_password",
    "keycloak_sample_user_totp_secret",
)


def ensure_secrets(path: Path, names: tuple[str, ...] = SECRET_NAMES) -> list[str]:
    """Add any missing secret (existing values are never changed); return the names created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    current: dict[str, str] = {}
    if path.exists():
        loaded = yaml.safe_load(path.read_text()) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: expected a mapping")
        current = {str(k): str(v) for k, v in loaded.items()}
    created = [n for n in names if not current.get(n)]
    for name in created:
        current[name] = _random.token_urlsafe(32)
    if created or not path.exists():
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("# Managed by fhirfort: generated secrets of the local target. Never commit, never print.\n")
            yaml.safe_dump(current, fh, default_flow_style=False, sort_keys=True)
        tmp.replace(path)
    path.chmod(0o600)
    return created
