"""The auditor report: control -> policy -> resources -> verdict, with HIPAA and NIST citations.

Written from the controls catalogue and the evaluations, as build/compliance/report.json (the data),
report.md (for review in a pull request) and report.html (for the auditor). Nothing is hand-edited.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fhirfort.compliance.controls import catalogue
from fhirfort.compliance.evaluator import Row, StackEvaluation

ORDER = {"fail": 0, "advisory": 1, "waived": 2, "opted-out": 3, "pass": 4, "n/a": 5}


def _verdict(rows: Sequence[Row]) -> str:
    if not rows:
        return "n/a"
    return min((r.status for r in rows), key=lambda s: ORDER[s])


def build(evaluations: Sequence[StackEvaluation], policies: Sequence[Any], uncovered: Sequence[str]) -> dict[str, Any]:
    """The report as plain data (this is report.json)."""
    cat = catalogue()
    by_policy = {p.name: p for p in policies}
    controls = []
    for cid, control in cat.controls.items():
        entries = []
        for name in control.policies:
            policy = by_policy.get(name)
            stacks = {}
            for ev in evaluations:
                rows = [r for r in ev.rows if r.policy == name]
                stacks[ev.stack] = {
                    "verdict": _verdict(rows),
                    "resources": [
                        {
                            "name": r.resource_name,
                            "type": r.resource_type,
                            "urn": r.resource_urn,
                            "status": r.status,
                            "messages": list(r.messages),
                            "waiver": r.waiver,
                        }
                        for r in sorted(rows, key=lambda r: (ORDER[r.status], r.resource_name or ""))
                    ],
                }
            entries.append(
                {
                    "name": name,
                    "description": policy.description if policy else "(missing from the pack)",
                    "kind": "stack" if policy is not None and _is_stack(policy) else "resource",
                    "enforcement": policy.enforcement_level.value
                    if policy and policy.enforcement_level
                    else "mandatory",
                    "stacks": stacks,
                }
            )
        verdicts = {ev.stack: _control_verdict(ev, cid) for ev in evaluations}
        controls.append(
            {
                "id": cid,
                "title": control.title,
                "concern": control.concern,
                "hipaa": list(control.hipaa),
                "nist": list(control.nist),
                "cdk_nag": list(control.cdk_nag),
                "awsguard": list(control.awsguard),
                "waivable": control.waivable,
                "exceptions": [{"id": e.id, "why": e.why} for e in control.exceptions],
                "rationale": control.rationale,
                "verdicts": verdicts,
                "policies": entries,
            }
        )
    stacks = []
    for ev in evaluations:
        counts = Counter(r.status for r in ev.rows)
        stacks.append(
            {
                "stack": ev.stack,
                "environment": ev.environment,
                "stack_tags": ev.stack_tags,
                "resources": len(ev.resources),
                "checks": len(ev.rows),
                "mandatory_violations": counts["fail"],
                "advisory_violations": counts["advisory"],
                "waived": counts["waived"],
                "passed": counts["pass"],
            }
        )
    return {
        "pack": "fhirfort-hipaa",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "summary": summary(evaluations, policies),
        "stacks": stacks,
        "uncovered_resource_types": list(uncovered),
        "exempt_resource_types": {k: v.why for k, v in cat.exempt_resource_types.items()},
        "controls": controls,
    }


def _opted_out(ev: StackEvaluation, control_id: str) -> bool:
    key = f"fhirfort:opt-out:{control_id}"
    if key in ev.stack_tags:
        return True
    return any(key in (r.inputs.get("tags") or {}) for r in ev.resources)


def _control_verdict(ev: StackEvaluation, control_id: str) -> str:
    """A control's verdict in one stack; an opt-out shows even where the relaxed rule does not apply."""
    verdict = _verdict([r for r in ev.rows if r.control == control_id])
    if verdict in ("pass", "n/a") and _opted_out(ev, control_id):
        return "opted-out"
    return verdict


def _is_stack(policy: Any) -> bool:
    from pulumi_policy import StackValidationPolicy

    return isinstance(policy, StackValidationPolicy)


def summary(evaluations: Sequence[StackEvaluation], policies: Sequence[Any]) -> dict[str, int]:
    rows = [r for ev in evaluations for r in ev.rows]
    counts = Counter(r.status for r in rows)
    return {
        "policies": len(policies),
        "resources": sum(len(ev.resources) for ev in evaluations),
        "violations": counts["fail"],
        "advisories": counts["advisory"],
        "waived": counts["waived"],
        "checks": len(rows),
    }


# --------------------------------------------------------------------------- Markdown
def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(data: dict[str, Any]) -> str:
    s = data["summary"]
    stacks = [st["stack"] for st in data["stacks"]]
    out = [
        "# fhirfort compliance report (fhirfort-hipaa policy pack)",
        "",
        f"Generated {data['generated']} by `fhirfort audit` over the mocked stacks {', '.join(stacks)}.",
        f"Policies: {s['policies']}; resources: {s['resources']}; checks: {s['checks']}; "
        f"mandatory violations: **{s['violations']}**; advisory: {s['advisories']}; waived: {s['waived']}.",
        "",
        "| Stack | Environment | Resources | Mandatory | Advisory | Waived | Passed |",
        "|---|---|---|---|---|---|---|",
    ]
    for st in data["stacks"]:
        out.append(
            f"| {st['stack']} | {st['environment']} | {st['resources']} | {st['mandatory_violations']} | "
            f"{st['advisory_violations']} | {st['waived']} | {st['passed']} |"
        )
    out += ["", "## Controls", "", "| Control | Title | HIPAA 45 CFR | NIST SP 800-53 | " + " | ".join(stacks) + " |"]
    out.append("|---|---|---|---|" + "---|" * len(stacks))
    for c in data["controls"]:
        verdicts = " | ".join(c["verdicts"].get(name, "n/a") for name in stacks)
        out.append(
            f"| [{c['id']}](#{c['id'].lower()}) | {_md_escape(c['title'])} | {', '.join(c['hipaa'])} | "
            f"{', '.join(c['nist'])} | {verdicts} |"
        )
    for c in data["controls"]:
        out += ["", f"### {c['id']}", "", f"**{_md_escape(c['title'])}**", ""]
        out.append(f"- HIPAA: {', '.join('45 CFR ' + h for h in c['hipaa'])}")
        out.append(f"- NIST SP 800-53: {', '.join(c['nist'])}")
        if c["cdk_nag"]:
            out.append(f"- cdk-nag: {', '.join(c['cdk_nag'])}")
        if c["awsguard"]:
            out.append(f"- AWSGuard: {', '.join(c['awsguard'])}")
        out.append(f"- Waivable by opt-out: {'yes' if c['waivable'] else 'no'}")
        for e in c["exceptions"]:
            out.append(f"- Exception `{e['id']}`: {_md_escape(e['why'])}")
        if c["rationale"]:
            out.append(f"- Rationale: {_md_escape(c['rationale'])}")
        for p in c["policies"]:
            out += ["", f"#### `{p['name']}` ({p['kind']}, {p['enforcement']})", "", _md_escape(p["description"]), ""]
            for stack, result in p["stacks"].items():
                passed = [r["name"] for r in result["resources"] if r["status"] == "pass"]
                others = [r for r in result["resources"] if r["status"] != "pass"]
                line = f"- **{stack}**: {result['verdict']}"
                if passed:
                    line += f"; pass ({len(passed)}): {', '.join(str(n) for n in passed)}"
                out.append(line)
                for r in others:
                    why = "; ".join(r["messages"]) or ""
                    waiver = f" (opt-out: {r['waiver']})" if r["waiver"] else ""
                    out.append(f"  - {r['status'].upper()} `{r['name']}`{waiver}: {_md_escape(why)}")
    out += ["", "## Resource types no policy inspects (exempt, with reasons)", ""]
    for typ, why in data["exempt_resource_types"].items():
        out.append(f"- `{typ}`: {_md_escape(why)}")
    if data["uncovered_resource_types"]:
        out += ["", "## Uncovered resource types (neither inspected nor exempt)", ""]
        out += [f"- `{t}`" for t in data["uncovered_resource_types"]]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;
vertical-align:top}th{background:#f4f4f4}.fail{background:#fdd}.advisory{background:#ffe9c4}.waived{background:#fff6c4}
.pass{background:#e3f6e3}.opted-out{background:#fff6c4}.na{color:#888}
details{margin:.3rem 0 .8rem 1rem}code{font-size:.9em}
"""


def _cls(status: str) -> str:
    return "na" if status == "n/a" else status


def html_report(data: dict[str, Any]) -> str:
    e = html.escape
    s = data["summary"]
    stacks = [st["stack"] for st in data["stacks"]]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>fhirfort compliance report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>fhirfort compliance report <small>(fhirfort-hipaa)</small></h1>",
        f"<p>Generated {e(data['generated'])} by <code>fhirfort audit</code>. Policies {s['policies']}, "
        f"resources {s['resources']}, checks {s['checks']}, mandatory violations <b>{s['violations']}</b>, "
        f"advisory {s['advisories']}, waived {s['waived']}.</p>",
        "<table><tr><th>Stack</th><th>Environment</th><th>Resources</th><th>Mandatory</th><th>Advisory</th>"
        "<th>Waived</th><th>Passed</th></tr>",
    ]
    for st in data["stacks"]:
        parts.append(
            f"<tr><td>{e(st['stack'])}</td><td>{e(st['environment'])}</td><td>{st['resources']}</td>"
            f"<td>{st['mandatory_violations']}</td><td>{st['advisory_violations']}</td><td>{st['waived']}</td>"
            f"<td>{st['passed']}</td></tr>"
        )
    parts.append(
        "</table><h2>Controls</h2><table><tr><th>Control</th><th>Title</th><th>HIPAA 45 CFR</th>"
        "<th>NIST SP 800-53</th><th>cdk-nag</th>" + "".join(f"<th>{e(n)}</th>" for n in stacks) + "</tr>"
    )
    for c in data["controls"]:
        cells = "".join(
            f"<td class='{_cls(c['verdicts'].get(n, 'n/a'))}'>{e(c['verdicts'].get(n, 'n/a'))}</td>" for n in stacks
        )
        parts.append(
            f"<tr><td><a href='#{e(c['id'])}'>{e(c['id'])}</a></td><td>{e(c['title'])}</td>"
            f"<td>{e(', '.join(c['hipaa']))}</td><td>{e(', '.join(c['nist']))}</td>"
            f"<td>{e(', '.join(c['cdk_nag']))}</td>{cells}</tr>"
        )
    parts.append("</table>")
    for c in data["controls"]:
        parts.append(f"<h3 id='{e(c['id'])}'>{e(c['id'])}: {e(c['title'])}</h3>")
        parts.append(
            f"<p>HIPAA {e(', '.join('45 CFR ' + h for h in c['hipaa']))}; NIST SP 800-53 {e(', '.join(c['nist']))}; "
            f"waivable: {'yes' if c['waivable'] else 'no'}.</p>"
        )
        for x in c["exceptions"]:
            parts.append(f"<p>Exception <code>{e(x['id'])}</code>: {e(x['why'])}</p>")
        for p in c["policies"]:
            parts.append(f"<h4><code>{e(p['name'])}</code> ({e(p['kind'])}, {e(p['enforcement'])})</h4>")
            parts.append(f"<p>{e(p['description'])}</p>")
            for stack, result in p["stacks"].items():
                parts.append(
                    f"<details><summary class='{_cls(result['verdict'])}'>{e(stack)}: {e(result['verdict'])} "
                    f"({len(result['resources'])} checked)</summary><table><tr><th>Resource</th><th>Type</th>"
                    "<th>Status</th><th>Details</th></tr>"
                )
                for r in result["resources"]:
                    detail = "; ".join(r["messages"]) + (f" (opt-out: {r['waiver']})" if r["waiver"] else "")
                    parts.append(
                        f"<tr class='{_cls(r['status'])}'><td>{e(str(r['name']))}</td>"
                        f"<td><code>{e(str(r['type']))}</code></td><td>{e(r['status'])}</td><td>{e(detail)}</td></tr>"
                    )
                parts.append("</table></details>")
    parts.append("<h2>Resource types no policy inspects</h2><ul>")
    parts += [f"<li><code>{e(t)}</code>: {e(why)}</li>" for t, why in data["exempt_resource_types"].items()]
    parts.append("</ul>")
    if data["uncovered_resource_types"]:
        parts.append("<h2>Uncovered resource types</h2><ul>")
        parts += [f"<li><code>{e(t)}</code></li>" for t in data["uncovered_resource_types"]]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write(data: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "report.json": json.dumps(data, indent=2, sort_keys=False) + "\n",
        "report.md": markdown(data),
        "report.html": html_report(data),
    }
    paths = []
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text)
        paths.append(path)
    return paths
