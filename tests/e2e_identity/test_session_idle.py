"""SSO session idle expiry (issue 5): with the realm's idle timeout shortened for the test, a session left idle
past it can no longer be refreshed; a session used within it can. The realm's own value is restored after."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from e2e_identity.test_admin_surface import _base, fetch_admin_token
from e2e_identity.test_app_launch import _refresh, login

pytestmark = pytest.mark.host
SHORT_IDLE_S = 8


def _admin_session(idp_direct):
    s = idp_direct.session()
    s.headers["Authorization"] = f"Bearer {fetch_admin_token(idp_direct)}"
    return s


@pytest.fixture
def short_idle(idp_direct) -> Iterator[int]:
    """The realm's SSO idle timeout set to SHORT_IDLE_S through the admin API (reached directly), then restored."""
    realm_url = f"{_base(idp_direct)}/admin/realms/{idp_direct.target.realm}"
    s = _admin_session(idp_direct)
    before = s.get(realm_url, timeout=30)
    assert before.status_code == 200, before.text
    original = before.json()["ssoSessionIdleTimeout"]
    changed = s.put(realm_url, json={"ssoSessionIdleTimeout": SHORT_IDLE_S}, timeout=30)
    assert changed.status_code == 204, changed.text
    try:
        yield SHORT_IDLE_S
    finally:
        s = _admin_session(idp_direct)
        restored = s.put(realm_url, json={"ssoSessionIdleTimeout": original}, timeout=30)
        assert restored.status_code == 204, restored.text
        assert s.get(realm_url, timeout=30).json()["ssoSessionIdleTimeout"] == original


def test_idle_session_cannot_be_refreshed(idp, totp_clock, short_idle: int) -> None:
    idle = login(idp, totp_clock)
    used = login(idp, totp_clock)  # (waits for a fresh TOTP window)
    # a session used within the idle window refreshes under the shortened setting ...
    alive = _refresh(idp, used["refresh_token"])
    assert alive.status_code == 200, alive.text
    # ... one left alone past it is over: its refresh is refused
    time.sleep(short_idle + 3)
    expired = _refresh(idp, idle["refresh_token"])
    assert expired.status_code == 400, expired.text
    assert expired.json()["error"] == "invalid_grant"
