"""The contract every role keeps (no hosts needed).

For every role under roles/ (whoever wrote it): tasks/main.yml exists; meta/argument_specs.yml is the one
list of variables and documents exactly the variables of defaults/main.yml, with the same defaults where it
gives one; every variable carries the role's prefix; the README table is what tools/role_docs.py generates.
Then the playbook passes `--syntax-check` and the whole tree passes `ansible-lint`. Last, the firewall's
flow-matrix filters resolve the repository's spec as the flow matrix says.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fhirfort.modload import load_file_module

ROOT = Path(__file__).resolve().parents[2]
ROLES = ROOT / "roles"
VENV_BIN = Path(sys.executable).parent
ROLE_NAMES = sorted(p.name for p in ROLES.iterdir() if p.is_dir()) if ROLES.is_dir() else []


role_docs = load_file_module("role_docs", ROOT / "tools" / "role_docs.py")


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def _defaults(role: str) -> dict:
    path = ROLES / role / "defaults" / "main.yml"
    return _yaml(path) if path.is_file() else {}


def _options(role: str) -> dict:
    path = ROLES / role / "meta" / "argument_specs.yml"
    assert path.is_file(), f"roles/{role}/meta/argument_specs.yml is missing (the one list of the role's variables)"
    specs = _yaml(path).get("argument_specs") or {}
    assert "main" in specs, f"roles/{role}/meta/argument_specs.yml has no `main` entry point"
    return specs["main"].get("options") or {}


def test_there_are_roles() -> None:
    assert ROLE_NAMES, "no role under roles/"


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_tasks_main_exists(role: str) -> None:
    assert (ROLES / role / "tasks" / "main.yml").is_file(), f"roles/{role}/tasks/main.yml is missing"


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_argument_specs_document_exactly_the_defaults(role: str) -> None:
    defaults, options = _defaults(role), _options(role)
    undocumented = sorted(set(defaults) - set(options))
    assert not undocumented, f"roles/{role}: defaults/main.yml lacks from argument_specs: {undocumented}"
    without_default = sorted(n for n in set(options) - set(defaults) if "default" in (options[n] or {}))
    assert not without_default, (
        f"roles/{role}: argument_specs gives a default to variables absent from defaults/main.yml: {without_default}"
    )
    differing = sorted(
        name
        for name, option in options.items()
        if name in defaults and "default" in (option or {}) and option["default"] != defaults[name]
    )
    assert not differing, f"roles/{role}: argument_specs default differs from defaults/main.yml for {differing}"


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_variable_documented_has_a_description(role: str) -> None:
    missing = sorted(name for name, option in _options(role).items() if not (option or {}).get("description"))
    assert not missing, f"roles/{role}: argument_specs options without description: {missing}"


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_variable_carries_the_role_prefix(role: str) -> None:
    names = set(_defaults(role)) | set(_options(role))
    unprefixed = sorted(n for n in names if not n.startswith(f"{role}_"))
    assert not unprefixed, f"roles/{role}: variables without the prefix `{role}_`: {unprefixed}"


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_readme_table_is_generated(role: str) -> None:
    readme = ROLES / role / "README.md"
    assert readme.is_file(), f"roles/{role}/README.md is missing (run tools/role_docs.py {role})"
    assert readme.read_text() == role_docs.expected_readme(ROLES / role), (
        f"roles/{role}/README.md variable table is out of date: run `python tools/role_docs.py {role}`"
    )


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", ANSIBLE_FORCE_COLOR="0")
    env.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_site_playbook_syntax() -> None:
    groups = {g: {"hosts": {g: None}} for g in ("edge", "fhir", "idp", "db", "logs")}
    inventory = ROOT / "build" / "unit" / "syntax-inventory.yml"
    inventory.parent.mkdir(parents=True, exist_ok=True)
    inventory.write_text(yaml.safe_dump({"all": {"children": groups}}))
    res = _run([str(VENV_BIN / "ansible-playbook"), "--syntax-check", "-i", str(inventory), "playbooks/site.yml"])
    assert res.returncode == 0, res.stdout + res.stderr


def test_ansible_lint_clean() -> None:
    res = _run([str(VENV_BIN / "ansible-lint"), "-q"])
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr[-3000:]


# ---- the firewall role's flow-matrix filters, on the repository's spec

flow_rules = load_file_module("flow_rules", ROLES / "firewall" / "filter_plugins" / "flow_rules.py")
SPEC = {name: _yaml(ROOT / "spec" / f"{name}.yaml") for name in ("tiers", "services", "flows")}
HOSTS = SPEC["tiers"]["hosts"]
CONTROLLER = flow_rules.firewall_first_address(SPEC["tiers"]["controller_link"])
ENDPOINTS = {"controller": [CONTROLLER], "clients": [CONTROLLER]}


def _rules(host: str, direction: str, target: str = "local", own: str = "") -> dict[str, dict]:
    rules = flow_rules.firewall_flow_rules(
        SPEC["flows"]["flows"], SPEC["services"]["services"], HOSTS, ENDPOINTS, host, target, direction, own
    )
    return {r["id"]: r for r in rules}


def _role_addresses(role: str) -> list[str]:
    return [HOSTS[role]["address"], *HOSTS[role].get("local_replicas", {}).values()]


@pytest.mark.parametrize("host", list(HOSTS))
def test_firewall_input_is_the_flow_matrix(host: str) -> None:
    # a flow from the role to itself exists only where the role has replicas (Keycloak's cluster, FLOW-16/17)
    want = {
        f["id"]
        for f in SPEC["flows"]["flows"]
        if "local" in f["targets"]
        and f["to"] in (host, "any_host")
        and (f["from"] != host or HOSTS[host].get("local_replicas"))
    }
    assert set(_rules(host, "input")) == want


def test_firewall_resolves_sources() -> None:
    ssh = _rules("fhir", "input")["FLOW-09"]
    assert ssh["addresses"] == [CONTROLLER]
    assert ssh["port"] == SPEC["services"]["services"]["ssh"]["port"]
    logs_in = _rules("logs", "input")["FLOW-08"]
    assert HOSTS["logs"]["address"] not in logs_in["addresses"]
    assert set(logs_in["addresses"]) == {a for n in HOSTS if n != "logs" for a in _role_addresses(n)}
    db_in = _rules("db", "input")["FLOW-06"]
    assert db_in["addresses"] == _role_addresses("fhir")


def test_firewall_replicas_reach_each_other_but_not_themselves() -> None:
    primary, *replicas = _role_addresses("idp")
    assert replicas, "spec/tiers.yaml: idp has no local replica"
    assert _rules("idp", "input")["FLOW-16"]["addresses"] == replicas
    assert _rules("idp", "input", own=replicas[0])["FLOW-16"]["addresses"] == [primary]
    # a replica's own rules: the same flows as its primary's
    assert set(_rules("idp", "input", own=replicas[0])) == set(_rules("idp", "input"))
    with pytest.raises(Exception, match="not an address of role"):
        _rules("idp", "input", own=HOSTS["fhir"]["address"])


def test_firewall_output_only_flows_from_this_host() -> None:
    out = _rules("edge", "output")
    assert {r["to"] for r in out.values()} <= {"fhir", "idp", "logs", "controller"}
    assert all(r["from"] in ("edge", "any_host") for r in out.values())


def test_firewall_leaves_out_other_targets() -> None:
    assert not [r for r in _rules("fhir", "output").values() if r["to"] == "aws_endpoints"]


def test_firewall_unknown_endpoint_names_the_variable() -> None:
    with pytest.raises(Exception, match="firewall_endpoint_addresses"):
        flow_rules.firewall_flow_rules(
            SPEC["flows"]["flows"], SPEC["services"]["services"], HOSTS, {}, "fhir", "local", "input"
        )


def test_firewall_topology_errors_name_the_host() -> None:
    tiers = SPEC["tiers"]["tiers"]
    assert flow_rules.firewall_topology_errors(HOSTS, tiers) == []
    bad = dict(HOSTS, fhir=dict(HOSTS["fhir"], address="198.18.99.10"))
    errors = flow_rules.firewall_topology_errors(bad, tiers)
    assert len(errors) == 1 and "firewall_hosts.fhir.address" in errors[0] and "outside its tier" in errors[0]


def test_edge_refuses_every_operation_the_server_disables() -> None:
    """WAF-18: the edge's list of refused operations holds the server's (DisabledOperationsInterceptor.DISABLED),
    so an operation disabled in HAPI is refused before it reaches HAPI, in any spelling."""
    import re

    source = ROOT / "fhir-server/src/main/java/org/fhirfort/fhirserver/fhir/DisabledOperationsInterceptor.java"
    java = source.read_text()
    block = java[java.index("DISABLED = Set.of(") : java.index(");", java.index("DISABLED = Set.of("))]
    server = set(re.findall(r'"(\$[^"]+)"', block))
    assert server, "no operations found in DisabledOperationsInterceptor.DISABLED"
    defaults = yaml.safe_load((ROOT / "roles/edge_waf/defaults/main.yml").read_text())
    edge = set(defaults["edge_waf_fhir_operations_refused"])
    assert server <= edge, sorted(server - edge)
