"""Large request bodies, generated at run time from a small spec in the corpus (`body_gen`)."""

from __future__ import annotations

import json
from typing import Any


class BodyGenError(ValueError):
    """Unknown body generator or bad parameters."""


def _padded_json(mib: int) -> bytes:
    pad = "A" * (mib * 1024 * 1024)
    return json.dumps({"resourceType": "Patient", "name": [{"family": "Pad", "text": pad}]}).encode()


def _nested_json(depth: int) -> bytes:
    inner = '"x"'
    for _ in range(depth):
        inner = '{"extension":[' + inner + "]}"
    return ('{"resourceType":"Patient","extension":[' + inner + "]}").encode()


def _nested_xml(depth: int) -> bytes:
    return (
        '<?xml version="1.0"?><Patient xmlns="http://hl7.org/fhir">'
        + "<extension>" * depth
        + "</extension>" * depth
        + "</Patient>"
    ).encode()


def _wide_bundle(entries: int) -> bytes:
    items = [
        {"resource": {"resourceType": "Basic", "code": {"text": str(i)}}, "request": {"method": "POST", "url": "Basic"}}
        for i in range(entries)
    ]
    return json.dumps({"resourceType": "Bundle", "type": "batch", "entry": items}).encode()


def _wide_array(items: int) -> bytes:
    return json.dumps({"resourceType": "Patient", "name": [{"given": ["g"] * items}]}).encode()


def _form_args(count: int) -> bytes:
    return "&".join(f"a{i}=x" for i in range(count)).encode()


def _quadratic_blowup(entity_len: int, refs: int) -> bytes:
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY a "{"x" * entity_len}">]>'
        '<Patient xmlns="http://hl7.org/fhir"><name><family value="' + "&a;" * refs + '"/></name></Patient>'
    )
    return doc.encode()


def _encoded_text(text: str, encoding: str) -> bytes:
    """A text body in another encoding (EBCDIC, ...): JSON Lines keeps only what survives as UTF-8 lines."""
    return text.encode(encoding)


GENERATORS: dict[str, Any] = {
    "padded_json": _padded_json,
    "nested_json": _nested_json,
    "nested_xml": _nested_xml,
    "wide_bundle": _wide_bundle,
    "wide_array": _wide_array,
    "form_args": _form_args,
    "quadratic_blowup": _quadratic_blowup,
    "encoded_text": _encoded_text,
}


def generate(spec: dict[str, Any]) -> bytes:
    params = dict(spec)
    kind = params.pop("kind", None)
    fn = GENERATORS.get(str(kind))
    if fn is None:
        raise BodyGenError(f"unknown body generator {kind!r}")
    try:
        return bytes(fn(**params))
    except TypeError as exc:
        raise BodyGenError(f"body generator {kind}: {exc}") from exc
