"""The readable table on screen and the JSON report under build/reports/."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from fhirfort import REPO_ROOT
from fhirfort.verify_aws.result import CheckResult

REPORT_DIR = REPO_ROOT / "build" / "reports"
DETAIL_WIDTH = 70


def render_table(results: list[CheckResult]) -> str:
    id_w = max([len("ID"), *(len(r.id) for r in results)])
    title_w = max([len("CONTROL"), *(len(r.title) for r in results)])
    lines = [f"{'ID':<{id_w}}  {'RESULT':<6}  {'CONTROL':<{title_w}}  DETAIL"]
    lines.append("-" * len(lines[0]) + "-" * (DETAIL_WIDTH - len("DETAIL")))
    for r in results:
        detail = textwrap.wrap(r.detail, DETAIL_WIDTH) or [""]
        lines.append(f"{r.id:<{id_w}}  {r.status:<6}  {r.title:<{title_w}}  {detail[0]}")
        lines += [f"{'':<{id_w}}  {'':<6}  {'':<{title_w}}  {more}" for more in detail[1:]]
    return "\n".join(lines)


def summary_line(results: list[CheckResult]) -> str:
    failures = sum(not r.passed for r in results)
    waived = sum(r.waiver is not None for r in results)
    return f"checks={len(results)} passed={len(results) - failures - waived} waived={waived} failed={failures}"


def write_json(results: list[CheckResult], stack: str, region: str, directory: Path = REPORT_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"verify-aws-{stack}.json"
    document = {
        "stack": stack,
        "region": region,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "passed": all(r.passed for r in results),
        "summary": summary_line(results),
        "results": [r.as_dict() for r in results],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
