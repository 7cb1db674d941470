"""The pack through CrossGuard's own analyzer servicer (what `pulumi preview --policy-pack` talks to)."""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer


def _servicer(policies: dict[str, Any]) -> Any:
    return _PolicyAnalyzerServicer("fhirfort-hipaa", "0.1.0", list(policies.values()), EnforcementLevel.MANDATORY)


def test_analyzer_info_carries_controls_and_citations(policies: dict[str, Any]) -> None:
    info = _servicer(policies).GetAnalyzerInfo(None, None)
    assert len(info.policies) == len(policies)
    first = {p.name: p for p in info.policies}["rds-11-parameter-group-force-ssl"]
    assert first.framework.name == "HIPAA Security Rule"
    assert "164.312(e)(1)" in first.framework.reference
    assert "RDS-11" in list(first.tags)


def test_analyze_reports_wire_form_violations(policies: dict[str, Any]) -> None:
    props = struct_pb2.Struct()
    props.update({"engine": "postgres", "storageEncrypted": False, "tags": {"fhirfort:environment": "dev"}})
    request = proto.AnalyzeRequest(
        type="aws:rds/instance:Instance",
        properties=props,
        urn="urn:pulumi:dev::fhirfort::aws:rds/instance:Instance::db",
        name="db",
    )
    response = _servicer(policies).Analyze(request, None)
    names = {d.policyName for d in response.diagnostics}
    assert "rds-01-storage-encrypted" in names
    assert "rds-04-multi-az-prod" not in names  # dev resource: prod-only control does not apply
