"""The spec loader accepts the repository's spec and names the key of every bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from fhirfort.spec import SPEC_DIR, SpecError, load_spec, spec


def test_repository_spec_loads() -> None:
    s = spec()
    assert set(s.topology.tiers) == {"public", "app", "data", "mgmt"}
    assert s.tls.protocols == ("TLSv1.2", "TLSv1.3")
    assert s.retention.audit_retention_floor_days >= 2190


def test_every_flow_names_a_known_service() -> None:
    s = spec()
    for flow in s.flows:
        assert flow.service in s.services


def _spec_copy(tmp_path: Path) -> Path:
    target = tmp_path / "spec"
    shutil.copytree(SPEC_DIR, target)
    return target


def _edit(path: Path, change: callable) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


@pytest.mark.parametrize(
    ("filename", "change", "message"),
    [
        ("tiers.yaml", lambda d: d["hosts"]["db"].update(address="198.18.20.50"), "hosts.db.address"),
        ("tiers.yaml", lambda d: d.update(controller_link="198.18.10.0/30"), "overlap"),
        ("tiers.yaml", lambda d: d["hosts"]["edge"].update(address="198.18.10.1"), "gateway"),
        ("tls.yaml", lambda d: d.update(protocols=["TLSv1.1", "TLSv1.2"]), "protocols"),
        ("tls.yaml", lambda d: d["tls12_ciphers"].append("AES128-SHA"), "tls12_ciphers"),
        ("tls.yaml", lambda d: d["alb"].update(default_policy="ELBSecurityPolicy-2016-08"), "default_policy"),
        ("retention.yaml", lambda d: d["log_retention_days"].update(prod=30), "log_retention_days.prod"),
        ("retention.yaml", lambda d: d.update(audit_retention_floor_days=365), "six years"),
        ("retention.yaml", lambda d: d["local"]["log_store"].update(resume_free_percent=5), "resume_free_percent"),
        ("retention.yaml", lambda d: d["local"]["log_store"].update(size_mib=8), "size_mib"),
        ("identity.yaml", lambda d: d["allowed_token_algorithms"].append("HS256"), "HS256"),
        ("flows.yaml", lambda d: d["flows"][0].update(service="telnet"), "telnet"),
        ("services.yaml", lambda d: d["services"]["https"].update(port=70000), "70000"),
    ],
)
def test_bad_spec_names_the_key(tmp_path: Path, filename: str, change: callable, message: str) -> None:
    spec_dir = _spec_copy(tmp_path)
    _edit(spec_dir / filename, change)
    with pytest.raises(SpecError, match=message):
        load_spec(spec_dir)


def test_missing_file_is_named(tmp_path: Path) -> None:
    spec_dir = _spec_copy(tmp_path)
    (spec_dir / "tls.yaml").unlink()
    with pytest.raises(SpecError, match=r"tls\.yaml: file missing"):
        load_spec(spec_dir)
