"""EDGE-04 rate limit; the file sorts last so the burst cannot starve the other end-to-end tests."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.host


# EDGE-04: a bounded burst from one client meets 429 (local lab only: at most 4 x 150 requests to a path the
# edge answers itself with 404, so HAPI sees none of them; each thread stops at its first 429)
def test_rate_limit_429(fhir, origin: str) -> None:
    time.sleep(3)

    def burst(_: int) -> list[int]:
        seen: list[int] = []
        with requests.Session() as s:
            s.verify = fhir.session.verify
            s.trust_env = False
            for _ in range(150):
                seen.append(s.get(f"{origin}/rate-limit-probe", timeout=30).status_code)
                if seen[-1] == 429:
                    break
        return seen

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = [code for codes in pool.map(burst, range(4)) for code in codes]
    time.sleep(8)
    assert 429 in statuses
    assert set(statuses) <= {404, 429}
