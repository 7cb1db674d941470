"""`make attack`, short form: 60 attacks and 60 legitimate requests, stratified over every class."""

from __future__ import annotations

import json

import pytest

from fhirfort.suites.attack import cli, corpus

pytestmark = pytest.mark.host


@pytest.fixture(scope="module")
def attack_report(lab_up, tmp_path_factory) -> tuple[int, dict]:
    out = tmp_path_factory.mktemp("attack") / "attack.json"
    rc = cli.main(["--sample", "60", "--max-seconds", "300", "--report", str(out)])
    return rc, json.loads(out.read_text())


def test_short_run_covers_every_class(attack_report) -> None:
    rc, rep = attack_report
    assert set(rep["classes"]) == set(corpus.CLASSES)
    assert rep["summary"]["attacks"] == 60
    assert rep["summary"]["inconclusive"] == 0, rep["inconclusive"]
    assert (rc == 0) == rep["summary"]["ok"]


def test_no_false_positives(attack_report) -> None:
    _, rep = attack_report
    assert rep["summary"]["false_positives"] == 0, [(f["id"], f["rule_ids"]) for f in rep["false_positives"]]


def test_block_rate_goal(attack_report) -> None:
    _, rep = attack_report
    assert rep["summary"]["block_rate"] >= rep["goals"]["block_rate_per_class"], [
        (m["id"], m["detail"]) for m in rep["misses"]
    ]
