"""fhirfort.local.smart_client without hosts: the key is created once and private, the JWK set is public only,
the client assertion carries what SMART Backend Services requires, and the pinned route keeps URL and Host."""

from __future__ import annotations

import json
import stat

import pytest
from joserfc import jwk, jwt

from fhirfort.local import smart_client


@pytest.mark.parametrize("alg", smart_client.SUPPORTED_ALGS)
def test_key_created_once_and_private(tmp_path, alg) -> None:
    path = tmp_path / "secrets" / f"k-{alg}.json"
    key = smart_client.ensure_key(path, alg)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = smart_client.ensure_key(path, alg)
    assert again.kid == key.kid
    assert ("crv" in key.as_dict()) == (alg == "ES384")


def test_key_creation_race_keeps_one_key(tmp_path, monkeypatch) -> None:
    # idp and its standby read the public JWK set in the same converge: a creator that loses the race must
    # return the winner's key (else the two hosts would register different keys), and leave no temporary file
    path = tmp_path / "k.json"
    winner = jwk.ECKey.generate_key("P-384", private=True, auto_kid=True)
    real_link = smart_client.os.link

    def link_after_winner(src, dst):
        path.write_text(json.dumps(winner.as_dict(private=True)))
        return real_link(src, dst)

    monkeypatch.setattr(smart_client.os, "link", link_after_winner)
    key = smart_client.ensure_key(path)
    assert key.kid == winner.kid
    assert json.loads(path.read_text())["kid"] == winner.kid
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.json"]


def test_unsupported_alg_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="unsupported"):
        smart_client.ensure_key(tmp_path / "k.json", "HS256")


def test_jwks_has_no_private_part(tmp_path) -> None:
    key = smart_client.ensure_key(tmp_path / "k.json")
    jwks = smart_client.public_jwks(key)
    (public,) = jwks["keys"]
    assert "d" not in public
    assert public["alg"] == "ES384" and public["use"] == "sig" and public["kid"] == key.kid


def test_assertion_claims(tmp_path) -> None:
    key = smart_client.ensure_key(tmp_path / "k.json")
    token = smart_client.client_assertion(key, "cid", "https://idp.example/token", now=1_000_000, lifetime=60)
    decoded = jwt.decode(token, jwk.import_key(smart_client.public_jwks(key)["keys"][0]), algorithms=["ES384"])
    assert decoded.header["alg"] == "ES384" and decoded.header["kid"] == key.kid
    c = decoded.claims
    assert c["iss"] == c["sub"] == "cid"
    assert c["aud"] == "https://idp.example/token"
    assert c["exp"] - c["iat"] == 60 and c["iat"] == 1_000_000
    assert len(c["jti"]) >= 32
    other = smart_client.client_assertion(key, "cid", "https://idp.example/token")
    assert jwt.decode(other, key, algorithms=["ES384"]).claims["jti"] != c["jti"]


def test_assertion_without_iat(tmp_path) -> None:
    key = smart_client.ensure_key(tmp_path / "k.json")
    token = smart_client.client_assertion(key, "cid", "https://t", include_iat=False)
    assert "iat" not in jwt.decode(token, key, algorithms=["ES384"]).claims


def test_pinned_route_keeps_public_name() -> None:
    route = smart_client.Route("127.0.0.1", 1, "idp.fhirfort.internal")
    adapter = smart_client.PinnedAdapter({("fhir.fhirfort.test", 443): route})
    assert adapter._route("https://fhir.fhirfort.test/realms/x")[0] == route
    assert adapter._route("https://other.example/")[0] is None
    session = smart_client.pinned_session({("fhir.fhirfort.test", 443): route}, "/tmp/ca.crt")
    assert session.trust_env is False and session.verify == "/tmp/ca.crt"
