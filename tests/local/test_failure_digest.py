"""The failure digest names the failed task, host and message; a failed converge is retried once, loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from fhirfort.local import up
from fhirfort.local.failure_digest import digest, failed_tasks, failed_tests
from fhirfort.local.paths import LabPaths
from fhirfort.local.steps import StepError

LOG = """PLAY [Log forwarding] ****
TASK [log_client : LOGC-01 | Install rsyslog] ****
FAILED - RETRYING: [fhir]: LOGC-01 | Install rsyslog (5 retries left).
fatal: [fhir]: FAILED! => {"attempts": 5, "changed": false, "msg": "Failed to lock apt: E:Could not get lock"}
ok: [db]
RUNNING HANDLER [log_client : Restart rsyslog] ****
fatal: [idp]: FAILED! => {"changed": false, "msg": "Unable to restart service rsyslog"}
"""


def test_failed_tasks_name_host_task_and_message() -> None:
    lines = failed_tasks(LOG)
    assert lines == [
        "fhir: TASK [log_client : LOGC-01 | Install rsyslog]: Failed to lock apt: E:Could not get lock",
        "idp: RUNNING HANDLER [log_client : Restart rsyslog]: Unable to restart service rsyslog",
    ]
    assert failed_tasks("TASK [x] ****\nok: [db]\n") == []


def test_failed_tests_and_digest(tmp_path: Path) -> None:
    pytest_log = tmp_path / "pytest-hosts.log"
    pytest_log.write_text("....F\nFAILED tests/e2e/test_x.py::test_y - assert 1 == 2\n1 failed\n")
    assert failed_tests(pytest_log.read_text()) == ["FAILED tests/e2e/test_x.py::test_y - assert 1 == 2"]
    converge_log = tmp_path / "converge.log"
    converge_log.write_text(LOG)
    lines = digest([converge_log, tmp_path / "absent.log"], [pytest_log])
    assert len(lines) == 3 and lines[0].startswith("converge  fhir:") and lines[2].startswith("pytest-hosts  FAILED")


def test_converge_is_retried_once_and_the_first_log_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = LabPaths(tmp_path)
    paths.logs.mkdir(parents=True)
    calls: list[int] = []

    def flaky(p: LabPaths) -> dict[str, dict[str, int]]:
        calls.append(1)
        (p.logs / "converge.log").write_text(LOG if len(calls) == 1 else "PLAY RECAP ****\n")
        if len(calls) == 1:
            raise StepError("converge", "ansible-playbook exited with 2", "fhir", p.logs / "converge.log")
        return {"fhir": {"ok": 1, "changed": 0, "unreachable": 0, "failed": 0}}

    monkeypatch.setattr(up.converge, "converge", flaky)
    assert up._converge(paths, 2) == {"fhir": {"ok": 1, "changed": 0, "unreachable": 0, "failed": 0}}
    assert len(calls) == 2
    assert "Could not get lock" in (paths.logs / "converge.attempt1.log").read_text()


def test_a_deterministic_failure_fails_after_the_last_attempt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = LabPaths(tmp_path)
    paths.logs.mkdir(parents=True)

    def broken(p: LabPaths) -> dict[str, dict[str, int]]:
        (p.logs / "converge.log").write_text(LOG)
        raise StepError("converge", "ansible-playbook exited with 2", "fhir", p.logs / "converge.log")

    monkeypatch.setattr(up.converge, "converge", broken)
    with pytest.raises(StepError, match="exited with 2"):
        up._converge(paths, 2)
    with pytest.raises(StepError):
        up._converge(paths, 1)
    assert not (paths.logs / "converge.attempt1.log").exists()  # one attempt: nothing to keep
