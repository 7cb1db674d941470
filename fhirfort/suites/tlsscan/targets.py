"""Which TLS listeners to scan and from where, following the flow matrix (spec/flows.yaml).

The machine is `clients`/`controller`: it may reach only the edge's 443 (FLOW-01). Every internal listener is
scanned from inside the network namespace of a lab host that the matrix lets reach it (e.g. HAPI's 8443 from
the edge, FLOW-03), with the machine's testssl (`nsenter -t <leader> -n`, see fhirfort/suites/lab.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from fhirfort.spec import spec

MACHINE_ROLES = ("clients", "controller")
# listener -> (host role, service name, STARTTLS protocol or "")
LISTENERS: dict[str, tuple[str, str, str]] = {
    "edge": ("edge", "https", ""),
    "fhir": ("fhir", "fhir_https", ""),
    "idp": ("idp", "idp_https", ""),
    "db": ("db", "postgresql", "postgres"),
    "logs": ("logs", "syslog_tls", ""),
}
INTERNAL_DOMAIN = "fhirfort.internal"


@dataclass(frozen=True)
class ScanTarget:
    name: str
    address: str
    port: int
    sni: str
    starttls: str
    scan_from: str | None  # None: the machine; else the lab host whose network namespace runs testssl
    flow: str
    public: bool  # the edge: HSTS applies
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} {self.address}:{self.port}"


def _flow_from(source_role: str, dest: str, service: str) -> str | None:
    for f in spec().flows:
        if "local" not in f.targets or f.destination not in (dest, "any_host") or f.service != service:
            continue
        if f.source == source_role or (f.source == "any_host" and source_role not in MACHINE_ROLES):
            return f.id
    return None


def plan(public_name: str, edge_address: str, only: list[str] | None = None) -> list[ScanTarget]:
    s = spec()
    hosts = s.topology.hosts
    out: list[ScanTarget] = []
    for name, (role, service, starttls) in LISTENERS.items():
        if only and name not in only:
            continue
        port = int(s.services[service].port)
        if name == "edge":
            flow = _flow_from("clients", "edge", service) or "FLOW-01"
            out.append(ScanTarget(name, edge_address, port, public_name, "", None, flow, True))
            continue
        # every instance of the role: its primary (listener name) and its local replicas (their host names)
        instances = [(name, hosts[role].address), *hosts[role].local_replicas.items()]
        for label, ip in instances:
            out.append(_internal(label, str(ip), port, role, service, starttls, list(hosts)))
    return out


def _internal(
    name: str, address: str, port: int, role: str, service: str, starttls: str, roles: list[str]
) -> ScanTarget:
    """An internal listener, scanned from the machine if a flow allows it, else from a host that may reach it."""
    sni = f"{role}.{INTERNAL_DOMAIN}"
    machine_flow = next((f for r in MACHINE_ROLES if (f := _flow_from(r, role, service))), None)
    if machine_flow:
        return ScanTarget(name, address, port, sni, starttls, None, machine_flow, False)
    for src in roles:
        if src == role:
            continue
        flow = _flow_from(src, role, service)
        if flow:
            note = f"the flow matrix forbids machine -> {role}:{port}; scanned from {src} ({flow})"
            return ScanTarget(name, address, port, sni, starttls, src, flow, False, note)
    return ScanTarget(name, address, port, sni, starttls, None, "", False, "no flow reaches it")
