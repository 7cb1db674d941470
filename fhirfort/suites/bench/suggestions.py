"""Tuning suggestions for the edge (roles/edge_waf), from the measured numbers and the edge's configuration.

The bench does not change the roles: these are notes for whoever owns the edge, each with the number that
motivates it.
"""

from __future__ import annotations

from typing import Any


def suggestions(rep: dict[str, Any]) -> list[str]:
    read = rep.get("summary", {}).get("read", {})
    paths = read.get("paths", {})
    sec = paths.get("secured", {}).get("cpu_us_per_request", {})
    nowaf = paths.get("secured_nowaf", {}).get("cpu_us_per_request", {})
    nginx = sec.get("edge_nginx", 0.0)
    waf = nginx - nowaf["edge_nginx"] if "edge_nginx" in nowaf else None
    out: list[str] = []
    basis = f"edge nginx {nginx:.0f} us CPU per read request" + (f", of which ModSecurity ~{waf:.0f} us" if waf else "")
    out.append(
        "CRS scoped to what FHIR requests carry (" + basis + "; libmodsecurity 3 has no per-rule timing, so "
        "measure each change with `make bench --waf-ablation`): for GET/HEAD on ^/fhir/ there is no body, so "
        "the cost is the phase-1/2 rules over URI, args and headers -- remove the rule groups for platforms "
        "the stack does not run (REQUEST-933 PHP, REQUEST-934 Node.js) for ^/fhir/ with "
        "ctl:ruleRemoveByTag=language-php / language-javascript in a phase-1 SecRule, keep 941/942/932 (XSS, "
        "SQLi, RCE) on ARGS; exclude known-safe FHIR parameters (_include, _revinclude, _elements, _sort, "
        "_count) from specific rules by id (ctl:ruleRemoveTargetById) instead of whole groups; each exclusion "
        "with an attack-suite case proving what is still refused."
    )
    out.append(
        "Already right, keep: SecResponseBodyAccess Off, SecAuditEngine RelevantOnly with parts AHZ (no bodies), "
        "JSON depth 64 and SecArgumentsLimit, SecPcreMatchLimit 1000 -- the remaining WAF cost is rule "
        "evaluation on headers/URI/args, so the lever is fewer rules per request (above), not logging."
    )
    out.append(
        "Upstream keepalive vs HAPI's Tomcat: HAPI closes idle keep-alive connections after 20 s "
        "(server.tomcat.keep-alive-timeout) while nginx keeps idle upstream connections 60 s by default "
        "(upstream keepalive_timeout). A POST sent on a connection Tomcat just closed is not retried by nginx "
        "(non-idempotent) and the client gets 502: set `keepalive_timeout 15s;` (below HAPI's) and "
        "`keepalive_requests 1000;` in the upstream block; size `keepalive` (16) to workers x concurrency "
        "(e.g. 32). proxy_ssl_session_reuse on is set: keep it (saves the upstream TLS handshake)."
    )
    out.append(
        "TLS session reuse for clients: ssl_session_cache shared 10m is on and tickets are off (forward secrecy); "
        "keep both; `ssl_buffer_size 4k` lowers first-byte latency for small FHIR JSON answers; an ECDSA P-256 "
        "certificate for the public name makes full handshakes several times cheaper than RSA."
    )
    out.append(
        "Access log off the request path: `access_log ... buffer=64k flush=1s` (one write per batch instead of "
        "per request)."
    )
    out.append(
        "Rate limit vs capacity: keep limit_req per client (30 r/s, burst 60); the bench raises it only for its "
        "own run. Size the limit from the measured capacity divided by the expected number of concurrent heavy "
        "clients."
    )
    out.append(
        "`modsecurity_transaction_id $request_id` so WAF events, the access log and HAPI's audit join on one id."
    )
    return out
