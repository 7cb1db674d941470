"""Where the local target keeps its files (everything under build/local/, never in the repository)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fhirfort import REPO_ROOT


@dataclass(frozen=True)
class LabPaths:
    """Every path the local target writes; `root` is build/local/ unless a test passes a tmp dir."""

    root: Path

    @classmethod
    def default(cls) -> LabPaths:
        return cls(REPO_ROOT / "build" / "local")

    @property
    def golden(self) -> Path:
        return self.root / "golden"

    @property
    def golden_stamp(self) -> Path:
        return self.root / "golden.stamp"

    @property
    def machines(self) -> Path:
        return self.root / "machines"

    def machine(self, host: str) -> Path:
        return self.machines / host

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        return self.root / "run"

    def pidfile(self, host: str) -> Path:
        return self.run / f"{host}.pid"

    @property
    def ssh(self) -> Path:
        return self.root / "ssh"

    @property
    def ssh_key(self) -> Path:
        return self.ssh / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        return self.ssh / "known_hosts"

    @property
    def pki(self) -> Path:
        return self.root / "pki"

    @property
    def secrets_dir(self) -> Path:
        return self.root / "secrets"

    @property
    def secrets_file(self) -> Path:
        return self.secrets_dir / "secrets.yml"

    @property
    def aptproxy(self) -> Path:
        return self.root / "aptproxy"

    @property
    def aptcache(self) -> Path:
        return self.root / "aptcache"

    @property
    def volumes(self) -> Path:
        return self.root / "volumes"

    @property
    def logstore_image(self) -> Path:
        return self.volumes / "logstore.img"

    @property
    def logstore_mount(self) -> Path:
        return self.volumes / "logstore"

    @property
    def inventory(self) -> Path:
        return self.root / "inventory.yml"

    @property
    def endpoints(self) -> Path:
        return self.root / "endpoints.json"

    @property
    def lab_ready(self) -> Path:
        return self.root / "LAB_READY"
