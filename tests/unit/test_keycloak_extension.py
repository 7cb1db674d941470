"""The kit's Keycloak extension is wired consistently: same Keycloak version as the role installs, the provider id
the realm names is the one the Java class declares, and the service file registers that class."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "keycloak-extension"
MAPPER = MODULE / "src/main/java/org/fhirfort/keycloak/SmartPatientContextMapper.java"


def test_built_against_the_keycloak_the_role_installs() -> None:
    pom_version = re.search(r"<keycloak.version>([^<]+)</keycloak.version>", (MODULE / "pom.xml").read_text())
    defaults = yaml.safe_load((ROOT / "roles/identity/defaults/main.yml").read_text())
    assert pom_version and pom_version.group(1) == defaults["identity_keycloak_version"]


def test_realm_names_the_provider_the_class_declares() -> None:
    provider_id = re.search(r'PROVIDER_ID = "([^"]+)"', MAPPER.read_text())
    assert provider_id
    realm = (ROOT / "roles/identity/templates/realm.yml.j2").read_text()
    assert f"protocolMapper: {provider_id.group(1)}" in realm


def test_service_file_registers_the_mapper() -> None:
    services = MODULE / "src/main/resources/META-INF/services/org.keycloak.protocol.ProtocolMapper"
    assert services.read_text().split() == ["org.fhirfort.keycloak.SmartPatientContextMapper"]


def test_the_playbook_installs_the_built_jar() -> None:
    group_vars = (ROOT / "playbooks/group_vars/all.yml").read_text()
    assert "keycloak-extension/target/fhirfort-keycloak-extension.jar" in group_vars
    build = (MODULE / "build.sh").read_text()
    assert "fhirfort-keycloak-extension.jar" in build
