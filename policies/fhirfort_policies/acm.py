"""ACM certificates for the ALB (ACM-*)."""

from __future__ import annotations

from collections.abc import Iterator

from . import types as t
from ._base import MANDATORY, FhirfortResourcePolicy, Res

WEAK_KEYS = frozenset({"RSA_1024"})


def _managed_renewal(r: Res) -> Iterator[str]:
    if r.get("privateKey") or r.get("certificateBody"):
        yield "the certificate is imported: ACM cannot renew it before it expires"
    elif r.get("domainName") and r.get("validationMethod") != "DNS":
        yield f"validationMethod is {r.get('validationMethod')!r}: only DNS validation renews unattended"


def _strong_public_cert(r: Res) -> Iterator[str]:
    if r.get("keyAlgorithm") in WEAK_KEYS:
        yield f"keyAlgorithm {r.get('keyAlgorithm')} is too weak"
    if r.get("options.certificateTransparencyLoggingPreference") == "DISABLED":
        yield "certificate transparency logging is disabled"


POLICIES = [
    FhirfortResourcePolicy(
        name="acm-01-managed-renewal",
        enforcement_level=MANDATORY,
        control="ACM-01",
        types=(t.ACM_CERTIFICATE,),
        summary="Certificates are ACM-issued with DNS validation so they renew before expiry.",
        check=_managed_renewal,
        remediation="Request the certificate from ACM with validationMethod DNS.",
    ),
    FhirfortResourcePolicy(
        name="acm-02-strong-transparent-certificate",
        enforcement_level=MANDATORY,
        control="ACM-02",
        types=(t.ACM_CERTIFICATE,),
        summary="Certificates use a strong key and keep certificate transparency logging on.",
        check=_strong_public_cert,
        remediation="Use keyAlgorithm RSA_2048 or EC_prime256v1; leave transparency logging ENABLED.",
    ),
]
