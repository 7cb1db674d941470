"""FW-01/FW-02 on every host: nftables loaded at boot, default drop, exactly the flow matrix's ports open."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
import yaml

from fhirfort.spec import spec as kit_spec

pytestmark = pytest.mark.host


def spec(name: str) -> dict:
    return yaml.safe_load((Path(__file__).resolve().parents[3] / "spec" / f"{name}.yaml").read_text())


TOPOLOGY = spec("tiers")
SERVICES = spec("services")["services"]
FLOWS = [f for f in spec("flows")["flows"] if "local" in f["targets"]]
# every lab host (each role's primary and its local replicas) and the role it plays
ROLE_OF = {name: role for role in kit_spec().topology.hosts for name, _ in kit_spec().topology.instances(role)}
HOSTS = list(ROLE_OF)
DROP_PREFIX = "fhirfort-drop "


def _peers(role: str) -> bool:
    """A role with local replicas has peers: its flows to itself (Keycloak's cluster) are real rules."""
    return bool(TOPOLOGY["hosts"][role].get("local_replicas"))


def expected_input(name: str) -> dict[str, int]:
    """Flow id -> port of every local flow whose destination is this host's role (straight from the spec)."""
    role = ROLE_OF[name]
    flows = [f for f in FLOWS if f["to"] in (role, "any_host") and (f["from"] != role or _peers(role))]
    return {f["id"]: SERVICES[f["service"]]["port"] for f in flows}


def expected_output(name: str) -> dict[str, int]:
    role = ROLE_OF[name]
    flows = [f for f in FLOWS if f["from"] in (role, "any_host") and (f["to"] != role or _peers(role))]
    return {f["id"]: SERVICES[f["service"]]["port"] for f in flows}


def ruleset(host) -> dict:
    return json.loads(host.check_output("nft -j list ruleset"))


def chains(rs: dict) -> dict[str, dict]:
    return {item["chain"]["name"]: item["chain"] for item in rs["nftables"] if "chain" in item}


def accepted_ports(rs: dict, chain: str) -> dict[str, int]:
    """Comment (flow id) -> destination port of the accept rules of one chain."""
    out = {}
    for item in rs["nftables"]:
        rule = item.get("rule")
        if not rule or rule["chain"] != chain:
            continue
        verdicts = [e for e in rule["expr"] if "accept" in e]
        matches = [e["match"] for e in rule["expr"] if "match" in e and isinstance(e["match"]["left"], dict)]
        ports = [m["right"] for m in matches if m["left"].get("payload", {}).get("field") == "dport"]
        if verdicts and ports:
            out[rule.get("comment", "?")] = int(ports[0])
    return out


@pytest.fixture(scope="module", params=HOSTS)
def fw(request, lab_host):
    host = lab_host(request.param)
    return request.param, host, ruleset(host)


def test_fw02_nftables_enabled(fw) -> None:
    _, host, _ = fw
    assert host.service("nftables").is_enabled
    assert host.service("nftables").is_running  # oneshot, RemainAfterExit: active once the ruleset loaded
    assert host.file("/etc/nftables.conf").mode == 0o600


def test_fw01_default_drop(fw) -> None:
    _, _, rs = fw
    found = chains(rs)
    for name in ("input", "forward", "output"):
        assert name in found, f"chain {name} missing"
        assert found[name]["policy"] == "drop", f"chain {name} policy is {found[name]['policy']}"


def test_fw01_input_ports_are_the_flow_matrix(fw) -> None:
    name, _, rs = fw
    assert accepted_ports(rs, "input") == expected_input(name)


def test_fw01_output_ports_are_the_flow_matrix(fw) -> None:
    name, _, rs = fw
    assert accepted_ports(rs, "output") == expected_output(name)


def test_fw01_ssh_only_from_controller(fw) -> None:
    _, host, _ = fw
    controller = str(ipaddress.ip_network(TOPOLOGY["controller_link"]).network_address + 1)
    text = host.check_output("nft list chain inet fhirfort input")
    ssh = [line for line in text.splitlines() if f"dport {SERVICES['ssh']['port']} " in line]
    assert ssh and all(f"saddr {controller} " in line for line in ssh), ssh


def test_fw01_drops_are_logged(fw) -> None:
    _, host, _ = fw
    text = host.check_output("nft list ruleset")
    assert text.count(f'log prefix "{DROP_PREFIX}"') >= 2
    assert "limit rate" in text
