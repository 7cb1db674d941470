"""LOGC-01 end to end: a line written with `logger` on the fhir host arrives on the log host over TLS."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.host

ROOT = Path(__file__).resolve().parents[3]
FLOWS = yaml.safe_load((ROOT / "spec" / "flows.yaml").read_text())["flows"]
LOG_HOST = next(f["to"] for f in FLOWS if f["service"] == "syslog_tls")
SOURCE = "fhir"


def test_logc01_logger_line_reaches_log_host(lab_host) -> None:
    fhir, logs = lab_host(SOURCE), lab_host(LOG_HOST)
    marker = f"fhirfort-forward-{uuid.uuid4().hex}"
    fhir.check_output(f"logger -p user.notice -t fhirfort-test {marker}")
    path = f"/var/log/remote/{SOURCE}/user.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if logs.run(f"grep -F {marker} {path}").rc == 0:
            break
        time.sleep(2)
    else:
        pytest.fail(f"{marker} did not reach {LOG_HOST}:{path} within 60 s")
    line = logs.check_output(f"grep -F {marker} {path}")
    assert "fhirfort-test" in line and SOURCE in line
    f = logs.file(path)
    assert f.mode == 0o640 and f.user == "root" and f.group == "adm"
