"""Attack report: block rate per class, false positives, misses and FPs with their ModSecurity rule ids."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fhirfort.suites.attack.modsec_log import Transaction, detection_rules
from fhirfort.suites.attack.runner import Result

GOAL_BLOCK_RATE = 0.95
GOAL_FALSE_POSITIVES = 0


@dataclass(frozen=True)
class Goals:
    block_rate: float = GOAL_BLOCK_RATE
    false_positives: int = GOAL_FALSE_POSITIVES


def rate(refused: int, total: int) -> float:
    return round(refused / total, 4) if total else 1.0


def per_class(results: list[Result]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"total": 0, "refused": 0, "missed": 0, "missed_app_rejected": 0, "other": 0}
    )
    for r in results:
        if r.entry.kind != "attack":
            continue
        c = out[r.entry.cls]
        c["total"] += 1
        key = r.verdict.outcome if r.verdict.outcome in ("refused", "missed") else "other"
        c[key] += 1
        if key == "missed" and r.verdict.origin == "app" and 400 <= (r.response.status or 0) < 500:
            c["missed_app_rejected"] += 1  # the WAF let it through, HAPI refused it (defence in depth)
    for c in out.values():
        c["block_rate"] = rate(c["refused"], c["total"])
    return dict(sorted(out.items()))


def _item(r: Result, tx: Transaction | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": r.entry.id,
        "class": r.entry.cls,
        "note": r.entry.note,
        "request": r.response.request_line[:300],
        "status": r.response.status,
        "origin": r.verdict.origin,
        "detail": r.verdict.detail,
        "edge_request_id": r.verdict.request_id,
        "rule_ids": detection_rules(tx),
    }
    if tx:
        item["modsec_unique_id"] = tx.unique_id
        item["rules"] = [x for x in tx.rules if x["id"] in item["rule_ids"]][:8]
    if r.verdict.origin == "app" and r.response.status and r.response.status >= 400:
        item["app_body"] = r.response.body[:300]
    return item


def build(results: list[Result], txs: dict[str, Transaction], goals: Goals, meta: dict[str, Any]) -> dict[str, Any]:
    attacks = [r for r in results if r.entry.kind == "attack"]
    legit = [r for r in results if r.entry.kind == "legit"]
    classes = per_class(results)
    refused = sum(1 for r in attacks if r.verdict.outcome == "refused")
    fps = [r for r in legit if r.verdict.outcome == "false_positive"]
    inconclusive = [r for r in results if r.verdict.outcome in ("throttled", "error", "not_run")]
    below = sorted(c for c, v in classes.items() if v["block_rate"] < goals.block_rate)
    overall = rate(refused, len(attacks))
    legit_app_4xx = [r for r in legit if r.verdict.outcome == "passed" and (r.response.status or 0) >= 400]
    ok = overall >= goals.block_rate and not below and len(fps) <= goals.false_positives and not inconclusive
    return {
        "meta": meta,
        "goals": {"block_rate_per_class": goals.block_rate, "false_positives": goals.false_positives},
        "summary": {
            "attacks": len(attacks),
            "refused": refused,
            "block_rate": overall,
            "classes_below_goal": below,
            "legit": len(legit),
            "legit_passed": sum(1 for r in legit if r.verdict.outcome == "passed"),
            "false_positives": len(fps),
            "legit_app_4xx_5xx": len(legit_app_4xx),
            "inconclusive": len(inconclusive),
            "ok": ok,
        },
        "classes": classes,
        "misses": [_item(r, txs.get(r.entry.id)) for r in attacks if r.verdict.outcome == "missed"],
        "false_positives": [_item(r, txs.get(r.entry.id)) for r in fps],
        "inconclusive": [_item(r, txs.get(r.entry.id)) for r in inconclusive],
        "legit_app_rejections": [_item(r, txs.get(r.entry.id)) for r in legit_app_4xx],
        "rule_histogram": rule_histogram(results, txs),
        # EDGE-09 says every edge answer is an OperationOutcome: these got nginx's own HTML page instead
        "nginx_default_pages": [
            {"id": r.entry.id, "status": r.response.status, "note": r.entry.note}
            for r in results
            if r.verdict.request_id == "nginx-default-page"
        ],
    }


def rule_histogram(results: list[Result], txs: dict[str, Transaction]) -> dict[str, dict[str, int]]:
    """How often each rule fired, on attacks and on legitimate requests."""
    hist: dict[str, dict[str, int]] = defaultdict(lambda: {"attack": 0, "legit": 0})
    for r in results:
        for rid in detection_rules(txs.get(r.entry.id)):
            hist[rid][r.entry.kind] += 1
    return dict(sorted(hist.items()))


def markdown(report: dict[str, Any]) -> str:
    s = report["summary"]
    lines = [
        "# Attack corpus through the edge",
        "",
        f"- attacks: {s['attacks']}, refused by the edge: {s['refused']} (**{s['block_rate']:.1%}**, goal "
        f"{report['goals']['block_rate_per_class']:.0%} per class)",
        f"- legitimate: {s['legit']}, false positives: **{s['false_positives']}** (goal "
        f"{report['goals']['false_positives']}); answered 4xx/5xx by the application: {s['legit_app_4xx_5xx']}",
        f"- inconclusive (throttled, errors, not run): {s['inconclusive']}",
        f"- result: **{'PASS' if s['ok'] else 'FAIL'}**",
        "",
        "| class | total | refused | missed (of which HAPI 4xx) | other | block rate |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for cls, c in report["classes"].items():
        lines.append(
            f"| {cls} | {c['total']} | {c['refused']} | {c['missed']} ({c['missed_app_rejected']}) | {c['other']} "
            f"| {c['block_rate']:.1%} |"
        )
    for title, key in (("Misses", "misses"), ("False positives", "false_positives"), ("Inconclusive", "inconclusive")):
        items = report[key]
        lines += ["", f"## {title} ({len(items)})", ""]
        if items:
            lines += ["| id | class | status | rules | what | detail |", "|---|---|---|---|---|---|"]
        for it in items:
            rules = ", ".join(it["rule_ids"]) or "-"
            what = it["note"].replace("|", "\\|")
            detail = str(it["detail"]).replace("|", "\\|")[:120]
            lines.append(f"| {it['id']} | {it['class']} | {it['status']} | {rules} | {what} | {detail} |")
    return "\n".join(lines) + "\n"
