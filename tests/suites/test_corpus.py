"""The attack / legitimate corpus: schema, counts per class, reproducibility, stratified subsets."""

from __future__ import annotations

import json
import re

import pytest

from fhirfort.suites.attack import bodygen, corpus, generate


@pytest.fixture(scope="module")
def loaded() -> tuple[list[corpus.Entry], list[corpus.Entry]]:
    return corpus.load_all()


def test_corpus_counts(loaded) -> None:
    attacks, legit = loaded
    assert len(attacks) >= 300
    assert len(legit) >= 300
    counts = corpus.counts(attacks)
    assert set(counts) == set(corpus.CLASSES), "every attack class is represented"
    assert min(counts.values()) >= 10, counts


def test_every_entry_has_the_schema(loaded) -> None:
    for e in [*loaded[0], *loaded[1]]:
        assert e.kind in ("attack", "legit")
        assert e.method and e.note
        assert e.target.startswith(("{base}", "/"))
        assert not (e.body is not None and e.body_gen is not None)
    assert all(e.kind == "attack" for e in loaded[0]) and all(e.kind == "legit" for e in loaded[1])


def test_committed_corpus_is_reproducible() -> None:
    assert generate.check(), "suites/corpus differs from the generator: python -m fhirfort.suites.attack.generate"


def test_payload_addresses_are_documentation_or_internal(loaded) -> None:
    """No real outside host in any payload: RFC 5737 198.51.100.0/24, link-local, loopback, lab, example."""
    text = "\n".join(json.dumps(e.to_json()) for e in loaded[0] + loaded[1])
    for ip in set(re.findall(r"\b(\d{1,3}(?:\.\d{1,3}){3})\b", text)):
        assert ip.startswith(("198.51.100.", "169.254.", "127.", "198.18.", "0.")), ip


def test_legit_creates_are_tagged_for_cleanup(loaded) -> None:
    for e in loaded[1]:
        if e.method == "POST" and e.body and '"resourceType"' in e.body and "_search" not in e.target:
            if '"Parameters"' in e.body:
                continue
            assert "attack-suite" in e.body, e.id


def test_stratified_subset_covers_every_class(loaded) -> None:
    attacks, legit = loaded
    sub = corpus.stratified(attacks, 60)
    assert len(sub) == 60
    assert set(corpus.counts(sub)) == set(corpus.CLASSES)
    assert corpus.stratified(attacks, 60) == sub, "seeded"
    lsub = corpus.stratified(legit, 60)
    ids = {e.id for e in lsub}
    for e in lsub:
        if e.phase:
            assert e.id.rsplit("-", 1)[0] + "-put" in ids, "a later phase only with the resource it depends on"


def test_body_generators() -> None:
    assert len(bodygen.generate({"kind": "padded_json", "mib": 1})) > 1024 * 1024
    assert bodygen.generate({"kind": "nested_json", "depth": 3}).count(b"extension") == 4
    with pytest.raises(bodygen.BodyGenError):
        bodygen.generate({"kind": "nope"})


def test_validation_rejects_duplicates() -> None:
    e = corpus.Entry(id="x", kind="attack", cls="sqli_search", method="GET", target="{base}/Patient")
    with pytest.raises(corpus.CorpusError):
        corpus.validate([e, e])
    with pytest.raises(corpus.CorpusError):
        corpus.validate([corpus.Entry(id="y", kind="attack", cls="nope", method="GET", target="/")])
