"""fhirfort: a hardened FHIR deployment kit (AWS via Pulumi, local hosts via Ansible)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["REPO_ROOT"]
