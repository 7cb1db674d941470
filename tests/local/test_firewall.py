"""The router's ruleset is the local flow matrix: default drop, one pinned rule per routed flow, drops logged."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fhirfort.local.firewall import DROP_PREFIX, FlowError, endpoints, flow_rules, render_ruleset
from fhirfort.local.lab import ROUTER_CTL_IF, build_lab
from fhirfort.spec import spec

RULE = re.compile(
    r'iifname "(?P<iif>[^"]+)" ip saddr (?P<src>\S+) oifname "(?P<oif>[^"]+)" ip daddr (?P<dst>\S+) '
    r'(?P<proto>tcp|udp) dport (?P<port>\d+) ct state new accept comment "(?P<flow>FLOW-\d+)'
)


def _parsed() -> list[dict[str, str]]:
    lab = build_lab(spec())
    rules = [RULE.match(r) for r in flow_rules(lab, spec())]
    assert all(rules)
    return [m.groupdict() for m in rules if m]


def test_default_drop_and_logged() -> None:
    text = render_ruleset(build_lab(spec()), spec())
    assert "hook forward priority filter; policy drop;" in text
    assert "hook input priority filter; policy drop;" in text
    assert f'log prefix "{DROP_PREFIX}"' in text
    assert text.count("counter log prefix") >= 3


def test_every_routed_local_flow_has_rules_and_aws_only_flows_none() -> None:
    s = spec()
    lab = build_lab(s)
    flows = {r["flow"] for r in _parsed()}
    for flow in s.flows:
        src = endpoints(lab, flow.source) if "local" in flow.targets else []
        dst = endpoints(lab, flow.destination) if "local" in flow.targets else []
        crosses = any(a.ifname != b.ifname for a in src for b in dst)
        assert (flow.id in flows) == crosses, flow.id


def test_rules_use_the_spec_ports_and_addresses() -> None:
    s = spec()
    lab = build_lab(s)
    by_addr = {str(h.address): h for h in lab.hosts}
    for r in _parsed():
        flow = next(f for f in s.flows if f.id == r["flow"])
        assert int(r["port"]) == s.port(flow.service)
        for addr, ifname in ((r["src"], r["iif"]), (r["dst"], r["oif"])):
            if addr == str(lab.controller_address):
                assert ifname == ROUTER_CTL_IF
            else:
                assert by_addr[addr].tier.router_if == ifname


def test_lab_reaches_the_controller_only_on_allowed_ports() -> None:
    s = spec()
    allowed = {s.port(f.service) for f in s.flows_for("local") if f.destination == "controller"}
    towards_controller = [r for r in _parsed() if r["oif"] == ROUTER_CTL_IF]
    assert towards_controller, "hosts need the apt proxy"
    assert {int(r["port"]) for r in towards_controller} == allowed
    assert 22 not in allowed


def test_same_segment_flows_are_not_routed() -> None:
    assert all(r["iif"] != r["oif"] for r in _parsed())


def test_no_route_out_and_no_wildcards() -> None:
    text = render_ruleset(build_lab(spec()), spec())
    assert "0.0.0.0/0" not in text
    assert "accept" not in text.split("chain input", 1)[1].split("chain output", 1)[0].replace(
        'iifname "lo" accept', ""
    ).replace("ct state established,related accept", "")


def test_unknown_endpoint_is_refused() -> None:
    with pytest.raises(FlowError, match="aws_endpoints"):
        endpoints(build_lab(spec()), "aws_endpoints")


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("nft") is None, reason="nft -c needs root and nftables")
def test_ruleset_passes_nft_check(tmp_path: Path) -> None:
    f = tmp_path / "router.nft"
    f.write_text(render_ruleset(build_lab(spec()), spec()))
    res = subprocess.run(["nft", "-c", "-f", str(f)], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
