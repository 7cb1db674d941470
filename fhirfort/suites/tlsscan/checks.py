"""Assertions over testssl findings. Each failed assertion is a finding with a severity; the run fails when
a finding reaches the configured threshold. Any testssl HIGH/CRITICAL finding not covered here counts too,
unless waived (with a reason) for the local target."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SEVERITIES = ("INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL")
# testssl ids accepted on the local target, with the reason (a private lab CA has no CRL/OCSP or DNS CAA)
DEFAULT_WAIVERS: dict[str, str] = {
    "cert_revocation": "the kit's private lab CA publishes no CRL/OCSP (short-lived certificates instead)",
    "DNS_CAArecord": "lab names are not in public DNS",
    "cert_commonName_wo_SNI": "SNI is mandatory by design (EDGE-08)",
    "secure_renego": "assessed by the renegotiation assertion (RFC 5746 extension) instead",
}
WEAK_CIPHER_LISTS = {
    "cipherlist_NULL": "CRITICAL",
    "cipherlist_aNULL": "CRITICAL",
    "cipherlist_EXPORT": "CRITICAL",
    "cipherlist_LOW": "HIGH",
    "cipherlist_3DES_IDEA": "HIGH",
    "cipherlist_AVERAGE": "MEDIUM",
}
OLD_PROTOCOLS = {"SSLv2": "CRITICAL", "SSLv3": "CRITICAL", "TLS1": "HIGH", "TLS1_1": "HIGH"}
AEAD = re.compile(r"GCM|CHACHA20|CCM", re.I)


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    detail: str

    def at_least(self, threshold: str) -> bool:
        return SEVERITIES.index(self.severity) >= SEVERITIES.index(threshold)


def _by_id(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in results}


def _offered(r: dict[str, Any] | None) -> bool:
    if r is None:
        return False
    text = str(r.get("finding", "")).lower()
    return text.startswith("offered") or (" offered" in text and "not offered" not in text)


def protocols(res: dict[str, dict[str, Any]]) -> list[Finding]:
    out = [Finding("protocols", sev, f"{p} offered") for p, sev in OLD_PROTOCOLS.items() if _offered(res.get(p))]
    if not (_offered(res.get("TLS1_2")) or _offered(res.get("TLS1_3"))):
        out.append(Finding("protocols", "HIGH", "neither TLS 1.2 nor TLS 1.3 offered (or the scan failed)"))
    return out


def cipher_lists(res: dict[str, dict[str, Any]]) -> list[Finding]:
    return [
        Finding("ciphers", sev, f"{cid}: {res[cid]['finding']}")
        for cid, sev in WEAK_CIPHER_LISTS.items()
        if cid in res and _offered(res[cid])
    ]


def offered_ciphers(results: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Per-protocol cipher lines of `-E` (ids cipher-tls1_2_xc02b ...): protocol, name, key exchange."""
    out = []
    for r in results:
        if not str(r["id"]).startswith("cipher-") or str(r["id"]).startswith("cipher_order"):
            continue
        cols = str(r.get("finding", "")).split()
        # "TLS 1.2   xc02c   ECDHE-ECDSA-AES256-GCM-SHA384   ECDH 253   AESGCM   256   TLS_ECDHE_..."
        if len(cols) >= 5 and cols[0] in ("TLS", "SSLv2", "SSLv3"):
            proto = " ".join(cols[:2]) if cols[0] == "TLS" else cols[0]
            rest = cols[2:] if cols[0] == "TLS" else cols[1:]
            out.append({"protocol": proto, "hexcode": rest[0], "name": rest[1], "kx": rest[2], "iana": rest[-1]})
    return out


def ciphers(results: list[dict[str, Any]], allowed: set[str]) -> list[Finding]:
    out: list[Finding] = []
    for c in offered_ciphers(results):
        name, iana = c["name"], c["iana"]
        if re.search(r"RC4|3DES|DES-CBC|NULL|EXP|anon|MD5", name + iana, re.I):
            out.append(Finding("ciphers", "CRITICAL", f"{c['protocol']} {name}: broken suite"))
        elif not AEAD.search(name + iana):
            out.append(Finding("ciphers", "HIGH", f"{c['protocol']} {name}: CBC / non-AEAD suite"))
        elif c["protocol"] != "TLS 1.3" and not c["kx"].upper().startswith(("ECDH", "DH")):
            out.append(Finding("forward_secrecy", "HIGH", f"{c['protocol']} {name}: no ephemeral key exchange"))
        elif allowed and name not in allowed and iana not in allowed:
            out.append(Finding("ciphers", "LOW", f"{c['protocol']} {name}: not in spec/tls.yaml"))
    return out


def forward_secrecy(res: dict[str, dict[str, Any]]) -> list[Finding]:
    fs = res.get("PFS") or res.get("FS")
    if fs is None or not _offered(fs):
        return [Finding("forward_secrecy", "HIGH", f"forward secrecy: {fs['finding'] if fs else 'not reported'}")]
    return []


def hsts(res: dict[str, dict[str, Any]], min_age: int) -> list[Finding]:
    r = res.get("HSTS_time") or res.get("HSTS")
    if r is None:
        return [Finding("hsts", "HIGH", "no HSTS header reported")]
    m = re.search(r"(\d+) seconds", str(r.get("finding", "")))
    age = int(m.group(1)) if m else 0
    if age < min_age:
        return [Finding("hsts", "HIGH", f"HSTS max-age {age} < {min_age} ({r.get('finding')})")]
    return []


def chain(res: dict[str, dict[str, Any]]) -> list[Finding]:
    out = []
    r = res.get("cert_chain_of_trust")
    if r is None or "passed" not in str(r.get("finding", "")).lower():
        out.append(Finding("chain", "HIGH", f"chain of trust to the kit CA: {r['finding'] if r else 'not reported'}"))
    t = res.get("cert_trust")
    if t is not None and str(t.get("severity")) not in ("OK", "INFO"):
        out.append(Finding("chain", "HIGH", f"certificate name: {t['finding']}"))
    exp = res.get("cert_expirationStatus")
    if exp is not None and str(exp.get("severity")) not in ("OK", "INFO"):
        out.append(Finding("chain", "MEDIUM", f"expiry: {exp['finding']}"))
    return out


def curves(res: dict[str, dict[str, Any]], allowed: set[str]) -> list[Finding]:
    r = res.get("PFS_ECDHE_curves") or res.get("FS_ECDHE_curves")
    if r is None or not allowed:
        return []
    extra = sorted(set(str(r.get("finding", "")).split()) - {a.lower() for a in allowed} - set(allowed))
    return [Finding("curves", "LOW", f"groups beyond spec/tls.yaml ecdh_curves: {' '.join(extra)}")] if extra else []


def compression(res: dict[str, dict[str, Any]]) -> list[Finding]:
    r = res.get("CRIME_TLS")
    if r is None or "not vulnerable" not in str(r.get("finding", "")).lower():
        return [Finding("compression", "HIGH", f"TLS compression: {r['finding'] if r else 'not reported'}")]
    return []


def renegotiation(res: dict[str, dict[str, Any]]) -> list[Finding]:
    out = []
    client = res.get("secure_client_renego")
    client_text = str(client.get("finding", "")).lower() if client else ""
    if "prevents this from being tested" in client_text:  # mutual TLS: no handshake without a client cert
        out.append(Finding("renegotiation", "LOW", f"client-initiated renegotiation untestable: {client_text}"))
    elif client is not None and "not vulnerable" not in client_text:
        out.append(Finding("renegotiation", "HIGH", f"client-initiated renegotiation: {client['finding']}"))
    secure = res.get("secure_renego")
    ext = str(res.get("TLS_extensions", {}).get("finding", ""))
    tls12 = _offered(res.get("TLS1_2"))
    secure_ok = secure is not None and str(secure.get("severity")) == "OK"
    if tls12 and not secure_ok and "renegotiation info" not in ext:
        detail = secure["finding"] if secure else "not reported"
        out.append(Finding("renegotiation", "MEDIUM", f"RFC 5746 secure renegotiation not shown: {detail}"))
    return out


def leftovers(results: list[dict[str, Any]], covered: set[str], waivers: dict[str, str]) -> list[Finding]:
    out = []
    for r in results:
        sev = str(r.get("severity", "INFO")).upper()
        rid = str(r["id"])
        finding = str(r.get("finding", ""))
        if rid == "engine_problem" and "GOST" in finding:
            # testssl's note that the machine's OpenSSL cannot offer GOST suites: only those (Russian national)
            # suites go untested, and the listeners' own suite lists are asserted above
            continue
        if sev in ("HIGH", "CRITICAL") and rid not in covered and rid not in waivers:
            out.append(Finding(f"testssl:{rid}", sev, finding[:200]))
        if rid in ("scanProblem", "engine_problem") or sev == "FATAL":
            out.append(Finding(f"testssl:{rid}", "HIGH", f"scan problem: {finding[:200]}"))
    return out


COVERED = {
    *OLD_PROTOCOLS,
    "TLS1_2",
    "TLS1_3",
    *WEAK_CIPHER_LISTS,
    "PFS",
    "FS",
    "HSTS_time",
    "HSTS",
    "cert_chain_of_trust",
    "cert_trust",
    "cert_expirationStatus",
    "CRIME_TLS",
    "secure_renego",
    "secure_client_renego",
}


def evaluate(
    results: list[dict[str, Any]],
    *,
    public: bool,
    min_hsts: int,
    allowed_ciphers: set[str],
    waivers: dict[str, str] | None = None,
    allowed_curves: set[str] | None = None,
) -> list[Finding]:
    waivers = DEFAULT_WAIVERS if waivers is None else waivers
    res = _by_id(results)
    found = [
        *protocols(res),
        *cipher_lists(res),
        *ciphers(results, allowed_ciphers),
        *forward_secrecy(res),
        *curves(res, allowed_curves or set()),
        *chain(res),
        *compression(res),
        *renegotiation(res),
        *leftovers(results, COVERED, waivers),
    ]
    if public:
        found += hsts(res, min_hsts)
    return found
