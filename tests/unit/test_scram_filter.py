"""The postgresql role's SCRAM-SHA-256 filter (roles/postgresql/filter_plugins/scram.py), no hosts needed.

The verifier the controller computes must be the one PostgreSQL would have computed from the plaintext:
checked against RFC 7677's exchange (a client's proof verifies against the StoredKey, the ServerKey gives
the server signature the client expects) and against verifiers made by libpq (PQencryptPasswordConn,
PostgreSQL's own client-side implementation, including its SASLprep).
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import re
from pathlib import Path

import pytest

from fhirfort.modload import load_file_module

ROOT = Path(__file__).resolve().parents[2]


scram = load_file_module("postgresql_scram", ROOT / "roles" / "postgresql" / "filter_plugins" / "scram.py")

# RFC 7677 section 3: SCRAM-SHA-256 exchange for user "user", password "pencil"
RFC_SALT = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
RFC_CLIENT_FIRST_BARE = "n=user,r=rOprNGfwEbeRWgbNEkqO"
RFC_SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
RFC_CLIENT_FINAL_WITHOUT_PROOF = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
RFC_CLIENT_PROOF = base64.b64decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
RFC_SERVER_SIGNATURE = base64.b64decode("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")

# Made by libpq 15 (PQencryptPasswordConn(conn, password, user, "scram-sha-256"), random salts): ASCII,
# SASLprep mapping to nothing (soft hyphen), NFKC (U+2168 ROMAN NUMERAL NINE), prohibited control
# character (ASCII: as is), non-ASCII letter.
LIBPQ_VERIFIERS = {
    "pencil": "SCRAM-SHA-256$4096:Dq5b6HEYyQm9oVhFJLLdoQ==$H/X5LTT0LQiHOCtTVTidRlRbvSotLkaZPBoZ9ajOaMk="
    ":B1KQvtyRhoNO4OAOT2pvR6Eq/3/LsxsjG2dd3UAQPiU=",
    "I\u00adX": "SCRAM-SHA-256$4096:UxKy3mtfyprgMlKrWZqGCQ==$1c3MmK/sjdkHei19vYVAdmGFNjbQu1jQ7F3Sffnkc28="
    ":L+zIuFo2rCIOQuXMeWRpisSHc+QyvTYpUloTSQv53ko=",
    "\u2168": "SCRAM-SHA-256$4096:70LgFOyIonsHL5Wl9umUMw==$XrvIV8tFkYEwTWehj0rX6FNpO6nCBu6hqc3wsWjt+ek="
    ":VddvhQkk/222lsPFICoxg+uI1PkCD94A6ReSOm0gt88=",
    "x\u0007y": "SCRAM-SHA-256$4096:t8cUnyWgnlGbF9kNzvYekg==$Kom//aB5XSHo+RkTfQzMOd3FhzQWKl2JSyoJ8nVuAzs="
    ":KAFeVqEdbzbhGf2WCoSsoh116fbhRRoshusV+150oqs=",
    "p\u00e4ss": "SCRAM-SHA-256$4096:vaJU/LAHDHPdMOVFL+70eQ==$8vo3K+1WGYpsVnaIBz+gbMUa/nqVl/wEe7baaol2gPo="
    ":vF320Up/ZE4OwUJ//kweHNtCB+dR/lfTlD8HwH/c+wg=",
}

# PostgreSQL's own check of a stored verifier (parse_scram_secret) and the community.postgresql module's
# test that a password is already a verifier (then it is passed through and compared as a string).
PG_MODULE_SCRAM_RE = re.compile(r"^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+\/=]+)\$([A-Za-z0-9+\/=]+):([A-Za-z0-9+\/=]+)$")


def _parts(verifier: str) -> tuple[int, bytes, bytes, bytes]:
    m = PG_MODULE_SCRAM_RE.match(verifier)
    assert m, verifier
    return int(m.group(1)), *(base64.b64decode(m.group(i), validate=True) for i in (2, 3, 4))  # type: ignore[return-value]


def test_rfc7677_client_authenticates_against_the_verifier() -> None:
    iterations, salt, stored_key, server_key = _parts(scram.scram_sha256_verifier("pencil", salt=RFC_SALT))
    assert (iterations, salt) == (4096, RFC_SALT)
    auth_message = f"{RFC_CLIENT_FIRST_BARE},{RFC_SERVER_FIRST},{RFC_CLIENT_FINAL_WITHOUT_PROOF}".encode()
    # the server's side of the exchange, as PostgreSQL runs it (verify_client_proof, verify_final_nonce)
    client_signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
    client_key = bytes(a ^ b for a, b in zip(RFC_CLIENT_PROOF, client_signature, strict=True))
    assert hashlib.sha256(client_key).digest() == stored_key
    assert hmac.new(server_key, auth_message, hashlib.sha256).digest() == RFC_SERVER_SIGNATURE


def test_independent_computation_of_the_rfc_vector() -> None:
    # RFC 5802 section 3 written out again, without the filter's helpers
    salted = hashlib.pbkdf2_hmac("sha256", b"pencil", RFC_SALT, 4096)
    stored = hashlib.sha256(hmac.new(salted, b"Client Key", hashlib.sha256).digest()).digest()
    server = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    want = (
        f"SCRAM-SHA-256$4096:{base64.b64encode(RFC_SALT).decode()}"
        f"${base64.b64encode(stored).decode()}:{base64.b64encode(server).decode()}"
    )
    assert scram.scram_sha256_verifier("pencil", salt=RFC_SALT) == want


@pytest.mark.parametrize("password", list(LIBPQ_VERIFIERS))
def test_libpq_verifiers_verify_and_are_reproduced(password: str) -> None:
    verifier = LIBPQ_VERIFIERS[password]
    assert scram.postgresql_scram_verify(password, verifier)
    assert not scram.postgresql_scram_verify(password + "x", verifier)
    iterations, salt, _, _ = _parts(verifier)
    assert scram.scram_sha256_verifier(password, salt=salt, iterations=iterations) == verifier


def _libpq_encrypt() -> object:
    name = ctypes.util.find_library("pq")
    if not name:
        return None
    try:
        pq = ctypes.CDLL(name)
        encrypt = pq.PQencryptPasswordConn
    except (OSError, AttributeError):
        return None
    pq.PQconnectdb.restype = ctypes.c_void_p
    pq.PQconnectdb.argtypes = [ctypes.c_char_p]
    pq.PQfinish.argtypes = [ctypes.c_void_p]
    pq.PQfreemem.argtypes = [ctypes.c_void_p]
    encrypt.restype = ctypes.c_void_p
    encrypt.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]

    def run(password: str) -> str:
        # a connection object is needed, not a connection: this one never connects
        conn = pq.PQconnectdb(b"host=/nonexistent port=1 connect_timeout=1")
        try:
            out = encrypt(conn, password.encode(), b"hapi", b"scram-sha-256")
            assert out, "PQencryptPasswordConn failed"
            try:
                return ctypes.string_at(out).decode()
            finally:
                pq.PQfreemem(out)
        finally:
            pq.PQfinish(conn)

    return run


LIBPQ = _libpq_encrypt()


@pytest.mark.skipif(LIBPQ is None, reason="no libpq with PQencryptPasswordConn on this machine")
@pytest.mark.parametrize(
    "password",
    ["Tr0ub4dor&3-correct-horse", "sp ace\u00a0nbsp", "\ufb01ligature", "\u0627\u0644\u0639", "a\u0627"],
)
def test_live_libpq_agrees(password: str) -> None:
    verifier = LIBPQ(password)  # type: ignore[operator]
    assert scram.postgresql_scram_verify(password, verifier)
    iterations, salt, _, _ = _parts(verifier)
    assert scram.scram_sha256_verifier(password, salt=salt, iterations=iterations) == verifier


def test_filter_keeps_a_stored_verifier_that_verifies() -> None:
    stored = LIBPQ_VERIFIERS["pencil"]
    assert scram.postgresql_scram_verifier("pencil", stored) == stored


@pytest.mark.parametrize(
    "stored", [None, "", "md5" + "0" * 32, "pencil", "SCRAM-SHA-256$4096:AAAA$AAAA:AAAA", LIBPQ_VERIFIERS["p\u00e4ss"]]
)
def test_filter_makes_a_new_verifier_otherwise(stored: str | None) -> None:
    new = scram.postgresql_scram_verifier("pencil", stored)
    assert new != stored
    iterations, salt, stored_key, server_key = _parts(new)
    assert (iterations, len(salt), len(stored_key), len(server_key)) == (4096, 16, 32, 32)
    assert scram.postgresql_scram_verify("pencil", new)
    assert "pencil" not in new


def test_new_verifiers_have_random_salts() -> None:
    assert len({scram.postgresql_scram_verifier("pencil") for _ in range(5)}) == 5


@pytest.mark.parametrize("password", ["", None, 42])
def test_filter_refuses_empty_or_non_string_passwords(password: object) -> None:
    with pytest.raises(scram.AnsibleFilterError):
        scram.postgresql_scram_verifier(password)


@pytest.mark.parametrize(
    "verifier",
    [None, "", "pencil", "SCRAM-SHA-256$0:Dq5b6HEYyQm9oVhFJLLdoQ==$AAAA:AAAA", "SCRAM-SHA-256$4096:!!$AA:AA", 17],
)
def test_verify_is_false_for_anything_but_a_matching_verifier(verifier: object) -> None:
    assert scram.postgresql_scram_verify("pencil", verifier) is False


def test_saslprep_as_postgresql() -> None:
    assert scram.saslprep("pencil") == b"pencil"
    assert scram.saslprep("x\u0007y") == b"x\x07y"  # ASCII: as is, controls included
    assert scram.saslprep("I\u00adX") == b"IX"  # mapped to nothing
    assert scram.saslprep("a\u00a0b") == b"a b"  # non-ASCII space
    assert scram.saslprep("\u2168") == b"IX"  # NFKC
    assert scram.saslprep("a\u0007\u00e9") == "a\u0007\u00e9".encode()  # prohibited: the raw string
    assert scram.saslprep("\u0627a") == "\u0627a".encode()  # bidi rule broken: the raw string
    assert scram.saslprep("\u00ad") == "\u00ad".encode()  # empty after mapping: the raw string


def test_the_module_passes_the_verifier_through() -> None:
    # community.postgresql.postgresql_user treats a password matching this as a verifier: stored as is,
    # compared as a string (so an unchanged password gives no change)
    module = ROOT / ".venv"
    candidates = list(
        module.glob(
            "lib/python*/site-packages/ansible_collections/community/postgresql/plugins/modules/postgresql_user.py"
        )
    )
    if not candidates:
        pytest.skip("community.postgresql is not installed in .venv")
    text = candidates[0].read_text()
    m = re.search(r"^SCRAM_SHA256_REGEX = r'(.*)'$", text, re.M)
    assert m, "postgresql_user.py no longer has SCRAM_SHA256_REGEX"
    assert re.match(m.group(1), scram.postgresql_scram_verifier("a-long-lab-password-0123"))


def test_filter_plugin_exports() -> None:
    assert set(scram.FilterModule().filters()) == {"postgresql_scram_verifier", "postgresql_scram_verify"}
