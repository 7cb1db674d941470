"""Converge the lab hosts with Ansible (playbooks/site.yml) and summarise the PLAY RECAP."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from fhirfort import REPO_ROOT
from fhirfort.local.paths import LabPaths
from fhirfort.local.steps import StepError, follow, say

PLAYBOOK = REPO_ROOT / "playbooks" / "site.yml"
STEP = "converge"
RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)"
)


def parse_recap(text: str) -> dict[str, dict[str, int]]:
    """Host -> {ok, changed, unreachable, failed} from the last PLAY RECAP of an ansible-playbook log."""
    recap = text.rsplit("PLAY RECAP", 1)
    if len(recap) < 2:
        return {}
    out: dict[str, dict[str, int]] = {}
    for line in recap[1].splitlines():
        m = RECAP.match(line.strip())
        if m:
            out[m["host"]] = {k: int(m[k]) for k in ("ok", "changed", "unreachable", "failed")}
    return out


def ansible_command(paths: LabPaths, playbook: Path = PLAYBOOK) -> list[str]:
    venv_bin = Path(os.environ.get("VIRTUAL_ENV", REPO_ROOT / ".venv")) / "bin"
    exe = venv_bin / "ansible-playbook"
    return [
        str(exe if exe.exists() else "ansible-playbook"),
        "-i",
        str(paths.inventory),
        str(playbook),
        "-e",
        f"@{paths.secrets_file}",
    ]


def current_task(text: str) -> str:
    """The last PLAY/TASK header of an ansible-playbook log, e.g. 'PLAY [db] / TASK [postgresql : ...]'."""
    play = task = ""
    for line in text.splitlines():
        if line.startswith("PLAY ["):
            play, task = line.split(" *")[0].strip(), ""
        elif line.startswith(("TASK [", "RUNNING HANDLER [")):
            task = line.split(" *")[0].strip()
    return " / ".join(p for p in (play, task) if p) or "start"


def converge(paths: LabPaths, playbook: Path = PLAYBOOK) -> dict[str, dict[str, int]] | None:
    """Run the playbook (None when it does not exist yet); raise StepError naming the failed hosts."""
    if not playbook.exists():
        say(f"    {playbook.relative_to(REPO_ROOT)} does not exist yet: converge skipped")
        return None
    log = paths.logs / "converge.log"
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"), ANSIBLE_FORCE_COLOR="0")
    with log.open("w") as fh:
        child = subprocess.Popen(
            ansible_command(paths, playbook), stdout=fh, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env
        )
        returncode = follow(child, log, lambda text: f"at {current_task(text)}")
    summary = parse_recap(log.read_text())
    for host, counts in sorted(summary.items()):
        say(
            f"    {host:6} ok={counts['ok']} changed={counts['changed']} "
            f"unreachable={counts['unreachable']} failed={counts['failed']}"
        )
    bad = [h for h, c in summary.items() if c["failed"] or c["unreachable"]]
    if returncode != 0:
        raise StepError(STEP, f"ansible-playbook exited with {returncode}", ", ".join(bad) or None, log)
    return summary
