"""Plain findings from a chaos run, addressed to the role that can fix each (the suite changes no role)."""

from __future__ import annotations

from typing import Any

ROLE_OF_UNIT = {
    "nginx": "edge_waf",
    "fhirfort-fhir-server": "fhir_server",
    "postgresql@17-main": "postgresql",
    "keycloak": "identity",
    "rsyslog": "log_host",
}


def findings(results: list[dict[str, Any]], disk: dict[str, Any] | None, budget: float) -> list[str]:
    out: list[str] = []
    for r in results:
        role = ROLE_OF_UNIT.get(r.get("service", ""), "?")
        if r.get("restart_policy") == "no" and r.get("not_recovered"):
            out.append(
                f"{r['fault']}: {r['service']} on {r['host']} has Restart=no and stayed down after kill -9; "
                f"roles/{role}: add a systemd drop-in (Restart=on-failure, RestartSec=1s) and a test for it"
            )
        elif r.get("recovery_s") is not None and r["recovery_s"] > budget:
            out.append(
                f"{r['fault']}: {r['service']} on {r['host']} served again after {r['recovery_s']:.0f} s "
                f"(budget {budget:.0f} s); roles/{role}: cut the start time (JVM class-data sharing, lazy "
                "initialisation, fewer auto-configurations) or give the role a standby instance "
                "(spec/tiers.yaml local_replicas) that the edge fails over to"
            )
        if "instance_recovery_s" in r and r["instance_recovery_s"] is None:
            out.append(
                f"{r['fault']}: the {r['service']} instance on {r['host']} never answered its readiness check again: "
                f"the service runs without its standby; roles/{role}: why does it not start?"
            )
    if disk and disk.get("intake_paused_after_s") is None:
        out.append(
            "disk full on the log host: the guard never paused intake (fhirfort-logstore-guard state stayed 'ok'); "
            "roles/log_host LOGH-04: is the guard running and does it watch the store's filesystem?"
        )
    if disk and not disk.get("failure_visible"):
        out.append("disk full on the log host: no ALARM from fhirfort-logstore-guard in the log host's journal")
    if disk and not disk.get("all_records_delivered"):
        out.append(
            f"disk full on the log host: {disk.get('markers_lost')} of {disk.get('markers_sent_while_full')} log "
            "records written meanwhile never arrived after space returned; check the senders' disk-assisted "
            "queues (roles/log_client) and whether rsyslog on the log host restarted (LOGH-04)"
        )
    if disk and disk.get("fhir_kept_serving") is False:
        out.append("disk full on the log host: FHIR requests failed meanwhile (logging must not block service)")
    return out
