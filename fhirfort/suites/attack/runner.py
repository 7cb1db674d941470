"""Run corpus entries through the edge: at most 4 in flight, a global request rate, a wall-clock budget.

429 answers (the edge's per-client rate limit, shared with anything else the machine sends) are retried
after a pause, a bounded number of times. Entries not started before the deadline are reported `not_run`.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

from fhirfort.suites.attack import outcome, transport
from fhirfort.suites.attack.corpus import Entry
from fhirfort.suites.attack.gen_common import CLEANUP_TAG

MAX_CONCURRENCY = 4
RETRIES_429 = 4


class RateLimiter:
    """At most `rate` request starts per second across threads."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            time.sleep(delay)


@dataclass
class Result:
    entry: Entry
    response: transport.Response
    verdict: outcome.Verdict
    attempts: int
    started: float
    finished: float = 0.0


def _not_run(entry: Entry) -> Result:
    resp = transport.Response(error="not run: time budget exhausted")
    return Result(entry, resp, outcome.Verdict("none", "not_run", "", resp.error or ""), 0, 0.0)


class Runner:
    def __init__(
        self,
        target: transport.Target,
        *,
        concurrency: int = 4,
        rate: float = 12.0,
        deadline: float,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.target = target
        self.concurrency = max(1, min(concurrency, MAX_CONCURRENCY))
        self.limiter = RateLimiter(rate)
        self.deadline = deadline
        self.progress = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self._done = 0
        self._lock = threading.Lock()
        self._line_locks: dict[str, threading.Lock] = {}

    def _line_lock(self, entry: Entry) -> threading.Lock:
        """Requests with the same request line never overlap, so the WAF log lists them in sending order
        (modsec_log.attribute matches by request line and order)."""
        key = f"{entry.method} {entry.target}" if entry.raw is None else entry.raw.split("\n", 1)[0]
        with self._lock:
            return self._line_locks.setdefault(key, threading.Lock())

    def _one(self, entry: Entry, total: int) -> Result:
        if time.monotonic() > self.deadline:
            return _not_run(entry)
        attempts = 0
        with self._line_lock(entry):
            started = time.time()
            while True:
                attempts += 1
                self.limiter.wait()
                resp = transport.send(entry, self.target)
                if resp.status != outcome.THROTTLED or attempts > RETRIES_429 or time.monotonic() > self.deadline:
                    break
                time.sleep(1.5 * attempts)
        finished = time.time()
        verdict = outcome.judge(entry, resp)
        with self._lock:
            self._done += 1
            if self._done % 50 == 0 or self._done == total:
                self.progress(f"attack: {self._done}/{total} requests sent")
        return Result(entry, resp, verdict, attempts, started, finished)

    def run(self, entries: list[Entry]) -> list[Result]:
        """Attacks first, then the legitimate requests phase by phase (0 create/read, 1 patch, 2 delete)."""
        results: list[Result] = []
        total = len(entries)
        batches = [[e for e in entries if e.kind == "attack"]]
        legit = [e for e in entries if e.kind != "attack"]
        batches += [[e for e in legit if e.phase == p] for p in sorted({e.phase for e in legit})]
        for batch in batches:
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                results.extend(pool.map(lambda e: self._one(e, total), batch))
        return results


def cleanup(target: transport.Target, resource_types: list[str], limit: int = 600) -> dict[str, int]:
    """Delete what the corpus created (tagged CLEANUP_TAG); bounded by `limit` deletes."""
    tag = quote(f"{CLEANUP_TAG['system']}|{CLEANUP_TAG['code']}", safe="")
    deleted: dict[str, int] = {}
    budget = limit
    limiter = RateLimiter(10)
    for rtype in resource_types:
        for _ in range(10):  # pages
            if budget <= 0:
                break
            limiter.wait()
            probe = Entry(
                id="cleanup",
                kind="legit",
                cls="cleanup",
                method="GET",
                target=f"{{base}}/{rtype}?_tag={tag}&_elements=id&_count=100",
            )
            resp = transport.send_http(probe, target)
            if resp.status != 200:
                break
            try:
                ids = [e["resource"]["id"] for e in json.loads(resp.body).get("entry", [])]
            except (ValueError, KeyError, TypeError):
                break
            if not ids:
                break
            for rid in ids[:budget]:
                limiter.wait()
                d = Entry(id="cleanup", kind="legit", cls="cleanup", method="DELETE", target=f"{{base}}/{rtype}/{rid}")
                if (transport.send_http(d, target).status or 500) < 300:
                    deleted[rtype] = deleted.get(rtype, 0) + 1
                budget -= 1
    return deleted
