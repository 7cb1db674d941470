"""Mirrors come from the machine's apt configuration (deb822 or one-line), never from the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from fhirfort.local.aptproxy import render_config
from fhirfort.local.aptsources import (
    AptSourceError,
    Mirrors,
    as_http,
    derive_mirrors,
    parse_deb822,
    parse_one_line,
    read_machine_sources,
    render_host_sources,
)
from fhirfort.local.paths import LabPaths

DEB822 = """Types: deb
# a comment
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.example.net/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example.org/debian
Suites: bookworm
Components: main

Types: deb
URIs: https://vendor.example.com/node_20.x
Suites: nodistro
Components: main
"""


def test_deb822_main_and_security() -> None:
    mirrors = derive_mirrors(parse_deb822(DEB822))
    assert mirrors == Mirrors("http://mirror.example.org/debian", "http://security.example.net/debian-security")


def test_security_derived_on_the_archive_host_when_absent() -> None:
    text = DEB822.split("\n\n")[0]
    mirrors = derive_mirrors(parse_deb822(text))
    assert mirrors.security == "http://mirror.example.org/debian-security"


def test_one_line_sources_with_options() -> None:
    text = (
        "# comment\n"
        "deb-src http://src.example.org/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/k.gpg] https://mirror.example.org/debian/ bookworm main contrib\n"
        "deb http://mirror.example.org/debian-security bookworm-security main\n"
    )
    sources = parse_one_line(text)
    assert [s.uri for s in sources] == [
        "https://mirror.example.org/debian/",
        "http://mirror.example.org/debian-security",
    ]
    mirrors = derive_mirrors(sources)
    assert mirrors.main == "https://mirror.example.org/debian"


def test_no_debian_source_is_an_error_naming_files() -> None:
    sources = parse_deb822(DEB822.split("\n\n")[3], origin="/etc/apt/sources.list.d/node.sources")
    with pytest.raises(AptSourceError, match=r"node\.sources"):
        derive_mirrors(sources)


def test_disabled_files_are_ignored(tmp_path: Path) -> None:
    d = tmp_path / "sources.list.d"
    d.mkdir()
    (d / "debian.sources").write_text(DEB822)
    (d / "other.list.disabled-by-farm").write_text("deb http://other.example.org/debian bookworm main\n")
    uris = {s.uri for s in read_machine_sources(tmp_path)}
    assert "http://other.example.org/debian" not in uris
    assert "http://disabled.example.org/debian" not in uris


def test_host_sources_for_trixie_use_plain_http_through_the_proxy() -> None:
    mirrors = Mirrors("https://mirror.example.org/debian", "http://security.example.net/debian-security")
    text = render_host_sources(mirrors, "trixie")
    assert "URIs: http://mirror.example.org/debian\n" in text
    assert "Suites: trixie trixie-updates\n" in text
    assert "URIs: http://security.example.net/debian-security\nSuites: trixie-security\n" in text
    assert as_http("https://m.example.org/debian/") == "http://m.example.org/debian"


def test_proxy_backends_keep_the_real_scheme_and_bind_only_the_link(tmp_path: Path) -> None:
    mirrors = Mirrors("https://mirror.example.org/debian", "http://security.example.net/debian-security")
    conf = render_config(mirrors, "198.18.0.1", 3142, LabPaths(tmp_path))
    assert "BindAddress: 198.18.0.1\n" in conf
    assert "ForceManaged: 1\n" in conf
    assert "Remap-ffdebian: mirror.example.org/debian ; https://mirror.example.org/debian/\n" in conf
    assert (
        "Remap-ffsecurity: security.example.net/debian-security ; http://security.example.net/debian-security/" in conf
    )
