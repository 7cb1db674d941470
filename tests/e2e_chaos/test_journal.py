"""The chaos suite's pure parts (no hosts): ack parsing, content hash, journal, read-back verdict, overlay of
the log host's scripts. These run in `make test-fast`; the host-marked short run is test_chaos_short.py."""

import json

import requests

from fhirfort.suites.chaos import diskfull, faults, journal


def test_parse_ack_needs_201_and_a_versioned_location():
    loc = {"Location": "https://fhir.fhirfort.test/fhir/Observation/123/_history/1"}
    assert journal.parse_ack(201, loc) == ("123", "1")
    assert journal.parse_ack(200, loc) is None
    assert journal.parse_ack(201, {}) is None
    assert journal.parse_ack(201, {"Location": "https://x/fhir/Observation/123"}) is None


def test_content_hash_ignores_server_fields_but_not_content():
    body = journal.observation(1, "p-obrien")
    stored = dict(body, id="123", meta={"versionId": "1", "lastUpdated": "2026-01-01T00:00:00Z"})
    assert journal.content_hash(stored) == journal.content_hash(body)
    changed = json.loads(json.dumps(stored))
    changed["valueQuantity"]["value"] = 999
    assert journal.content_hash(changed) != journal.content_hash(body)


def test_journal_round_trip(tmp_path):
    j = journal.Journal(tmp_path / "j.jsonl")
    j.record(journal.Entry(1.0, "a", "1", "h1"))
    j.record(journal.Entry(2.0, "b", "2", "h2"))
    j.close()
    assert [e.id for e in journal.load(tmp_path / "j.jsonl")] == ["a", "b"]


class _Resp:
    def __init__(self, status, body):
        self.status_code = status
        self._body = body

    def json(self):
        return self._body


def test_verify_counts_missing_and_changed():
    body = journal.observation(1, "p-obrien")
    good = dict(body, id="1", meta={"versionId": "1"})
    bumped = dict(body, id="2", meta={"versionId": "2"})
    entries = [
        journal.Entry(0, "1", "1", journal.content_hash(body)),
        journal.Entry(0, "2", "1", journal.content_hash(body)),
        journal.Entry(0, "3", "1", journal.content_hash(body)),
    ]
    bundle = {"entry": [{"resource": good}, {"resource": bumped}]}
    out = journal.verify(entries, lambda _u: _Resp(200, bundle), "https://x/fhir", pause_s=0)
    assert out["missing"] == ["3"]
    assert out["changed"] == ["2"]
    assert out["lost"] == 2
    assert out["read_back_unchanged"] == 1


def test_verify_retries_transient_errors(monkeypatch):
    monkeypatch.setattr(journal.time, "sleep", lambda _s: None)
    body = journal.observation(1, "p-obrien")
    calls = []

    def get(_url):
        calls.append(1)
        if len(calls) == 1:
            raise requests.ConnectionError("reset")
        return _Resp(200, {"entry": [{"resource": dict(body, id="1", meta={"versionId": "1"})}]})

    out = journal.verify([journal.Entry(0, "1", "1", journal.content_hash(body))], get, "https://x/fhir", pause_s=0)
    assert out["lost"] == 0 and out["transient_errors"] == 1


def test_fault_catalogue():
    assert set(faults.SHORT) <= set(faults.FULL)
    kinds = {f.kind for f in faults.FAULTS.values()}
    assert kinds == {"kill", "host"}
    assert {f.host for f in faults.FAULTS.values()} == {"edge", "fhir", "db", "idp", "logs"}


def test_disk_full_leaves_the_store_just_below_the_guard_minimum():
    size = 1024 * 1024 * 1024
    nbytes = diskfull.fill_bytes(size, avail=size * 95 // 100, min_free_percent=10)
    assert size * 95 // 100 - nbytes == size * 8 // 100  # two points below the 10 % minimum
    assert diskfull.fill_bytes(size, avail=size * 5 // 100, min_free_percent=10) == 0  # already below: add nothing
    assert diskfull.fill_bytes(size, avail=size // 2, min_free_percent=2) == size // 2 - size // 100  # floor 1 %
