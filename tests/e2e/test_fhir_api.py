"""FHIR through the edge: capability statement, CRUD and search on Patient and Observation (EDGE-02)."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.host

FJ = {"Content-Type": "application/fhir+json"}


def _patient(family: str, given: str) -> dict:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:fhirfort:test", "value": str(uuid.uuid4())}],
        "name": [{"family": family, "given": [given]}],
        "gender": "unknown",
        "birthDate": "1970-01-01",
    }


def test_metadata_is_a_capability_statement(fhir) -> None:
    r = fhir.request("GET", "metadata")
    assert r.status_code == 200
    assert r.json()["resourceType"] == "CapabilityStatement"
    assert r.json()["fhirVersion"].startswith("4.0")


def test_patient_crud_and_search(fhir) -> None:
    created = fhir.request("POST", "Patient", json=_patient("O'Brien", "Sean"), headers=FJ)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    read = fhir.request("GET", f"Patient/{pid}")
    assert read.status_code == 200
    assert read.json()["name"][0]["family"] == "O'Brien"
    body = read.json()
    body["birthDate"] = "1971-02-03"
    updated = fhir.request("PUT", f"Patient/{pid}", json=body, headers=FJ)
    assert updated.status_code == 200, updated.text
    search = fhir.request("GET", "Patient", params={"_id": pid, "name": "O'Brien"})
    assert search.status_code == 200
    assert search.json()["resourceType"] == "Bundle"
    assert search.json().get("total", len(search.json().get("entry", []))) >= 1
    deleted = fhir.request("DELETE", f"Patient/{pid}")
    assert deleted.status_code in (200, 204)
    assert fhir.request("GET", f"Patient/{pid}").status_code == 410


def test_observation_crud_and_search(fhir) -> None:
    pid = fhir.request("POST", "Patient", json=_patient("Smith-Jones", "Anne"), headers=FJ).json()["id"]
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6", "display": "Systolic blood pressure"}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": "2024-01-01T10:00:00Z",
        "valueQuantity": {"value": 120, "unit": "mm[Hg]", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"},
    }
    created = fhir.request("POST", "Observation", json=obs, headers=FJ)
    assert created.status_code == 201, created.text
    oid = created.json()["id"]
    search = fhir.request(
        "GET",
        "Observation",
        params={"subject": f"Patient/{pid}", "code": "http://loinc.org|8480-6", "_include": "Observation:patient"},
    )
    assert search.status_code == 200, search.text
    types = {e["resource"]["resourceType"] for e in search.json().get("entry", [])}
    assert {"Observation", "Patient"} <= types
    patch = [{"op": "replace", "path": "/status", "value": "amended"}]
    patched = fhir.request(
        "PATCH", f"Observation/{oid}", json=patch, headers={"Content-Type": "application/json-patch+json"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["status"] == "amended"
    assert fhir.request("DELETE", f"Observation/{oid}").status_code in (200, 204)
    assert fhir.request("DELETE", f"Patient/{pid}").status_code in (200, 204)


# APP: errors say what is wrong with the request, not which software answers (no "HAPI-nnnn:" codes, no
# server name or version in headers)
def test_errors_do_not_name_the_server_software(fhir) -> None:
    missing = fhir.request("GET", f"Patient/{uuid.uuid4().hex[:20]}")
    assert missing.status_code in (404, 410), missing.text
    assert missing.json()["resourceType"] == "OperationOutcome"
    bad = fhir.request("GET", "Patient", params={"_count": "many"})
    assert bad.status_code == 400, bad.text
    for r in (missing, bad):
        assert "HAPI" not in r.text, r.text[:300]
        assert "X-Powered-By" not in r.headers
        assert "hapi" not in r.headers.get("Server", "").lower()
