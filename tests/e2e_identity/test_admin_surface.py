"""The admin surface (IDP-05): the temporary bootstrap admin is gone, the master realm has no users, the admin
API answers only with an admin's token, and the edge never forwards it."""

from __future__ import annotations

import pytest
import requests

from fhirfort.local import smart_client

pytestmark = pytest.mark.host

ADMIN_CLIENT_ID = "fhirfort-admin"
BOOTSTRAP_CLIENTS = ("temp-admin", "fhirfort-bootstrap-temp")


def _base(idp) -> str:
    return idp.issuer.rsplit("/realms/", 1)[0]


def fetch_admin_token(idp_direct) -> str:
    """A fresh token of the kit's admin service account (master realm), fetched directly: the admin API is,
    rightly, not reachable through the edge. Such tokens live about a minute."""
    resp = idp_direct.session().post(
        f"{_base(idp_direct)}/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": ADMIN_CLIENT_ID,
            "client_secret": idp_direct.secrets["keycloak_admin_password"],
        },
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


@pytest.fixture(scope="module")
def admin_token(idp_direct) -> str:
    return fetch_admin_token(idp_direct)


def test_bootstrap_admin_removed(idp_direct, admin_token) -> None:
    s = idp_direct.session()
    s.headers["Authorization"] = f"Bearer {admin_token}"
    base = _base(idp_direct)
    for client_id in BOOTSTRAP_CLIENTS:
        found = s.get(f"{base}/admin/realms/master/clients", params={"clientId": client_id}, timeout=30)
        assert found.status_code == 200
        assert found.json() == [], f"bootstrap admin client {client_id} still exists"
    users = s.get(f"{base}/admin/realms/master/users", params={"briefRepresentation": "true"}, timeout=30)
    humans = [u["username"] for u in users.json() if not u["username"].startswith("service-account-")]
    assert humans == [], f"master realm has user accounts: {humans}"


def test_admin_api_needs_an_admin_token(idp, backend_key) -> None:
    s = idp.session()
    assert s.get(f"{_base(idp)}/admin/realms", timeout=30).status_code in (401, 403, 404)
    assertion = smart_client.client_assertion(backend_key, smart_client.DEFAULT_CLIENT_ID, idp.token_url)
    token = smart_client.request_token(s, idp.token_url, assertion).json()["access_token"]
    s.headers["Authorization"] = f"Bearer {token}"
    assert s.get(f"{_base(idp)}/admin/realms/{idp.target.realm}/users", timeout=30).status_code in (401, 403, 404)


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/master/console/", "/admin/realms/master/users", "/realms/master/protocol/openid-connect/token"],
)
def test_admin_surface_not_through_edge(idp, path) -> None:
    edge = smart_client.local_target("edge")
    try:
        resp = edge.session().get(f"{edge.public_url}{path}", allow_redirects=False, timeout=15)
    except requests.RequestException as exc:
        pytest.skip(f"the edge is not serving HTTPS yet: {exc}")
    if path.startswith("/realms/master/") and idp.route != "edge":
        pytest.skip("the edge does not proxy the identity tier yet (edge_waf_idp_enabled)")
    assert resp.status_code in (403, 404), f"{path} through the edge answered {resp.status_code}"
