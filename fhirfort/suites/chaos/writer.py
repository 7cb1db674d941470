"""The writer: creates Observations through the edge at a steady pace and journals each acknowledged one."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from fhirfort.suites.chaos.journal import Entry, Journal, content_hash, observation, parse_ack

PATIENTS = ("p-obrien", "p-smith-jones", "p-nguyen")


@dataclass
class WriterStats:
    attempted: int = 0
    acknowledged: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    last_ack: float = 0.0
    acks: list[float] = field(default_factory=list)

    def first_ack_after(self, t: float) -> float | None:
        for a in self.acks:
            if a >= t:
                return a
        return None


class Writer(threading.Thread):
    """POST /Observation every `interval_s` (timeout 10 s); a 201 with id and version goes to the journal.
    The session carries the bearer token (fhirfort.suites.chaos.http.session)."""

    def __init__(
        self,
        session: requests.Session,
        base: str,
        journal_path: Path,
        interval_s: float = 0.25,
    ) -> None:
        super().__init__(name="chaos-writer", daemon=True)
        self.session = session
        self.base = base
        self.journal = Journal(journal_path)
        self.interval_s = interval_s
        self.stats = WriterStats()
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        seq = 0
        try:
            while not self._halt.is_set():
                seq += 1
                t0 = time.monotonic()
                self._write_one(seq)
                self._halt.wait(max(0.0, self.interval_s - (time.monotonic() - t0)))
        finally:
            self.journal.close()

    def _write_one(self, seq: int) -> None:
        body = observation(seq, PATIENTS[seq % len(PATIENTS)])
        headers = {"Content-Type": "application/fhir+json", "Prefer": "return=minimal"}
        self.stats.attempted += 1
        try:
            r = self.session.post(f"{self.base}/Observation", data=json.dumps(body), headers=headers, timeout=10)
        except requests.RequestException as exc:
            key = type(exc).__name__
            self.stats.refused[key] = self.stats.refused.get(key, 0) + 1
            return
        ack = parse_ack(r.status_code, dict(r.headers))
        if ack is None:
            key = f"HTTP {r.status_code}"
            self.stats.refused[key] = self.stats.refused.get(key, 0) + 1
            return
        now = time.monotonic()
        self.journal.record(Entry(time.time(), ack[0], ack[1], content_hash(body)))
        with self._lock:
            self.stats.acknowledged += 1
            self.stats.last_ack = now
            self.stats.acks.append(now)
