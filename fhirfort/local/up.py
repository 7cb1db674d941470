"""`make up`: the ordered steps of the local target, each announced and timed."""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from fhirfort.local import aptproxy, converge, hooks, hostlab, logstore, net, prereqs, rootfs, routerlog, smart_client
from fhirfort.local.aptsources import Mirrors, derive_mirrors, read_machine_sources
from fhirfort.local.certs import issue_lab_certs
from fhirfort.local.endpoints import render_hosts_block, set_hosts_block, write_endpoints
from fhirfort.local.failure_digest import failed_tasks
from fhirfort.local.inventory import write_inventory
from fhirfort.local.lab import PUBLIC_NAME, Lab, build_lab
from fhirfort.local.paths import LabPaths
from fhirfort.local.secrets import ensure_secrets
from fhirfort.local.sshkeys import ensure_controller_key, render_known_hosts
from fhirfort.local.steps import TIMINGS, StepError, say, step
from fhirfort.spec import Spec, spec


@dataclass(frozen=True)
class UpOptions:
    hapi: bool = True
    converge: bool = True
    # Idempotence gate (make test): fail when the converge changed anything on any host.
    expect_no_changes: bool = False
    # A failed converge is run once more (roles are idempotent) after printing what failed, so that a
    # transient fault (a package mirror hiccup) does not cost a whole bring-up; a deterministic fault fails
    # twice. The idempotence gate always gets exactly one run.
    converge_attempts: int = 2


def _mirrors() -> Mirrors:
    mirrors = derive_mirrors(read_machine_sources())
    say(f"    mirrors from the machine's apt config: {mirrors.main} (security: {mirrors.security})")
    return mirrors


def bring_up(options: UpOptions, paths: LabPaths | None = None) -> int:
    paths = paths or LabPaths.default()
    s: Spec = spec()
    lab: Lab = build_lab(s)
    for d in (paths.root, paths.logs, paths.run):
        d.mkdir(parents=True, exist_ok=True)
    proxy_port = s.port("apt_proxy")

    with step("prerequisites"):
        installed = prereqs.ensure(paths)
        say(f"    installed: {', '.join(installed)}" if installed else "    all present")
    if options.hapi:
        with step("HAPI jar build"):
            hooks.build_hapi(paths)
    with step("Keycloak extension build"):
        hooks.build_keycloak_extension(paths)
    with step("golden rootfs"):
        mirrors = _mirrors()
        say("    built" if rootfs.build_golden(mirrors, paths) else "    cached (include list unchanged)")
    with step("PKI and secrets"):
        counts = issue_lab_certs(lab, paths)
        say(f"    certificates: {counts['issued']} issued, {counts['reused']} reused")
        created = ensure_secrets(paths.secrets_file)
        say(f"    secrets: {len(created)} created" if created else "    secrets: unchanged")
        # The SMART backend client's key exists before the converge reads its public half on several hosts
        smart_client.ensure_key(smart_client.key_path(paths))
    with step("network"):
        net.up(lab, s, paths)
        routerlog.start(paths)
        say(
            f"    bridges {', '.join(t.bridge for t in lab.tiers)}; router namespace {net.ROUTER_NS}; "
            f"machine ip_forward={net.machine_ip_forward()}"
        )
    with step("apt proxy"):
        state = aptproxy.start(mirrors, str(lab.controller_address), proxy_port, paths)
        say(f"    apt-cacher-ng {state} on {lab.controller_address}:{proxy_port}")
    with step("hosts prepare"):
        pub = ensure_controller_key(paths.ssh_key)
        entries = []
        for h in lab.hosts:
            key = rootfs.prepare_host(
                h,
                lab,
                paths,
                mirrors=mirrors,
                controller_pubkey=pub,
                apt_proxy_port=proxy_port,
                public_name=PUBLIC_NAME,
            )
            entries.append(([h.name, h.fqdn, str(h.address)], key))
        paths.known_hosts.write_text(render_known_hosts(entries))
    with step("log store"):
        state = logstore.ensure(paths, s)
        store = s.retention.local.log_store
        where = f"{s.log_host()}:{store.remote_dir}"
        say(f"    {paths.logstore_image.name} ({store.size_mib} MiB ext4) {state}, bound to {where}")
    with step("hosts boot"):
        for h in lab.hosts:
            state = hostlab.start(h, paths, logstore.binds(h.name, paths, s))
            say(f"    {h.name:6} {state} ({h.address} on {h.tier.bridge})")
    with step("wait SSH"), ThreadPoolExecutor(max_workers=len(lab.hosts)) as pool:
        for h, secs in zip(lab.hosts, pool.map(lambda h: hostlab.wait_ssh(h, paths), lab.hosts), strict=True):
            say(f"    {h.name:6} ssh ok, host key verified ({secs:.1f}s)")
    with step("inventory"):
        write_inventory(lab, paths, proxy_port)
        set_hosts_block(render_hosts_block(lab))
        say(f"    {paths.inventory}")
    write_lab_ready(paths)
    if options.converge:
        with step("converge"):
            attempts = 1 if options.expect_no_changes else max(options.converge_attempts, 1)
            summary = _converge(paths, attempts)
            if options.expect_no_changes and summary:
                changed = {h: c["changed"] for h, c in summary.items() if c["changed"]}
                if changed:
                    detail = ", ".join(f"{h} changed={n}" for h, n in sorted(changed.items()))
                    raise StepError("converge", f"not idempotent: {detail}", None, paths.logs / "converge.log")
                say("    idempotent: changed=0 on every host")
    with step("endpoints"):
        say(f"    {write_endpoints(lab, s, paths)}")
    if options.converge:
        with step("sample data"):
            hooks.load_sample_data(paths)
    say(f"up: done ({', '.join(f'{k} {v:.1f}s' for k, v in TIMINGS.items())})")
    endpoints = json.loads(paths.endpoints.read_text())
    say(f"FHIR base URL: {endpoints['fhir_base_url']}  (CA: {endpoints['ca_cert']}; token: make token)")
    return 0


def _converge(paths: LabPaths, attempts: int) -> dict[str, dict[str, int]] | None:
    """Run the playbook up to `attempts` times; each failed attempt's log is kept and its failed tasks printed."""
    for stale in paths.logs.glob("converge.attempt*.log"):
        stale.unlink()
    for attempt in range(1, attempts + 1):
        try:
            return converge.converge(paths)
        except StepError as exc:
            if attempt == attempts:
                raise
            kept = paths.logs / f"converge.attempt{attempt}.log"
            shutil.copyfile(paths.logs / "converge.log", kept)
            say(f"    attempt {attempt} of {attempts} failed ({exc}); log kept as {kept.name}; failed tasks:")
            for line in failed_tasks(kept.read_text(errors="replace")):
                say(f"      {line}")
            say("    converging again")
    return None


def write_lab_ready(paths: LabPaths) -> None:
    """Tell the other parts of the kit the hosts are up and reachable (roles may converge against them)."""
    paths.lab_ready.write_text(
        f"ready_at: {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n"
        f"inventory: {paths.inventory}\n"
        f"secrets: {paths.secrets_file}\n"
        f"converge: ansible-playbook -i {paths.inventory} playbooks/site.yml -e @{paths.secrets_file}\n"
    )
