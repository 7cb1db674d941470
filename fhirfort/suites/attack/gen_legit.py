"""Legitimate FHIR requests that look dangerous but are valid: they read the sample data (data/sample, fixed
ids) or create synthetic resources tagged `https://fhirfort.test/tags|attack-suite` (deleted after a run)."""

from __future__ import annotations

import base64
import random
import uuid

from fhirfort.suites.attack import gen_findings
from fhirfort.suites.attack.corpus import Entry
from fhirfort.suites.attack.gen_common import (
    ACCEPT_XML,
    CLEANUP_TAG,
    FJ,
    FX,
    XHTML_NS,
    Builder,
    dumps,
    narrative,
    observation,
    patient,
    q,
    search,
    xml_attr,
    xml_resource,
)

SAMPLE_PATIENTS = [
    "p-obrien",
    "p-smith-jones",
    "p-nguyen",
    "p-garcia",
    "p-okafor",
    "p-muller",
    "p-dangelo",
    "p-van-der-berg",
    "p-kowalski",
    "p-lee",
]
SAMPLE_FAMILIES = [
    "O'Brien",
    "Smith-Jones",
    "Nguyen",
    "García",
    "Okafor",
    "Müller",
    "D'Angelo",
    "van der Berg",
    "Kowalski",
    "Lee",
]
CODES = ["8480-6", "8462-4", "29463-7"]
SYNTH_FAMILIES = [
    "O'Connor",
    "D'Souza",
    "Al-Sayed",
    "St. John",
    "Smith-Jones",
    "O'Brien",
    "D'Angelo",
    "Nic an tSaoi",
    "Müller-Lüdenscheidt",
    "García-Márquez",
    "N'Diaye",
    "Ó Súilleabháin",
    "Fitz-Gerald",
    "de la Cruz",
    "Van't Hoff",
]
SYNTH_GIVEN = ["Anne-Marie", "Jean-Luc", "Zoë", "Seán", "Renée", "José", "Mary Kate", "Li", "Øyvind", "Siobhán"]
NOTES = [
    "Pt states: 'I can't sleep' -- wakes 2-3x/night",
    "BP > 140/90 on 2 readings; select follow-up in 2 weeks",
    "Drop-in visit; union rep present at patient's request",
    "O'Brien's script refill (Rx) for 'amoxicillin' 500 mg; 1 tab q8h",
    "Order: CBC & BMP; if WBC > 11 then call on-call MD",
    "Allergies: none known; continue current meds (see list)",
    "Use < 5 mL per dose; max 4 doses/day",
    "X-ray of L-spine: 'no acute findings'",
    "Pain 7/10 -> 3/10 after 1 g paracetamol",
    "Smoker: 20 pack-years; advised to quit (declined)",
    "Family hx: father -- MI at 54; mother -- T2DM",
    "Insert order: PICC line; delete old peripheral IV",
    "Weight 82.5 kg; height 1.80 m; BMI = 25.5",
    'Pt asks: "Is it OK to drink alcohol?" -> advised no',
    "Review in 6/52; sooner if symptoms worsen or 'if in doubt'",
    "Temp 38.2 C at 02:00; 37.1 C at 06:00",
    "Wound: 3 x 2 cm; edges clean; dressing changed (select: foam)",
    "GCS 15/15; pupils PERL; no focal deficit",
    "Referred to ENT -- 'urgent' per protocol #4",
    "HbA1c 7.2% (was 8.1%); metformin 1 g bd continues",
]
NARRATIVES = [
    "<p>Patient <b>{name}</b>, seen in clinic.</p>",
    "<table><thead><tr><th>Item</th><th>Value</th></tr></thead><tbody><tr><td>MRN</td><td>{mrn}</td></tr>"
    "<tr><td>Name</td><td>{name}</td></tr></tbody></table>",
    "<ul><li>Allergy: penicillin</li><li>Smoker: no</li><li>Name: {name}</li></ul>",
    "<ol><li>Check BP</li><li>Review meds &amp; labs</li></ol><p><i>{name}</i></p>",
    "<h3>Summary</h3><p>{name} &lt;DOB 1980-01-01&gt;</p><br/><p>Follow-up: 2 weeks</p>",
    '<p>See <a href="https://fhirfort.test/docs/care-plan">care plan</a> for {name}.</p>',
    "<pre>BP   120/80\nHR   72</pre><p>{name}</p>",
    '<p><span style="font-weight:bold">{name}</span> (preferred)</p>',
    '<p>{name}</p><img src="#photo-1" alt="patient photo"/>',
    '<div class="hapiHeaderText">{name} <b>{upper}</b></div><table class="hapiPropertyTable"><tbody><tr>'
    "<td>Identifier</td><td>{mrn}</td></tr></tbody></table>",
]
NARRATIVE_NOTES = {7: "style attribute (allowed by FHIR)", 8: "img referencing a contained attachment"}


def _rng() -> random.Random:
    return random.Random(20261123)  # noqa: S311 (reproducible synthetic data)


def reads(b: Builder) -> None:
    for pid in SAMPLE_PATIENTS:
        b.add("read", "GET", f"{{base}}/Patient/{pid}", note="read a sample Patient")
        b.add("read", "GET", f"{{base}}/Patient/{pid}?_format=json", note="_format=json")
        b.add("read", "GET", f"{{base}}/Patient/{pid}?_format=xml", headers=[ACCEPT_XML], note="_format=xml")
        b.add("read", "GET", f"{{base}}/Patient/{pid}?_summary=true", note="_summary=true")
        b.add("read", "GET", f"{{base}}/Patient/{pid}?" + q([("_elements", "name,birthDate,gender")]), note="_elements")
        b.add("read", "GET", f"{{base}}/Patient/{pid}/_history", note="instance history")
        for code in CODES:
            b.add("read", "GET", f"{{base}}/Observation/o-{pid[2:]}-{code}", note="read a sample Observation")
    b.add("read", "GET", "{base}/metadata", note="CapabilityStatement")
    b.add("read", "GET", "{base}/metadata?_format=application/fhir%2Bjson&_pretty=true", note="_format mime + _pretty")
    b.add("read", "GET", "{base}/Encounter/e-obrien-1", note="read the sample Encounter")
    b.add("read", "GET", "{base}/Patient/p-obrien/_history/1", note="vread")


def name_searches(b: Builder) -> None:
    for fam in SAMPLE_FAMILIES:
        b.add("search_names", "GET", search("Patient", [("name", fam)]), note="name with apostrophe/hyphen/diacritics")
        b.add("search_names", "GET", search("Patient", [("family:exact", fam)]), note=":exact")
        b.add("search_names", "GET", search("Patient", [("name:contains", fam[1:5])]), note=":contains")
    for fam in SYNTH_FAMILIES:
        b.add("search_names", "GET", search("Patient", [("family", fam), ("_count", "5")]), note="synthetic name")
    for given in SYNTH_GIVEN:
        b.add("search_names", "GET", search("Patient", [("given", given)]), note="given name with hyphen/diacritics")
    b.add("search_names", "GET", search("Patient", [("name", "O'Brien"), ("given", "Sean")]), note="two name params")
    b.add("search_names", "GET", search("Patient", [("family:missing", "false"), ("_sort", "family")]), note=":missing")
    b.add("search_names", "GET", search("Patient", [("name", "o'b")]), note="prefix match with apostrophe")


def clinical_searches(b: Builder) -> None:
    cls = "search_clinical"
    for pid in SAMPLE_PATIENTS:
        for code in CODES:
            b.add(
                cls,
                "GET",
                search("Observation", [("subject", f"Patient/{pid}"), ("code", f"http://loinc.org|{code}")]),
                note="token system|code with subject",
            )
    for prefix in ["ge", "le", "gt", "lt", "eq", "ne", "sa", "eb"]:
        b.add(
            cls,
            "GET",
            search("Observation", [("date", f"{prefix}2024-01-01"), ("_count", "10")]),
            note=f"date {prefix}",
        )
    b.add(cls, "GET", search("Observation", [("date", "ge2020-01-01"), ("date", "le2030-12-31")]), note="date range")
    b.add(cls, "GET", search("Observation", [("date", "ge2024-01-01T00:00:00Z")]), note="date-time prefix")
    for v in ["gt100", "le80", "ge120|http://unitsofmeasure.org|mm[Hg]", "lt30", "ap25", "ne0"]:
        b.add(cls, "GET", search("Observation", [("value-quantity", v)]), note="quantity prefix")
    for fam in SAMPLE_FAMILIES:
        b.add(cls, "GET", search("Observation", [("subject:Patient.name", fam)]), note="chained search")
    for code in CODES:
        b.add(cls, "GET", search("Patient", [("_has:Observation:patient:code", code)]), note="_has reverse chain")
        b.add(
            cls,
            "GET",
            search("Patient", [("_has:Observation:subject:code", f"http://loinc.org|{code}")]),
            note="_has with system",
        )
    combos = [
        [("_include", "Observation:subject")],
        [("_include", "Observation:patient"), ("_count", "5")],
        [("_revinclude", "Provenance:target")],
        [("_include", "Observation:encounter"), ("_sort", "-date")],
        [("_include:iterate", "Encounter:subject"), ("_include", "Observation:encounter")],
        [("code", "http://loinc.org|8480-6,http://loinc.org|8462-4"), ("_sort", "-date"), ("_count", "20")],
        [("status", "final"), ("category", "vital-signs")],
        [("_summary", "count")],
        [("_elements", "code,valueQuantity"), ("_count", "3")],
        [("_sort", "-date"), ("_count", "1")],
        [("code:text", "blood pressure")],
        [("subject:missing", "false"), ("_count", "5")],
        [("_total", "accurate"), ("_count", "1")],
        [("_id", "o-obrien-8480-6,o-lee-8462-4")],
        [("_lastUpdated", "gt2020-01-01")],
        [("_tag:not", "https://fhirfort.test/tags|attack-suite")],
    ]
    for combo in combos:
        b.add(cls, "GET", search("Observation", combo), note="search result parameters")
    pat = [
        [("_revinclude", "Observation:subject"), ("_id", "p-obrien")],
        [("_revinclude", "Encounter:subject"), ("name", "O'Brien")],
        [("birthdate", "ge1950-01-01"), ("birthdate", "lt2000-01-01")],
        [("gender", "female"), ("_sort", "-birthdate")],
        [("identifier", "https://fhirfort.test/mrn|SUITE-0001")],
        [("_summary", "true"), ("_count", "5")],
        [("_format", "json"), ("name", "Smith-Jones")],
        [("_content", "O'Brien")],
    ]
    for combo in pat:
        b.add(cls, "GET", search("Patient", combo), note="patient search")
    b.add(
        cls,
        "GET",
        search("Encounter", [("patient", "Patient/p-obrien"), ("_include", "Encounter:patient")]),
        note="encounter",
    )


def _synthetic_patient(rng: random.Random, i: int) -> dict:
    fam = SYNTH_FAMILIES[i % len(SYNTH_FAMILIES)]
    given = SYNTH_GIVEN[i % len(SYNTH_GIVEN)]
    mrn = f"SUITE-{i:04d}"
    tmpl = NARRATIVES[i % len(NARRATIVES)]
    div = tmpl.format(name=f"{given} {fam}".replace("&", "&amp;"), mrn=mrn, upper=fam.upper())
    return patient(
        fam,
        given,
        text=narrative(div),
        identifier=[{"system": "https://fhirfort.test/mrn", "value": mrn}],
        telecom=[{"system": "email", "value": f"{given.split()[0].lower()}.{i}@example.org"}],
        birthDate=f"{rng.randint(1930, 2015)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        address=[{"line": [f"{rng.randint(1, 99)} O'Connell St. Apt #{rng.randint(1, 9)}"], "city": "Dún Laoghaire"}],
    )


def creates(b: Builder) -> None:
    rng = _rng()
    for i in range(30):
        body = _synthetic_patient(rng, i)
        note = NARRATIVE_NOTES.get(i % len(NARRATIVES), "Patient with narrative XHTML, apostrophes")
        b.add("create_json", "POST", "{base}/Patient", headers=[FJ], body=dumps(body), note=note)
    for i, text in enumerate(NOTES):
        body = observation(text, subject=f"Patient/{SAMPLE_PATIENTS[i % 10]}")
        b.add("create_json", "POST", "{base}/Observation", headers=[FJ], body=dumps(body), note="clinical free text")


def _xml_patient(fam: str, given: str, extra: str = "") -> str:
    fam_x = fam.replace("&", "&amp;").replace("'", "&apos;")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Patient xmlns="http://hl7.org/fhir">'
        f'<meta><tag><system value="{CLEANUP_TAG["system"]}"/><code value="{CLEANUP_TAG["code"]}"/></tag></meta>'
        f'<text><status value="generated"/><div xmlns="{XHTML_NS}"><p>{given} {fam_x}</p><table><tr><td>Note</td>'
        "<td>x &lt; 5 &amp; y &gt; 2</td></tr></table></div></text>"
        f'<name><family value="{fam_x}"/><given value="{given}"/></name>{extra}</Patient>'
    )


def xml_creates(b: Builder) -> None:
    for i in range(8):
        fam, given = SYNTH_FAMILIES[i], SYNTH_GIVEN[i]
        b.add(
            "create_xml",
            "POST",
            "{base}/Patient",
            headers=[FX, ACCEPT_XML],
            body=_xml_patient(fam, given),
            note="FHIR XML with meta and XHTML narrative",
        )
    link = '<link><other><reference value="Patient/p-obrien"/></other><type value="seealso"/></link>'
    b.add(
        "create_xml",
        "POST",
        "{base}/Patient",
        headers=[FX],
        body=_xml_patient("Link", "Pat", link),
        note="FHIR XML Patient.link element",
    )
    med = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Medication xmlns="http://hl7.org/fhir">'
        f'<meta><tag><system value="{CLEANUP_TAG["system"]}"/><code value="{CLEANUP_TAG["code"]}"/></tag></meta>'
        '<code><text value="Amoxicillin 500 mg"/></code>'
        '<form><text value="capsule"/></form></Medication>'
    )
    b.add("create_xml", "POST", "{base}/Medication", headers=[FX], body=med, note="FHIR XML Medication.form element")
    # Clinical prose in XML attributes: the same free text the JSON corpus carries, where FHIR XML keeps it.
    for i, text in enumerate(NOTES[:8]):
        inner = (
            '<status value="final"/><code><text value="Clinical note"/></code>'
            f'<subject><reference value="Patient/{SAMPLE_PATIENTS[i % 10]}"/></subject>'
            f'<note><text value="{xml_attr(text)}"/></note><valueString value="{xml_attr(text)}"/>'
        )
        b.add(
            "create_xml",
            "POST",
            "{base}/Observation",
            headers=[FX],
            body=xml_resource("Observation", inner),
            note="clinical free text in XML attributes (valueString, note.text)",
        )


def conditional(b: Builder) -> None:
    rng = _rng()
    for i in range(10):
        body = _synthetic_patient(rng, 100 + i)
        mrn = body["identifier"][0]["value"]
        b.add(
            "conditional",
            "POST",
            "{base}/Patient",
            headers=[FJ, ("If-None-Exist", q([("identifier", f"https://fhirfort.test/mrn|{mrn}")]))],
            body=dumps(body),
            note="conditional create (If-None-Exist)",
        )


def transactions(b: Builder) -> None:
    rng = _rng()
    for i in range(10):
        pid = f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        pat = _synthetic_patient(rng, 200 + i)
        entries = [{"fullUrl": pid, "resource": pat, "request": {"method": "POST", "url": "Patient"}}]
        for code, val in (("8480-6", 110 + i), ("8462-4", 70 + i)):
            obs = observation(NOTES[(i + len(entries)) % len(NOTES)], subject=pid)
            obs.pop("valueString")
            obs["code"] = {"coding": [{"system": "http://loinc.org", "code": code}]}
            obs["valueQuantity"] = {
                "value": val,
                "unit": "mmHg",
                "system": "http://unitsofmeasure.org",
                "code": "mm[Hg]",
            }
            obs["note"] = [{"text": NOTES[(i * 2 + len(entries)) % len(NOTES)]}]
            entries.append(
                {
                    "fullUrl": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                    "resource": obs,
                    "request": {"method": "POST", "url": "Observation"},
                }
            )
        bundle = {"resourceType": "Bundle", "type": "transaction" if i % 3 else "batch", "entry": entries}
        b.add("transaction", "POST", "{base}", headers=[FJ], body=dumps(bundle), note=f"{bundle['type']} Bundle")


def attachments(b: Builder) -> None:
    rng = _rng()
    for i in range(8):
        text = (
            f"Discharge summary {i}\nPatient: {SYNTH_GIVEN[i]} {SYNTH_FAMILIES[i]}\n"
            f"Plan: 'continue' meds; review < 2 weeks; SELECT diet\n"
        ).encode()
        payload = text + bytes(rng.getrandbits(8) for _ in range(64 * (i + 1)))
        doc = {
            "resourceType": "DocumentReference",
            "meta": {"tag": [CLEANUP_TAG]},
            "status": "current",
            "subject": {"reference": f"Patient/{SAMPLE_PATIENTS[i]}"},
            "content": [
                {
                    "attachment": {
                        "contentType": "application/octet-stream",
                        "data": base64.b64encode(payload).decode(),
                        "title": f"summary-{i}.bin",
                    }
                }
            ],
        }
        b.add("attachment", "POST", "{base}/DocumentReference", headers=[FJ], body=dumps(doc), note="base64 attachment")
    binary = {
        "resourceType": "Binary",
        "meta": {"tag": [CLEANUP_TAG]},
        "contentType": "text/plain",
        "data": base64.b64encode(b"<p>plain text with <b>markup</b> & 'quotes'</p>").decode(),
    }
    b.add("attachment", "POST", "{base}/Binary", headers=[FJ], body=dumps(binary), note="Binary with base64 data")
    photo = patient(
        "Photo", "Pat", photo=[{"contentType": "image/png", "data": base64.b64encode(bytes(range(256))).decode()}]
    )
    b.add("attachment", "POST", "{base}/Patient", headers=[FJ], body=dumps(photo), note="Patient.photo base64")


def post_searches(b: Builder) -> None:
    form = ("Content-Type", "application/x-www-form-urlencoded")
    for fam in SAMPLE_FAMILIES:
        b.add(
            "search_post",
            "POST",
            "{base}/Patient/_search",
            headers=[form],
            body=q([("name", fam), ("_count", "5")]),
            note="POST _search form",
        )


def operations(b: Builder) -> None:
    for pid in SAMPLE_PATIENTS[:5]:
        b.add("operation", "GET", f"{{base}}/Patient/{pid}/$everything?_count=20", note="$everything")
    for i, fam in enumerate(["O'Brien", "D'Angelo", "Smith-Jones"]):
        params = {
            "resourceType": "Parameters",
            "parameter": [{"name": "resource", "resource": patient(fam, SYNTH_GIVEN[i])}],
        }
        b.add("operation", "POST", "{base}/Patient/$validate", headers=[FJ], body=dumps(params), note="$validate")


def own_lifecycle(b: Builder) -> None:
    """PUT by a fixed id (phase 0), JSON Patch and update (phase 1), delete (phase 2)."""
    rng = _rng()
    for i in range(15):
        group = f"leg-own-{i:03d}"
        rid = f"fhirfort-suite-{i:03d}"
        body = _synthetic_patient(rng, 300 + i)
        body["id"] = rid
        b.add(
            "own",
            "PUT",
            f"{{base}}/Patient/{rid}",
            headers=[FJ],
            body=dumps(body),
            note="update-as-create by id",
            ident=f"{group}-put",
        )
        ops = [
            {"op": "replace", "path": "/name/0/family", "value": SYNTH_FAMILIES[(i + 3) % len(SYNTH_FAMILIES)]},
            {"op": "add", "path": "/name/0/given/-", "value": SYNTH_GIVEN[(i + 1) % len(SYNTH_GIVEN)]},
            {"op": "test", "path": "/id", "value": rid},
        ]
        b.add(
            "own",
            "PATCH",
            f"{{base}}/Patient/{rid}",
            headers=[("Content-Type", "application/json-patch+json")],
            body=dumps(ops),
            phase=1,
            note="JSON Patch",
            ident=f"{group}-patch",
        )  # type: ignore[arg-type]
        b.add("own", "DELETE", f"{{base}}/Patient/{rid}", phase=2, note="delete own resource", ident=f"{group}-delete")


def generate() -> list[Entry]:
    b = Builder("legit", "leg")
    for family in (
        reads,
        name_searches,
        clinical_searches,
        creates,
        xml_creates,
        conditional,
        transactions,
        attachments,
        post_searches,
        operations,
        own_lifecycle,
    ):
        family(b)
    gen_findings.legit(b)  # red-team findings 2026-12, appended so earlier ids stay stable
    return b.entries
