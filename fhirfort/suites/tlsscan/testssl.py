"""Run Debian's testssl (package testssl.sh; the command is `testssl`) against one listener, JSON out.

Option sets: `full` = protocols, cipher categories, forward secrecy, server defaults (chain), headers (edge),
renegotiation, compression and every cipher per protocol; `short` (CI) drops the per-protocol cipher
enumeration. The slow vulnerability batteries (-U) are never run: the assertions below don't need them.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from fhirfort.suites import debian, lab
from fhirfort.suites.tlsscan.targets import ScanTarget

COMMANDS = ("testssl", "testssl.sh")
TIMEOUTS = ["--connect-timeout", "5", "--openssl-timeout", "10"]


class TestsslError(RuntimeError):
    """testssl is missing or did not produce a JSON report."""


def find_command() -> str | None:
    return debian.find(COMMANDS)


def ensure_installed(install: bool = True) -> str:
    """The testssl command; installs Debian's testssl.sh package when missing (root, apt)."""
    try:
        return debian.ensure_tool(COMMANDS, "testssl.sh", install)
    except debian.PackageError as exc:
        raise TestsslError(str(exc)) from None


def options(target: ScanTarget, short: bool) -> list[str]:
    opts = ["-p", "-s", "-f", "-S", "-R", "-C"]
    if target.public:
        opts.append("-h")
    if not short:
        opts.append("-E")
    if target.starttls:
        opts += ["-t", target.starttls]
    return opts


def command(testssl: str, target: ScanTarget, ca_cert: Path, jsonfile: Path, short: bool) -> list[str]:
    cmd = [
        testssl,
        "--quiet",
        "--warnings",
        "batch",
        "--color",
        "0",
        *TIMEOUTS,
        "--add-ca",
        str(ca_cert),
        "--ip",
        target.address,
        "--jsonfile",
        str(jsonfile),
        *options(target, short),
        f"{target.sni}:{target.port}",
    ]
    if target.scan_from:
        cmd = ["nsenter", "-t", str(lab.leader(target.scan_from)), "-n", *cmd]
    return cmd


def scan(testssl: str, target: ScanTarget, ca_cert: Path, short: bool, timeout: float) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="fhirfort-tlsscan-") as tmp:
        jsonfile = Path(tmp) / "scan.json"
        cmd = command(testssl, target, ca_cert, jsonfile, short)
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd=tmp)
        except subprocess.TimeoutExpired as exc:
            raise TestsslError(f"{target.label}: testssl timed out after {timeout:.0f} s") from exc
        if not jsonfile.exists():
            raise TestsslError(f"{target.label}: no JSON from testssl (exit {res.returncode}): {res.stderr[-300:]}")
        return parse(jsonfile.read_text())


def parse(text: str) -> list[dict[str, Any]]:
    """testssl's flat JSON (`--jsonfile`): a list of {id, ip, port, severity, finding[, cve, cwe]}."""
    data = json.loads(text)
    if isinstance(data, dict):  # --jsonfile-pretty layout
        data = [f for block in data.get("scanResult", []) for v in block.values() if isinstance(v, list) for f in v]
    return [f for f in data if isinstance(f, dict) and "id" in f]
