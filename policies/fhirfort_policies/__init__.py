"""The fhirfort-hipaa CrossGuard rules, importable without starting the policy pack.

`POLICIES` is the whole pack in a stable order; `policies/__main__.py` hands it to `PolicyPack`, and the
offline evaluator (`fhirfort.compliance.evaluator`) and the tests use the same objects.
"""

from __future__ import annotations

from . import acm, alb, cloudtrail, compute, iam, kms, logs, network, rds, s3, secrets, sns, waf
from ._base import FhirfortPolicy, FhirfortResourcePolicy, FhirfortStackPolicy, Finding
from .governance import opt_out_policy

PACK_NAME = "fhirfort-hipaa"

_RULES: list[FhirfortPolicy] = [
    *network.POLICIES,
    *alb.POLICIES,
    *waf.POLICIES,
    *acm.POLICIES,
    *cloudtrail.POLICIES,
    *s3.POLICIES,
    *kms.POLICIES,
    *logs.POLICIES,
    *sns.POLICIES,
    *rds.POLICIES,
    *secrets.POLICIES,
    *compute.POLICIES,
    *iam.POLICIES,
]

POLICIES: list[FhirfortPolicy] = [*_RULES, opt_out_policy(_RULES)]

__all__ = ["PACK_NAME", "POLICIES", "FhirfortPolicy", "FhirfortResourcePolicy", "FhirfortStackPolicy", "Finding"]
