"""The synthetic sample dataset: shape (no hosts needed) and idempotent loading through the edge (host)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fhirfort.local.sample_data import BUNDLE, load_sample_data


def test_bundle_is_synthetic_idempotent_transaction() -> None:
    bundle = json.loads(Path(BUNDLE).read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "transaction"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Patient") == 11 and "Encounter" in kinds and kinds.count("Observation") >= 10
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["request"] == {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
        assert {"system": "urn:fhirfort:sample", "code": "synthetic"}.items() <= resource["meta"]["tag"][0].items()
    families = {e["resource"]["name"][0]["family"] for e in bundle["entry"] if "name" in e["resource"]}
    assert {"O'Brien", "Smith-Jones"} <= families


def test_the_sample_users_patient_is_in_the_bundle() -> None:
    """The sample SMART user (roles/identity) is linked to a Patient: that record must exist, or the user's own
    writes fail on a dangling reference and their compartment is empty."""
    import yaml

    defaults = yaml.safe_load((Path(BUNDLE).parents[2] / "roles/identity/defaults/main.yml").read_text())
    bundle = json.loads(Path(BUNDLE).read_text(encoding="utf-8"))
    ids = {e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"}
    assert defaults["identity_sample_patient_id"] in ids


@pytest.mark.host
def test_loading_twice_changes_nothing(endpoints: dict, fhir) -> None:
    load_sample_data(endpoints)
    first = fhir.request("GET", "Patient/p-obrien").json()["meta"]["versionId"]
    load_sample_data(endpoints)
    assert fhir.request("GET", "Patient/p-obrien").json()["meta"]["versionId"] == first
    search = fhir.request("GET", "Patient", params={"name": "O'Brien", "_tag": "urn:fhirfort:sample|synthetic"})
    assert search.status_code == 200 and search.json().get("total", 1) >= 1
