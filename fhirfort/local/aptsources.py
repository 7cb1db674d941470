"""Read the machine's apt sources at run time and derive the Debian mirrors the lab uses.

No mirror name is ever written into the repository: the hosts' sources and the apt proxy's backends are
rendered from whatever the machine's own apt configuration (deb822 `.sources` and one-line `.list`) says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
DEBIAN_CODENAMES = frozenset(
    {"buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid", "oldstable", "stable", "testing", "unstable"}
)


class AptSourceError(ValueError):
    """The machine's apt configuration names no usable Debian mirror."""


@dataclass(frozen=True)
class Source:
    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    origin: str = ""


@dataclass(frozen=True)
class Mirrors:
    """The Debian archive and the Debian security archive, as the machine reaches them."""

    main: str
    security: str

    def all(self) -> tuple[str, ...]:
        return (self.main, self.security)


def parse_deb822(text: str, origin: str = "") -> list[Source]:
    """Parse deb822 stanzas; keep `Types: deb` stanzas that are not `Enabled: no`."""
    out: list[Source] = []
    for stanza in _stanzas(text):
        if stanza.get("enabled", "yes").lower() == "no":
            continue
        if "deb" not in stanza.get("types", "").split():
            continue
        for uri in stanza.get("uris", "").split():
            out.append(
                Source(
                    uri, tuple(stanza.get("suites", "").split()), tuple(stanza.get("components", "").split()), origin
                )
            )
    return out


def _stanzas(text: str) -> list[dict[str, str]]:
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith("#"):
            continue
        if not line.strip():
            if current:
                stanzas.append(current)
            current, key = {}, ""
            continue
        if line[0] in " \t" and key:
            current[key] += " " + line.strip()
            continue
        if ":" in line:
            name, _, value = line.partition(":")
            key = name.strip().lower()
            current[key] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def parse_one_line(text: str, origin: str = "") -> list[Source]:
    """Parse one-line `deb [opts] uri suite components...` entries (deb-src and comments ignored)."""
    out: list[Source] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        parts = line.split()
        if not parts or parts[0] != "deb":
            continue
        parts = parts[1:]
        if parts and parts[0].startswith("["):
            while parts and not parts[0].endswith("]"):
                parts = parts[1:]
            parts = parts[1:]
        if len(parts) >= 2:
            out.append(Source(parts[0], (parts[1],), tuple(parts[2:]), origin))
    return out


def read_machine_sources(etc_apt: Path = Path("/etc/apt")) -> list[Source]:
    """Every enabled `deb` source of the machine (files with other suffixes are disabled ones)."""
    sources: list[Source] = []
    main_list = etc_apt / "sources.list"
    if main_list.is_file():
        sources += parse_one_line(main_list.read_text(), str(main_list))
    parts = etc_apt / "sources.list.d"
    if parts.is_dir():
        for path in sorted(parts.iterdir()):
            if path.suffix == ".list":
                sources += parse_one_line(path.read_text(), str(path))
            elif path.suffix == ".sources":
                sources += parse_deb822(path.read_text(), str(path))
    return sources


def _release(suite: str) -> str:
    return suite.split("/")[0].split("-")[0]


def _is_security(suite: str) -> bool:
    return suite.endswith("-security") or suite.endswith("/updates")


def derive_mirrors(sources: list[Source]) -> Mirrors:
    """Pick the Debian archive and security mirrors; derive security on the archive's host if absent."""
    main = ""
    security = ""
    for src in sources:
        for suite in src.suites:
            if _release(suite) not in DEBIAN_CODENAMES:
                continue
            if _is_security(suite):
                security = security or src.uri
            else:
                main = main or src.uri
    if not main:
        origins = sorted({s.origin for s in sources}) or ["(no apt sources found)"]
        raise AptSourceError(f"no Debian archive source among the machine's apt sources: {', '.join(origins)}")
    main = main.rstrip("/")
    if not security:
        parts = urlsplit(main)
        security = f"{parts.scheme}://{parts.netloc}/debian-security"
    return Mirrors(main=main, security=security.rstrip("/"))


def as_http(uri: str) -> str:
    """The address a host asks the apt proxy for (always plain http; the proxy speaks to the real scheme)."""
    parts = urlsplit(uri)
    return f"http://{parts.netloc}{parts.path}".rstrip("/")


def render_host_sources(mirrors: Mirrors, suite: str) -> str:
    """The deb822 sources of a host: suite and suite-updates from the archive, suite-security from security."""
    return (
        "# Managed by fhirfort (rendered from the controller's apt configuration).\n"
        "Types: deb\n"
        f"URIs: {as_http(mirrors.main)}\n"
        f"Suites: {suite} {suite}-updates\n"
        "Components: main\n"
        f"Signed-By: {KEYRING}\n"
        "\n"
        "Types: deb\n"
        f"URIs: {as_http(mirrors.security)}\n"
        f"Suites: {suite}-security\n"
        "Components: main\n"
        f"Signed-By: {KEYRING}\n"
    )
