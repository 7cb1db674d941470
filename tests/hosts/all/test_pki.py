"""PKI-01/PKI-02 on every host: the kit's CA is trusted, the host key is private, the certificate verifies."""

from __future__ import annotations

import pytest

from fhirfort.spec import spec as kit_spec

pytestmark = pytest.mark.host

# every lab host: each role's primary and its local replicas (spec/tiers.yaml)
HOSTS = [name for role in kit_spec().topology.hosts for name, _ in kit_spec().topology.instances(role)]
PKI_DIR = "/etc/fhirfort/pki"


@pytest.fixture(scope="module", params=HOSTS)
def host(request, lab_host):
    return lab_host(request.param)


def test_pki02_key_is_private(host) -> None:
    key = host.file(f"{PKI_DIR}/host.key")
    assert key.exists
    assert key.user == "root"
    assert key.group == "ssl-cert"
    assert key.mode == 0o640
    d = host.file(PKI_DIR)
    assert d.mode == 0o750 and d.group == "ssl-cert"


def test_pki02_certificates_are_public_files(host) -> None:
    for name in ("ca.crt", "host.crt", "host-chain.crt"):
        f = host.file(f"{PKI_DIR}/{name}")
        assert f.exists and f.user == "root" and f.mode == 0o644, name


def test_pki01_ca_in_system_trust_store(host) -> None:
    # no -CAfile: the system trust store (update-ca-certificates) must know the kit's CA
    assert host.run(f"openssl verify {PKI_DIR}/host.crt").rc == 0
    assert host.file("/usr/local/share/ca-certificates/fhirfort-ca.crt").exists


def test_pki02_certificate_names_this_host(host) -> None:
    name = host.check_output("hostname")
    sans = host.check_output(f"openssl x509 -noout -ext subjectAltName -in {PKI_DIR}/host.crt")
    assert f"DNS:{name}." in sans
