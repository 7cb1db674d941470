"""Machine tools the suites run (testssl, wrk), installed from Debian's packages when missing (root, apt)."""

from __future__ import annotations

import shutil
import subprocess


class PackageError(RuntimeError):
    """A tool is missing and its Debian package could not be installed."""


def find(commands: tuple[str, ...]) -> str | None:
    for name in commands:
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_tool(commands: tuple[str, ...], package: str, install: bool = True) -> str:
    """The first of `commands` on PATH; when none is, `apt-get install` the Debian `package` first."""
    cmd = find(commands)
    if cmd:
        return cmd
    if not install:
        raise PackageError(f"{commands[0]} is not installed (apt-get install {package})")
    res = subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", package],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )
    cmd = find(commands)
    if not cmd:
        raise PackageError(f"installing {package} failed: {res.stderr.strip()[-400:]}")
    return cmd
