"""A bench-only, temporary overlay of the edge's nginx configuration, restored when the bench ends.

Why: the edge limits every client address to `edge_waf_rate_limit_per_second` (30 r/s, burst 60). A
closed-loop benchmark from one address would measure the limiter (429s), not the cost of TLS + WAF + proxy.
The limiter is per-client policy, not capacity: a population of clients, each under its limit, meets the
same TLS/WAF/proxy work per request. So the bench raises the per-client rate and burst for its own run
(the limiter stays in the request path, only its threshold moves), states it in the report, and puts the
files back byte for byte. `--waf-ablation` additionally turns ModSecurity off on a copy of the rounds to split
the edge's cost into TLS + proxy and WAF (libmodsecurity 3 has no per-rule timing: SecRulePerfTime is v2).

Safety: the originals are saved under build/bench/overlay.json before anything changes; a file is restored
only if it still holds the bench's content (a converge in the meantime wins); a stale overlay of a crashed
run is restored at the next start. nginx is reloaded (graceful) only after `nginx -t` passes.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fhirfort.local.paths import LabPaths
from fhirfort.suites.lab import LabError, exec_in

CONF_DIR = Path("etc/nginx/fhirfort")
HTTP_CONF = CONF_DIR / "http.conf"
SERVERS_CONF = CONF_DIR / "servers.conf"
RATE_RE = re.compile(r"(limit_req_zone\s+\$binary_remote_addr\s+zone=fhirfort_req:\S+\s+rate=)(\d+)(r/s)")
BURST_RE = re.compile(r"(limit_req\s+zone=fhirfort_req\s+burst=)(\d+)")
WAF_RE = re.compile(r"(^\s*modsecurity\s+)on;", re.MULTILINE)


class OverlayError(RuntimeError):
    """The edge's configuration does not look as expected, or nginx refused the bench configuration."""


def patch_rate(text: str, rate: int) -> tuple[str, int]:
    """(text with the fhirfort_req zone's rate set to `rate`, the previous rate)."""
    m = RATE_RE.search(text)
    if not m:
        raise OverlayError("no `limit_req_zone ... zone=fhirfort_req ... rate=Nr/s` in the edge's http.conf")
    return RATE_RE.sub(lambda x: f"{x[1]}{rate}{x[3]}", text), int(m[2])


def patch_burst(text: str, burst: int) -> tuple[str, int]:
    m = BURST_RE.search(text)
    if not m:
        raise OverlayError("no `limit_req zone=fhirfort_req burst=N` in the edge's servers.conf")
    return BURST_RE.sub(lambda x: f"{x[1]}{burst}", text), int(m[2])


def patch_waf_off(text: str) -> str:
    if not WAF_RE.search(text):
        raise OverlayError("no `modsecurity on;` in the edge's servers.conf")
    return WAF_RE.sub(lambda x: f"{x[1]}off;", text)


@dataclass
class EdgeOverlay:
    paths: LabPaths
    state_file: Path
    say: Callable[[str], None] = print

    def _file(self, rel: Path) -> Path:
        return self.paths.machine("edge") / rel

    def _load_state(self) -> dict[str, dict[str, str]]:
        if not self.state_file.exists():
            return {}
        return json.loads(self.state_file.read_text())

    def _reload(self) -> None:
        test = exec_in("edge", ["nginx", "-t"], timeout=30, paths=self.paths)
        if test.returncode != 0:
            raise OverlayError(f"nginx -t refused the configuration: {test.stderr.strip()[-300:]}")
        res = exec_in("edge", ["systemctl", "reload", "nginx"], timeout=30, paths=self.paths)
        if res.returncode != 0:
            raise OverlayError(f"systemctl reload nginx failed: {res.stderr.strip()[-300:]}")
        time.sleep(1.5)  # old workers finish their requests; new ones carry the new limits

    def apply(self, patches: dict[Path, Callable[[str], str]]) -> None:
        """Apply text patches to edge files (relative to the host's root), recording originals first.

        Patches always apply to the originals: switching from one overlay to another is one write and one
        reload; a file of an earlier overlay that the new one does not patch gets its original back.
        """
        old = self._load_state()
        for rel, rec in old.items():  # an earlier overlay (this run's or a crashed run's) that a converge replaced
            if self._file(Path(rel)).read_text() != rec["patched"]:
                self.restore()
                old = {}
                break
        state: dict[str, dict[str, str]] = {}
        new: dict[Path, str] = {}
        for rel in {*patches, *(Path(r) for r in old)}:
            original = old[str(rel)]["original"] if str(rel) in old else self._file(rel).read_text()
            patched = patches[rel](original) if rel in patches else original
            state[str(rel)] = {"original": original, "patched": patched}
            new[rel] = patched
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(state))
        if all(self._file(rel).read_text() == text for rel, text in new.items()):
            return
        for rel, text in new.items():
            self._write(rel, text)
        try:
            self._reload()
        except (OverlayError, LabError):
            self.restore()
            raise

    def _write(self, rel: Path, text: str) -> None:
        with self._file(rel).open("r+") as fh:  # in place: owner and mode stay as the role set them
            fh.seek(0)
            fh.write(text)
            fh.truncate()

    def restore(self) -> list[str]:
        """Put the originals back (only files still holding the bench content); reload; return notes."""
        state = self._load_state()
        if not state:
            return []
        notes: list[str] = []
        changed = False
        for rel, rec in state.items():
            current = self._file(Path(rel)).read_text()
            if current == rec["patched"]:
                self._write(Path(rel), rec["original"])
                changed = True
            elif current != rec["original"]:
                notes.append(f"{rel} changed during the bench (a converge?): left as it is now")
        if changed:
            self._reload()
        self.state_file.unlink(missing_ok=True)
        for n in notes:
            self.say(f"    overlay: {n}")
        return notes

    def active(self) -> bool:
        return bool(self._load_state())


def limits_patch(rate: int, burst: int, seen: dict[str, int]) -> dict[Path, Callable[[str], str]]:
    """Patches raising the per-client rate and burst; `seen` receives the production values."""

    def http(text: str) -> str:
        out, seen["rate"] = patch_rate(text, rate)
        return out

    def servers(text: str) -> str:
        out, seen["burst"] = patch_burst(text, burst)
        return out

    return {HTTP_CONF: http, SERVERS_CONF: servers}


def waf_off_patch(base: dict[Path, Callable[[str], str]]) -> dict[Path, Callable[[str], str]]:
    """`base` plus ModSecurity off on the public server (ablation rounds only)."""
    out = dict(base)
    prev = out.get(SERVERS_CONF)
    out[SERVERS_CONF] = (lambda t: patch_waf_off(prev(t))) if prev else patch_waf_off
    return out
