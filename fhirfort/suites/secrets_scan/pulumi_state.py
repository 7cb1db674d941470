"""The mocked Pulumi stack (fhirfort.aws.mocked): resource inputs and mock state, and the stack outputs.

A value under an input the program marked secret is expected to be a secret (Pulumi encrypts it in the state);
secret material anywhere else is a finding.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Callable
from typing import Any

from fhirfort.suites.secrets_scan.detector import Hit, scan_text


def _dump(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, default=str)


def _decoded(props: dict[str, Any]) -> dict[str, Any]:
    """Launch template user data is base64: scan what the hosts will run, not its encoding."""
    out = dict(props)
    data = out.get("userData")
    if isinstance(data, str):
        with contextlib.suppress(ValueError):  # not base64 after all: scan it as it is
            out["userData"] = base64.b64decode(data, validate=True).decode("utf-8", "replace")
    return out


def scan(stack: str, progress: Callable[[str], None]) -> tuple[list[Hit], dict[str, Any]]:
    from fhirfort.aws import mocked

    run = mocked.evaluate_stack(stack)
    resources = mocked.declare_stack(stack)
    hits: list[Hit] = []
    for r in resources:
        public_props = {k: v for k, v in _decoded(r.props).items() if k not in r.secret_paths}
        state = mocked.mock_outputs(r.type, r.name, r.props)[1]
        public_state = {k: v for k, v in _decoded(state or {}).items() if k not in r.secret_paths}
        hits += scan_text(_dump({"props": public_props, "state": public_state}), "pulumi", f"{stack}:{r.urn}")
    public_outputs = {k: v for k, v in run.outputs.items() if k not in run.secret_outputs}
    hits += scan_text(_dump(public_outputs), "pulumi", f"{stack}:outputs")
    meta = {
        "stack": stack,
        "resources": len(resources),
        "outputs": len(run.outputs),
        "secret_outputs": sorted(run.secret_outputs),
        "secret_inputs": sorted({f"{r.type}.{p}" for r in resources for p in r.secret_paths}),
    }
    progress(f"secrets-scan: pulumi {stack}: {len(resources)} resources, {len(hits)} hits")
    return hits, meta
