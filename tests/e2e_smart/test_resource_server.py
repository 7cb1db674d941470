"""SMART resource server end to end: tokens from Keycloak, requests through the edge (host tier)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.host

ROOT = Path(__file__).resolve().parents[2]


def _claims(token: str) -> dict[str, Any]:
    p = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


def test_discovery_and_metadata_open(fhir) -> None:
    conf = fhir.get(".well-known/smart-configuration").json()
    assert conf["code_challenge_methods_supported"] == ["S256"]
    assert "private_key_jwt" in conf["token_endpoint_auth_methods_supported"]
    assert conf["token_endpoint"].startswith(conf["issuer"])
    # the patient arrives in the token response (keycloak-extension), so the standalone patient context is real
    assert {"launch-standalone", "context-standalone-patient", "permission-v2"} <= set(conf["capabilities"])
    meta = fhir.get("metadata")
    assert meta.status_code == 200
    ext = meta.json()["rest"][0]["security"]["extension"]
    assert any(e["url"].endswith("/oauth-uris") for e in ext)


def test_no_token_is_401_with_challenge(fhir) -> None:
    resp = fhir.get("Patient")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith('Bearer realm="fhir"')
    assert resp.json()["resourceType"] == "OperationOutcome"


def test_forged_token_is_401_invalid_token(fhir, system_token) -> None:
    header, _body, sig = system_token.split(".")
    claims = _claims(system_token)
    claims["scope"] = "system/*.cruds system/AuditEvent.rs"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for token in (f"{header}.{forged_body}.{sig}", "eyJhbGciOiJub25lIn0." + forged_body + "."):
        resp = fhir.get("Patient", token)
        assert resp.status_code == 401, resp.text
        assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]
        assert "Exception" not in resp.text


def test_open_paths_are_exact(fhir, system_token) -> None:
    """Only the exact open paths skip the token check: a path parameter that the servlet container strips (HAPI
    reads the raw URI) needs a valid token like any other path; a padded token is no token. (Encoded spellings
    are covered by the unit tests: the HTTP client here normalises them before sending.)"""
    resp = fhir.get("metadata;x=1", "eyJhbGciOiJub25lIn0.e30.x")
    assert resp.status_code in (400, 401, 403, 404), resp.status_code
    padded = fhir.get("Patient?_count=1", system_token + "==")
    assert padded.status_code == 401, padded.text[:200]


def test_backend_token_reads_patients(fhir, system_token) -> None:
    resp = fhir.get("Patient?_count=5", system_token)
    assert resp.status_code == 200, resp.text
    assert resp.json()["resourceType"] == "Bundle"


def test_read_only_scope_cannot_write_403(fhir, system_token) -> None:
    resp = fhir.send("POST", "Patient", system_token, {"resourceType": "Patient", "active": True})
    assert resp.status_code == 403, resp.text
    assert 'error="insufficient_scope"' in resp.headers["WWW-Authenticate"]


def test_audit_events_not_writable_nor_readable_with_wildcards(fhir, system_token, system_write_token) -> None:
    assert fhir.get("AuditEvent?_count=1", system_token).status_code == 403
    ae = {"resourceType": "AuditEvent", "recorded": "2026-01-01T00:00:00Z", "type": {"code": "rest"}}
    assert fhir.send("POST", "AuditEvent", system_write_token, ae).status_code == 403
    assert fhir.send("PUT", f"AuditEvent/{uuid.uuid4()}", system_write_token, {**ae, "id": "x"}).status_code in (
        400,
        403,
    )


def _patient_id(fhir, token: str) -> str:
    bundle = fhir.get("Patient?_count=1", token).json()
    entries = bundle.get("entry") or []
    if not entries:
        pytest.skip("no Patient in the lab database (sample data not loaded)")
    return str(entries[0]["resource"]["id"])


def test_n_reads_give_n_audit_events(fhir, system_token, audit_token) -> None:
    pid = _patient_id(fhir, system_token)
    marker = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 2))

    def count() -> int:
        # no-cache: HAPI reuses an identical search's results for a minute (the first count would stick)
        resp = fhir.get(
            f"AuditEvent?patient=Patient/{pid}&subtype=read&date=ge{marker}&_summary=count",
            audit_token,
            headers={"Cache-Control": "no-cache"},
        )
        assert resp.status_code == 200, resp.text
        return int(resp.json()["total"])

    before = count()
    n = 5
    for _ in range(n):
        assert fhir.get(f"Patient/{pid}", system_token).status_code == 200
    deadline = time.time() + 20
    while count() < before + n and time.time() < deadline:
        time.sleep(0.5)
    assert count() == before + n


def test_patient_token_sees_only_its_compartment(fhir, patient_tokens, system_token) -> None:
    token = patient_tokens["access_token"]
    pid = _claims(token).get("patient")
    assert pid, "the patient token has no patient claim"
    own = fhir.get(f"Patient/{pid}", token)
    assert own.status_code in (200, 404), own.text
    others = [
        e["resource"]["id"]
        for e in fhir.get("Patient?_count=20", system_token).json().get("entry", [])
        if e["resource"]["id"] != pid
    ]
    if others:
        assert fhir.get(f"Patient/{others[0]}", token).status_code == 403
    search = fhir.get("Observation?_count=50", token)
    assert search.status_code == 200, search.text
    for e in search.json().get("entry", []):
        assert e["resource"].get("subject", {}).get("reference") == f"Patient/{pid}"


def test_disclosure_report_produced(fhir, system_token, audit_token, tmp_path) -> None:
    pid = _patient_id(fhir, system_token)
    assert fhir.get(f"Patient/{pid}", system_token).status_code == 200
    time.sleep(2)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "fhirfort.reports.cli_disclosures",
            "--patient",
            pid,
            "--token",
            audit_token,
            "--out-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / f"disclosures-{pid}.csv").read_text().count("\n") >= 2
    assert "fhirfort-backend" in (tmp_path / f"disclosures-{pid}.md").read_text()
