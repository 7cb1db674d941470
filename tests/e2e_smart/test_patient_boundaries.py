"""A patient's token stays inside the patient's own record, whatever the app asks for (IDP-09, APP-07):
no user/ scopes for a patient, no conditional operation that searches past the compartment, no write that names
another patient. Each case is a request a red team sent that once succeeded; each must be refused now, and the
patient's own write must still pass."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.host


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture(scope="module")
def writer(patient_writer) -> tuple[str, str]:
    token = patient_writer["access_token"]
    return token, _claims(token)["patient"]


@pytest.fixture(scope="module")
def other_patient(fhir, system_token, writer) -> str:
    ids = [e["resource"]["id"] for e in fhir.get("Patient?_count=20", system_token).json().get("entry", [])]
    others = [i for i in ids if i != writer[1]]
    assert others, "the sample data has only one patient"
    return others[0]


def _observation(subject: str, performer: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
        "subject": {"reference": f"Patient/{subject}"},
        "valueQuantity": {"value": 72, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
        "identifier": [{"system": "urn:fhirfort:e2e", "value": uuid.uuid4().hex}],
    }
    if performer:
        body["performer"] = [{"reference": f"Patient/{performer}"}]
    return body


def test_patient_user_gets_no_user_scopes(writer) -> None:
    scopes = _claims(writer[0])["scope"].split()
    assert "patient/*.cruds" in scopes
    assert not [s for s in scopes if s.startswith("user/")], scopes


def test_patient_token_cannot_read_everyone(fhir, writer, other_patient) -> None:
    token, own = writer
    assert fhir.get(f"Patient/{other_patient}", token).status_code == 403
    listed = fhir.get("Patient?_count=50", token)
    assert listed.status_code == 200, listed.text
    assert {e["resource"]["id"] for e in listed.json().get("entry", [])} <= {own}
    assert fhir.get("AuditEvent?_count=1", token).status_code == 403


def test_conditional_create_does_not_reveal_another_patient(fhir, writer, other_patient) -> None:
    token, own = writer
    body = {"resourceType": "Patient", "link": [{"other": {"reference": f"Patient/{own}"}, "type": "seealso"}]}
    resp = fhir.session.post(
        f"{fhir.base}/Patient",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/fhir+json",
            "If-None-Exist": f"_id={other_patient}",
        },
        data=json.dumps(body),
        timeout=60,
    )
    assert resp.status_code == 403, resp.text[:300]
    assert other_patient not in resp.text


def test_conditional_entry_of_a_transaction_refused(fhir, writer, other_patient) -> None:
    token, own = writer
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": _observation(own),
                "request": {"method": "POST", "url": "Observation", "ifNoneExist": f"subject=Patient/{other_patient}"},
            }
        ],
    }
    resp = fhir.send("POST", "", token, bundle)
    assert resp.status_code == 403, resp.text[:300]


def test_write_into_another_patients_record_refused(fhir, writer, other_patient) -> None:
    token, own = writer
    side_door = fhir.send("POST", "Observation", token, _observation(other_patient, performer=own))
    assert side_door.status_code == 403, side_door.text[:300]
    linked = {"resourceType": "Patient", "link": [{"other": {"reference": f"Patient/{own}"}, "type": "seealso"}]}
    assert fhir.send("POST", "Patient", token, linked).status_code == 403
    group = {
        "resourceType": "Group",
        "type": "person",
        "actual": True,
        "member": [{"entity": {"reference": f"Patient/{own}"}}, {"entity": {"reference": f"Patient/{other_patient}"}}],
    }
    assert fhir.send("POST", "Group", token, group).status_code == 403


def test_own_write_still_allowed(fhir, writer, system_write_token) -> None:
    token, own = writer
    if fhir.get(f"Patient/{own}", system_write_token).status_code != 200:
        pytest.skip(f"Patient/{own} is not in the sample data: nothing of the patient's own to write against")
    made = fhir.send("POST", "Observation", token, _observation(own))
    assert made.status_code == 201, made.text[:300]
    assert fhir.send("DELETE", f"Observation/{made.json()['id']}", system_write_token).status_code in (200, 204)
