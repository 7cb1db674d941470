"""Which certificates the lab needs: the edge's public certificate and one internal certificate per host.

A replica's certificate also names its role's service name (fhir2 is also fhir.fhirfort.internal): the edge
verifies its upstreams by that name, whichever instance answers.
"""

from __future__ import annotations

from fhirfort.local.lab import INTERNAL_DOMAIN, PUBLIC_NAME, Lab
from fhirfort.local.paths import LabPaths
from fhirfort.local.pki import LabCA


def host_dir(paths: LabPaths, host: str) -> str:
    return str(paths.pki / "hosts" / host)


def issue_lab_certs(lab: Lab, paths: LabPaths, edge: str = "edge") -> dict[str, int]:
    """Ensure the CA and every certificate; return counts of issued and reused certificates."""
    ca = LabCA(paths.pki)
    counts = {"ca_created": int(ca.ensure()), "issued": 0, "reused": 0}
    (paths.pki / "hosts").mkdir(parents=True, exist_ok=True)
    (paths.pki / "hosts").chmod(0o700)
    for h in lab.hosts:
        directory = paths.pki / "hosts" / h.name
        names = [h.fqdn] + ([f"{h.plays}.{INTERNAL_DOMAIN}"] if h.is_replica else [])
        issued = [ca.issue(directory, "host", h.fqdn, names, [h.address], client_auth=True)]
        if h.name == edge:
            issued.append(ca.issue(directory, "public", PUBLIC_NAME, [PUBLIC_NAME], [h.address], client_auth=False))
        for i in issued:
            counts["reused" if i.reused else "issued"] += 1
    return counts
