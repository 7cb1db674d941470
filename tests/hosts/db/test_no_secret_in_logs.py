"""No database password in the db host's logs (syslog, postgres' own log, the journal).

The postgresql role sends the server SCRAM-SHA-256 verifiers computed on the controller, never a
plaintext password, and the one statement carrying a verifier runs unlogged: no `PASSWORD '...'`
may appear in any log after a converge (leaked lines of older converges were redacted to
`PASSWORD '[redacted]'`). The application passwords themselves are looked for too, on the
controller: the logs are read here, the secrets never go into a command on the host (commands are
logged by sudo and by Ansible).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.host

ROOT = Path(__file__).resolve().parents[3]
SECRETS = ROOT / "build" / "local" / "secrets" / "secrets.yml"
# any `PASSWORD '<literal>'` but the redaction marker; spelt so that it never matches itself in a log line
PASSWORD_LITERAL = re.compile(r"\bPASS" r"WORD\s+'(?!\[redacted\]')", re.IGNORECASE)
VERIFIER = re.compile(r"SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]{8,}\$")
LOG_GLOBS = ("/var/log/syslog*", "/var/log/postgresql/*", "/var/log/*.log", "/var/log/messages*")


def _passwords() -> dict[str, str]:
    if not SECRETS.exists():
        return {}
    data = yaml.safe_load(SECRETS.read_text()) or {}
    return {k: str(v) for k, v in data.items() if k.startswith("postgresql_") and k.endswith("_password") and v}


@pytest.fixture(scope="module")
def logs(db) -> dict[str, str]:
    """Every log file of the db host (rotated ones uncompressed) and the journal, as text."""
    globs = " ".join(LOG_GLOBS)  # constants: expanded by the host's shell
    names = db.check_output(f'for f in {globs}; do [ -f "$f" ] && echo "$f"; done; true').splitlines()
    assert any(n.startswith("/var/log/syslog") for n in names), names
    texts = {name: db.check_output("zcat -f -- %s", name) for name in sorted(set(names))}
    texts["journal"] = db.check_output("journalctl --no-pager -q -o short-iso")
    return texts


def _hits(texts: dict[str, str], pattern: re.Pattern[str]) -> list[str]:
    out = []
    for name, text in texts.items():
        for line in text.splitlines():
            m = pattern.search(line)
            if m:
                # never echo what follows the match: it would be the secret
                out.append(f"{name}: {line[: m.start()][-160:]}<...>")
    return out


def test_no_password_literal_in_logs(logs: dict[str, str]) -> None:
    hits = _hits(logs, PASSWORD_LITERAL)
    assert not hits, "PASSWORD '...' logged on the db host:\n" + "\n".join(hits[:20])


def test_no_scram_verifier_in_logs(logs: dict[str, str]) -> None:
    hits = _hits(logs, VERIFIER)
    assert not hits, "SCRAM verifier logged on the db host:\n" + "\n".join(hits[:20])


def test_application_passwords_nowhere_in_logs(logs: dict[str, str]) -> None:
    passwords = _passwords()
    if not passwords:
        pytest.skip(f"no {SECRETS.relative_to(ROOT)}: the application passwords are unknown here")
    found = sorted({f"{var} in {name}" for var, pw in passwords.items() for name, t in logs.items() if pw in t})
    assert not found, "plaintext password in the db host's logs: " + ", ".join(found)


def test_replaced_verifiers_are_recorded_without_the_verifier(logs: dict[str, str]) -> None:
    # the role's trace of a password change: the role name, never the verifier (see test above)
    lines = [ln for t in logs.values() for ln in t.splitlines() if "fhirfort: SCRAM-SHA-256 verifier of role" in ln]
    for line in lines:
        assert not VERIFIER.search(line), line
