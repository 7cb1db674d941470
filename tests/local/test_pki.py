"""The kit's CA issues short-lived ECDSA certificates with the right names, usages and file modes."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from fhirfort.local.certs import issue_lab_certs
from fhirfort.local.lab import PUBLIC_NAME, build_lab
from fhirfort.local.paths import LabPaths
from fhirfort.local.pki import LabCA
from fhirfort.spec import spec

IP = ipaddress.IPv4Address("198.18.10.10")


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _cert(p: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(p.read_bytes())


def test_ca_files_and_modes(tmp_path: Path) -> None:
    ca = LabCA(tmp_path / "pki")
    assert ca.ensure() is True
    assert ca.ensure() is False
    assert _mode(tmp_path / "pki") == 0o700
    assert _mode(ca.key_path) == 0o600
    bc = ca.cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert bc.ca and bc.path_length == 0
    assert isinstance(ca.cert.public_key(), ec.EllipticCurvePublicKey)


def test_leaf_names_usages_and_lifetime(tmp_path: Path) -> None:
    ca = LabCA(tmp_path)
    ca.ensure()
    issued = ca.issue(tmp_path / "hosts" / "edge", "public", PUBLIC_NAME, [PUBLIC_NAME], [IP], client_auth=False)
    cert = _cert(issued.cert)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == [PUBLIC_NAME]
    assert san.get_values_for_type(x509.IPAddress) == [IP]
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=366)
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and not ku.value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    cert.verify_directly_issued_by(ca.cert)
    assert _mode(issued.key) == 0o600
    assert _mode(issued.key.parent) == 0o700
    assert issued.chain.read_text().count("BEGIN CERTIFICATE") == 2


def test_reuse_and_reissue(tmp_path: Path) -> None:
    ca = LabCA(tmp_path)
    ca.ensure()
    d = tmp_path / "hosts" / "db"
    first = ca.issue(d, "host", "db.fhirfort.internal", ["db.fhirfort.internal"], [IP], client_auth=True)
    again = ca.issue(d, "host", "db.fhirfort.internal", ["db.fhirfort.internal"], [IP], client_auth=True)
    assert not first.reused and again.reused
    serial = _cert(first.cert).serial_number
    assert _cert(again.cert).serial_number == serial
    moved = ca.issue(
        d, "host", "db.fhirfort.internal", ["db.fhirfort.internal"], [ipaddress.IPv4Address("198.18.30.11")], True
    )
    assert not moved.reused and _cert(moved.cert).serial_number != serial
    # a new CA invalidates every certificate it did not sign
    ca.cert_path.unlink()
    ca.ensure()
    renewed = ca.issue(
        d, "host", "db.fhirfort.internal", ["db.fhirfort.internal"], [ipaddress.IPv4Address("198.18.30.11")], True
    )
    assert not renewed.reused


def test_lab_certificates(tmp_path: Path) -> None:
    paths = LabPaths(tmp_path)
    lab = build_lab(spec())
    counts = issue_lab_certs(lab, paths)
    assert counts["issued"] == len(lab.hosts) + 1
    assert issue_lab_certs(lab, paths)["reused"] == len(lab.hosts) + 1
    for h in lab.hosts:
        cert = _cert(paths.pki / "hosts" / h.name / "host.crt")
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        # a replica also answers to its role's service name (the edge verifies its upstreams by that name)
        service_name = [f"{h.plays}.fhirfort.internal"] if h.is_replica else []
        assert san.get_values_for_type(x509.DNSName) == [h.fqdn, *service_name]
        assert san.get_values_for_type(x509.IPAddress) == [h.address]
        eku = set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
        assert eku == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    assert (paths.pki / "hosts" / "edge" / "public.crt").exists()
