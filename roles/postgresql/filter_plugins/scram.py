"""Filters of the postgresql role: SCRAM-SHA-256 verifiers computed on the controller (RFC 5802, RFC 7677).

The role never sends a plaintext password to the server: whatever a server logs (log_statement,
pgaudit, log_min_error_statement) could only ever show a verifier. PostgreSQL stores a password that
is already a valid `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` verifier as is.

`postgresql_scram_verifier(password, stored=None)` returns `stored` when it is a SCRAM-SHA-256 verifier
of `password` (so a converge changes nothing while the password is unchanged, and the salt stays
random), else a new verifier with a random 16-byte salt and 4096 iterations (PostgreSQL's defaults).

`postgresql_scram_verify(password, verifier)` says whether `verifier` is a SCRAM-SHA-256 verifier of
`password` (False for anything that is not such a verifier).

The password is normalised as PostgreSQL does (src/common/saslprep.c, pg_saslprep): ASCII as is,
otherwise SASLprep (RFC 4013), and the raw UTF-8 bytes when SASLprep prohibits the string.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import stringprep
import unicodedata
from typing import Any

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # pragma: no cover - unit tests without ansible
    AnsibleFilterError = ValueError  # type: ignore[assignment,misc]

ITERATIONS = 4096
SALT_LENGTH = 16
_B64 = r"[A-Za-z0-9+/]+={0,2}"
VERIFIER_RE = re.compile(rf"^SCRAM-SHA-256\$(\d+):({_B64})\$({_B64}):({_B64})$")


def _prohibited(ch: str) -> bool:
    # RFC 4013 section 2.3 (C.1.2, C.2.1, C.2.2, C.3 to C.9) and unassigned code points (A.1)
    return (
        stringprep.in_table_c12(ch)
        or stringprep.in_table_c21_c22(ch)
        or stringprep.in_table_c3(ch)
        or stringprep.in_table_c4(ch)
        or stringprep.in_table_c5(ch)
        or stringprep.in_table_c6(ch)
        or stringprep.in_table_c7(ch)
        or stringprep.in_table_c8(ch)
        or stringprep.in_table_c9(ch)
        or stringprep.in_table_a1(ch)
    )


def saslprep(password: str) -> bytes:
    """The bytes PostgreSQL hashes for `password` (pg_saslprep, with the server's fallback to the raw string)."""
    raw = password.encode("utf-8")
    if password.isascii():
        return raw
    # 1) map: non-ASCII spaces to SPACE, "commonly mapped to nothing" removed
    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in password if not stringprep.in_table_b1(c))
    if not mapped:
        return raw
    # 3) and 4) are checked on the mapped string, as pg_saslprep does
    if any(_prohibited(c) for c in mapped):
        return raw
    if any(stringprep.in_table_d1(c) for c in mapped) and (
        any(stringprep.in_table_d2(c) for c in mapped)
        or not stringprep.in_table_d1(mapped[0])
        or not stringprep.in_table_d1(mapped[-1])
    ):
        return raw
    # 2) normalise
    return unicodedata.normalize("NFKC", mapped).encode("utf-8")


def _keys(password: str, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return hashlib.sha256(client_key).digest(), server_key


def _check_password(password: Any) -> str:
    if not isinstance(password, str) or not password:
        raise AnsibleFilterError("postgresql_scram_verifier: the password must be a non-empty string")
    return password


def scram_sha256_verifier(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """A new verifier of `password` (random salt unless one is given, e.g. by a test vector)."""
    password = _check_password(password)
    if iterations < 1:
        raise AnsibleFilterError("postgresql_scram_verifier: iterations must be positive")
    salt = os.urandom(SALT_LENGTH) if salt is None else salt
    stored_key, server_key = _keys(password, salt, iterations)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def postgresql_scram_verify(password: Any, verifier: Any) -> bool:
    if not isinstance(password, str) or not password or not isinstance(verifier, str):
        return False
    match = VERIFIER_RE.match(verifier)
    if not match:
        return False
    try:
        iterations = int(match.group(1))
        salt, stored_key, server_key = (base64.b64decode(match.group(i), validate=True) for i in (2, 3, 4))
    except ValueError:
        return False
    if iterations < 1 or len(stored_key) != 32 or len(server_key) != 32:
        return False
    want_stored, want_server = _keys(password, salt, iterations)
    return hmac.compare_digest(want_stored, stored_key) and hmac.compare_digest(want_server, server_key)


def postgresql_scram_verifier(password: Any, stored: Any = None) -> str:
    password = _check_password(password)
    if stored and postgresql_scram_verify(password, stored):
        return str(stored)
    return scram_sha256_verifier(password)


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {
            "postgresql_scram_verifier": postgresql_scram_verifier,
            "postgresql_scram_verify": postgresql_scram_verify,
        }
