"""The edge_waf role's CRS filter (roles/edge_waf/filter_plugins/crs_rules.py), no hosts needed.

The role extends the CRS attack rules to FHIR XML attribute values and the If-None-Exist header with one
`SecRuleUpdateTargetById` per rule: the filter must find every rule head of a tag (multi-line rules, chains,
comments, markers) and refuse a tag the installed CRS does not have, instead of silently extending nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fhirfort.modload import load_file_module

ROOT = Path(__file__).resolve().parents[2]
ROLE = ROOT / "roles" / "edge_waf"


crs_rules = load_file_module("edge_waf_crs_rules", ROLE / "filter_plugins" / "crs_rules.py")

# Shaped like the CRS 3.3 rule files: continuation lines, a chain whose link has no id, a commented-out
# rule, a SecMarker and a paranoia-level skip.
SQLI_FILE = r"""
# -= Paranoia Level 0 (empty) =- (apply unconditionally)
SecRule TX:EXECUTING_PARANOIA_LEVEL "@lt 1" "id:942011,phase:1,pass,nolog,skipAfter:END-REQUEST-942"
SecRule REQUEST_COOKIES|ARGS_NAMES|ARGS|XML:/* "@detectSQLi" \
    "id:942100,\
    phase:2,\
    block,\
    tag:'application-multi',\
    tag:'attack-sqli',\
    tag:'paranoia-level/1',\
    setvar:'tx.anomaly_score_pl1=+%{tx.critical_anomaly_score}'"

SecRule ARGS "@rx (?i)union" \
    "id:942190,\
    phase:2,\
    block,\
    tag:'attack-sqli',\
    chain"
    SecRule MATCHED_VARS "@rx select" \
        "t:none,tag:'attack-xss',\
        setvar:'tx.sql_injection_score=+%{tx.critical_anomaly_score}'"

# SecRule ARGS "@rx x" "id:942999,phase:2,block,tag:'attack-sqli'"
SecMarker "END-REQUEST-942"
"""

XSS_FILE = r"""
SecRule ARGS "@detectXSS" \
    "id:941100,phase:2,block,t:none,t:utf8toUnicode,\
    tag:'attack-xss',tag:'OWASP_CRS'"
SecAction "id:941999,phase:2,pass,nolog,tag:'attack-protocol'"
"""


def test_rule_heads_per_tag() -> None:
    ids = crs_rules.crs_rule_ids_by_tag([SQLI_FILE, XSS_FILE], ["attack-sqli", "attack-xss"])
    # 942999 is commented out; a chain link's tag belongs to its head rule (942190)
    assert ids == {"attack-sqli": [942100, 942190], "attack-xss": [941100, 942190]}


def test_duplicate_tags_kept_once_in_order() -> None:
    ids = crs_rules.crs_rule_ids_by_tag([XSS_FILE], ["attack-xss", "attack-protocol", "attack-xss"])
    assert list(ids) == ["attack-xss", "attack-protocol"]
    assert ids["attack-protocol"] == [941999]


def test_missing_tag_is_an_error_naming_it() -> None:
    # CRS 4 spells tags CRS 3.3 does not have: the converge must stop, not extend nothing
    with pytest.raises(crs_rules.AnsibleFilterError, match="attack-injection-java"):
        crs_rules.crs_rule_ids_by_tag([SQLI_FILE], ["attack-sqli", "attack-injection-java"])


def test_filter_is_registered() -> None:
    assert crs_rules.FilterModule().filters()["crs_rule_ids_by_tag"] is crs_rules.crs_rule_ids_by_tag


def test_no_by_tag_target_updates_in_the_waf_config() -> None:
    # A by-tag target update makes ModSecurity v3 compare it with every tag of every rule on every request
    # (about 0.75 ms of edge CPU per request with 15 of them): the role resolves tags to ids instead.
    for template in (ROLE / "templates" / "modsecurity").glob("*.j2"):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            assert not line.lstrip().startswith("SecRuleUpdateTargetByTag"), f"{template.name}:{number}"
