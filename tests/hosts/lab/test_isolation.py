"""The lab is isolated as the flow matrix says: tiers reach each other only on allowed flows, nothing
reaches outside, the machine forwards nothing, and every drop at the router is logged."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from fhirfort.local.firewall import DROP_PREFIX
from fhirfort.local.lab import ROUTER_NS, Lab
from fhirfort.local.paths import LabPaths
from fhirfort.spec import spec

pytestmark = pytest.mark.host

# A router drop is silent (timeout); a host firewall may also refuse first. Either way: not "open".
BLOCKED = ("timeout", "unreachable", "refused", "error 1", "error 13")
Probe = Callable[..., str]
Machine = Callable[[list[str]], str]


def test_machine_does_not_forward(lab: Lab, machine: Machine) -> None:
    assert Path("/proc/sys/net/ipv4/ip_forward").read_text().strip() == "0"
    router = machine(["ip", "netns", "exec", ROUTER_NS, "sysctl", "-n", "net.ipv4.ip_forward"])
    assert router.strip() == "1"


def test_machine_has_no_address_on_the_tier_bridges(lab: Lab, machine: Machine) -> None:
    for tier in lab.tiers:
        info = json.loads(machine(["ip", "-j", "addr", "show", "dev", tier.bridge]))
        assert info[0]["addr_info"] == [], tier.bridge


def test_router_has_no_route_out(lab: Lab, machine: Machine) -> None:
    routes = machine(["ip", "netns", "exec", ROUTER_NS, "ip", "-4", "route", "show"])
    assert "default" not in routes
    allowed = {str(t.cidr) for t in lab.tiers} | {str(lab.controller_link)}
    assert {line.split()[0] for line in routes.splitlines()} <= allowed


def test_edge_cannot_reach_the_database(lab: Lab, probe: Probe) -> None:
    db = lab.host("db")
    assert probe("edge", str(db.address), spec().port("postgresql")) in BLOCKED


def test_db_reaches_nothing_outside_its_tier_but_allowed_flows(lab: Lab, probe: Probe) -> None:
    s = spec()
    for target, service in (("edge", "https"), ("fhir", "fhir_https"), ("idp", "idp_https"), ("logs", "ssh")):
        assert probe("db", str(lab.host(target).address), s.port(service)) in BLOCKED, (target, service)
    controller = str(lab.controller_address)
    assert probe("db", controller, s.port("ssh")) in BLOCKED
    # the apt proxy is an allowed flow (FLOW-13) and answers
    assert probe("db", controller, s.port("apt_proxy")) == "open"


def test_lab_has_no_way_out(lab: Lab, probe: Probe) -> None:
    for address in ("192.0.2.1", "1.1.1.1", "10.0.0.1"):
        assert probe("fhir", address, 443) in BLOCKED, address


def test_apt_proxy_serves_only_debian(lab: Lab, paths: LabPaths) -> None:
    from fhirfort.local import hostlab

    script = (
        "import http.client,sys\n"
        "c=http.client.HTTPConnection(sys.argv[1],int(sys.argv[2]),timeout=10)\n"
        "c.request('GET','http://example.org/',headers={'Host':'example.org'})\n"
        "print(c.getresponse().status)\n"
    )
    args = ["python3", "-c", script, str(lab.controller_address), str(spec().port("apt_proxy"))]
    res = hostlab.exec_in("db", paths, args, timeout=20)
    assert res.returncode == 0, res.stderr
    assert int(res.stdout.strip()) >= 400


def test_apt_proxy_listens_on_the_controller_link_only(lab: Lab, machine: Machine) -> None:
    port = spec().port("apt_proxy")
    listeners = [line.split()[3] for line in machine(["ss", "-Hltn"]).splitlines()]
    ours = [addr for addr in listeners if addr.endswith(f":{port}")]
    assert ours == [f"{lab.controller_address}:{port}"]


def _machine_connect(address: str, port: int, timeout: float = 1.5) -> str:
    with socket.socket() as s:
        s.settimeout(timeout)
        try:
            s.connect((address, port))
        except TimeoutError:
            return "timeout"
        except ConnectionRefusedError:
            return "refused"
        except OSError as exc:
            return f"error {exc.errno}"
        return "open"


def test_router_drops_what_the_matrix_does_not_allow_and_logs_it(lab: Lab, paths: LabPaths) -> None:
    """From the controller link (no host firewall on the way) to a port no flow allows: dropped and logged."""
    db = lab.host("db")
    port = spec().port("postgresql")
    assert _machine_connect(str(db.address), port) == "timeout"
    log = paths.logs / "router-drops.log"
    needle = f"SRC={lab.controller_address} DST={db.address} "
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [ln for ln in log.read_text().splitlines() if needle in ln and f"DPT={port} " in ln]
        if lines:
            assert DROP_PREFIX.strip() in lines[-1]
            return
        time.sleep(0.2)
    pytest.fail(f"no drop of {lab.controller_address} -> {db.address}:{port} in {log}")


def test_clients_reach_only_the_edge(lab: Lab) -> None:
    s = spec()
    assert _machine_connect(str(lab.host("fhir").address), s.port("fhir_https")) == "timeout"
    assert _machine_connect(str(lab.host("idp").address), s.port("idp_https")) == "timeout"


def test_keycloak_cluster_port_only_between_idp_instances(lab: Lab, probe: Probe) -> None:
    """FLOW-16: the idp instances reach each other's cluster transport; no other host does (same tier included:
    the hosts' own firewalls govern the app bridge)."""
    s = spec()
    port = s.port("idp_cluster")
    instances = [h for h in lab.hosts if h.plays == "idp"]
    if len(instances) < 2:
        pytest.skip("the idp role has no local replica")
    primary, replica = instances[0], instances[1]
    assert probe(replica.name, str(primary.address), port) == "open"
    assert probe(primary.name, str(replica.address), port) == "open"
    for outsider in ("fhir", "edge", "db"):
        assert probe(outsider, str(primary.address), port) in BLOCKED, outsider
