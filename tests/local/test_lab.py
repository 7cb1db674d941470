"""The lab's shape follows the spec, and a spec the lab cannot place is refused with the key named."""

from __future__ import annotations

import ipaddress

import pytest

from fhirfort.local.lab import LabError, build_lab
from fhirfort.spec import Spec, spec


def _with_topology(**changes: object) -> Spec:
    s = spec()
    return s.model_copy(update={"topology": s.topology.model_copy(update=changes)})


def test_lab_follows_the_spec() -> None:
    s = spec()
    lab = build_lab(s)
    assert {t.name for t in lab.tiers} == set(s.topology.tiers)
    expected = {name: (role, address) for role in s.topology.hosts for name, address in s.topology.instances(role)}
    assert [h.name for h in lab.hosts] == list(expected)
    for h in lab.hosts:
        assert (h.plays, h.address) == expected[h.name]
        assert h.is_replica == (h.name != h.plays)
        assert h.tier.gateway == s.topology.tiers[h.tier.name].gateway
        assert h.interface.network == s.topology.tiers[h.tier.name].local_cidr
    link = s.topology.controller_link
    assert lab.controller_address == link.network_address + 1
    assert lab.router_ctl_address == link.network_address + 2
    assert all(len(n) <= 15 for t in lab.tiers for n in (t.bridge, t.router_if, t.bridge_port))


def test_replicas_join_their_role() -> None:
    lab = build_lab(spec())
    for role, host in spec().topology.hosts.items():
        assert [h.name for h in lab.instances(role)] == [role, *host.local_replicas]


def test_replica_address_must_be_free_and_in_its_tier() -> None:
    s = spec()
    hosts = dict(s.topology.hosts)
    for bad, match in (
        ({"fhir2": hosts["idp"].address}, r"hosts\.idp\.address .* is also hosts\.fhir\.local_replicas\.fhir2"),
        ({"fhir2": ipaddress.IPv4Address("198.18.30.77")}, r"local_replicas\.fhir2 .* outside tier app"),
        ({"db": ipaddress.IPv4Address("198.18.20.77")}, r"local_replicas\.db: not a free host name"),
    ):
        raw = s.topology.model_dump(mode="json")
        raw["hosts"]["fhir"]["local_replicas"] = {k: str(v) for k, v in bad.items()}
        with pytest.raises(ValueError, match=match):
            type(s.topology).model_validate(raw)


def test_controller_link_too_small() -> None:
    with pytest.raises(LabError, match="controller_link"):
        build_lab(_with_topology(controller_link=ipaddress.IPv4Network("198.18.0.0/31")))


def test_tier_name_too_long_for_an_interface() -> None:
    s = spec()
    tiers = dict(s.topology.tiers)
    tiers["verylongtiername"] = tiers.pop("mgmt")  # type: ignore[index]
    with pytest.raises(LabError, match="longer than 15"):
        build_lab(_with_topology(tiers=tiers, hosts={}))


def test_broadcast_address_refused() -> None:
    s = spec()
    hosts = dict(s.topology.hosts)
    db = hosts["db"]
    broadcast = s.topology.tiers[db.tier].local_cidr.broadcast_address
    hosts["db"] = db.model_copy(update={"address": broadcast})
    with pytest.raises(LabError, match=r"hosts\.db\.address"):
        build_lab(_with_topology(hosts=hosts))


def test_shared_address_refused() -> None:
    s = spec()
    hosts = dict(s.topology.hosts)
    hosts["idp"] = hosts["idp"].model_copy(update={"address": hosts["fhir"].address})
    with pytest.raises(LabError, match="share an address"):
        build_lab(_with_topology(hosts=hosts))
