"""Filters of the edge_waf role: read the OWASP CRS rule files the host has installed.

`crs_rule_ids_by_tag(texts, tags)` maps each tag in `tags` to the sorted ids of the CRS rules that carry it
(`tag:'attack-sqli'`), from the text of the rule files. The role turns the map into one
`SecRuleUpdateTargetById` per rule instead of one `SecRuleUpdateTargetByTag` per tag: ModSecurity v3 checks
every by-tag update against every tag of every rule it evaluates, on every request (a string built per tag),
which cost about 0.75 ms of edge CPU per read with 15 by-tag updates; a by-id update is an integer compare.
A tag no rule carries is an error that names it: the installed CRS is not the one the kit's exclusions were
written for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # pragma: no cover - unit tests without ansible
    AnsibleFilterError = ValueError  # type: ignore[assignment,misc]

_CONTINUATION = re.compile(r"\\\r?\n")
_RULE_START = re.compile(r"^\s*(SecRule|SecAction)\b", re.MULTILINE)
_RULE_ID = re.compile(r"[\"',]\s*id:(\d+)")
_TAG = re.compile(r"\btag:'([^']*)'")


def _directives(text: str) -> list[str]:
    """The SecRule/SecAction directives of a rule file, continuation lines joined, comments dropped."""
    joined = _CONTINUATION.sub(" ", text)
    lines = [line for line in joined.splitlines() if not line.lstrip().startswith("#")]
    body = "\n".join(lines)
    starts = [m.start() for m in _RULE_START.finditer(body)]
    return [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]


def crs_rule_ids_by_tag(texts: Iterable[str], tags: Iterable[str]) -> dict[str, list[int]]:
    """{tag: sorted rule ids} over the rule files' texts; a chained rule's links count as its head rule."""
    wanted = list(dict.fromkeys(tags))
    found: dict[str, set[int]] = {tag: set() for tag in wanted}
    for text in texts:
        head_id: int | None = None
        for directive in _directives(text):
            match = _RULE_ID.search(directive)
            if match:
                head_id = int(match.group(1))
            if head_id is None:
                continue
            for tag in _TAG.findall(directive):
                if tag in found:
                    found[tag].add(head_id)
    missing = [tag for tag in wanted if not found[tag]]
    if missing:
        raise AnsibleFilterError(
            f"crs_rule_ids_by_tag: no CRS rule carries the tag(s) {', '.join(missing)}: the installed CRS "
            "(edge_waf_crs_rules_dir) is not the rule set the kit's exclusions were written for"
        )
    return {tag: sorted(found[tag]) for tag in wanted}


class FilterModule:
    """Ansible's entry point."""

    def filters(self) -> dict[str, object]:
        return {"crs_rule_ids_by_tag": crs_rule_ids_by_tag}
