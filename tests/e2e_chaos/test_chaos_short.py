"""The short chaos run (CI form, ~6 min): kill -9 nginx on the edge, HAPI and Keycloak on their primaries (their
standby instances serve meanwhile), rsyslog on the log host, restart the edge host, fill the log host's store --
while a journaled writer goes through the edge. No timed assertion
here: recovery times are in the report; the test asserts that each service came back without a hand, that no
acknowledged write was lost and that no log record was lost while the store was full."""

import json
import os
import subprocess
import sys

import pytest

from fhirfort import REPO_ROOT
from fhirfort.local.paths import LabPaths

pytestmark = pytest.mark.host


@pytest.fixture(scope="module")
def chaos_report(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("chaos enters the lab hosts with nsenter: root only")
    if not LabPaths.default().endpoints.exists():
        pytest.skip("the local target is not up (make up)")
    out = tmp_path_factory.mktemp("chaos") / "chaos.json"
    res = subprocess.run(
        [sys.executable, "-m", "fhirfort.suites.chaos.cli", "--short", "--report", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert out.exists(), f"no report; exit {res.returncode}\n{res.stdout[-3000:]}\n{res.stderr[-2000:]}"
    return json.loads(out.read_text()), res


def test_every_fault_recovered_without_a_hand(chaos_report):
    report, res = chaos_report
    for fault in report["faults"]:
        assert "not_recovered" not in fault, f"{fault['fault']}: {fault.get('not_recovered')}\n{res.stdout[-2000:]}"


def test_standby_served_and_the_killed_instance_came_back(chaos_report):
    """EDGE-15/IDP-08: a crashed app server has a standby behind the edge, and the crashed instance rejoins by
    itself (its own readiness check answers again)."""
    report, res = chaos_report
    app_faults = [f for f in report["faults"] if f["fault"] in ("kill-hapi", "kill-keycloak")]
    assert len(app_faults) == 2, [f["fault"] for f in report["faults"]]
    for fault in app_faults:
        assert fault["standby_instances"], fault
        assert fault["instance_recovery_s"] is not None, f"{fault['fault']}: instance never ready\n{res.stdout[-2000:]}"


def test_no_acknowledged_write_lost(chaos_report):
    report, _ = chaos_report
    writes = report["writes"]
    assert writes["acknowledged"] > 0
    assert writes["lost"] == 0, writes
    assert writes["read_back_unchanged"] == writes["acknowledged"]


def test_full_log_store_pauses_intake_alarms_and_loses_nothing(chaos_report):
    report, res = chaos_report
    disk = report["disk_full"]
    assert disk is not None, res.stdout[-2000:]
    assert disk["own_filesystem"], "the log store is not a filesystem of its own"
    assert disk["intake_paused_after_s"] is not None, disk
    assert disk["failure_visible"], disk["alarms"]
    assert disk["fhir_kept_serving"], disk["fhir_probes_while_full"]
    assert disk["markers_sent_while_full"] > 0
    assert disk["all_records_delivered"], json.dumps(disk, indent=1)
    assert disk["rsyslog_write_errors"] == 0, "rsyslog hit ENOSPC: the guard paused too late"
