"""The kit's own CA for the local target (ECDSA P-256), issuing the edge's public certificate and one
internal certificate per host. Idempotent: a certificate is reused while it is signed by the current CA,
its names match and it has more than RENEW_BEFORE left."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3 * 365
LEAF_DAYS = 365
RENEW_BEFORE = dt.timedelta(days=30)
ORG = "fhirfort local lab"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Issued:
    cert: Path
    key: Path
    chain: Path
    reused: bool


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    tmp.replace(path)
    path.chmod(0o600)


def _write_cert(path: Path, *certs: x509.Certificate) -> None:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    path.chmod(0o644)


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"{path}: not an EC key")
    return key


class LabCA:
    """The CA under `root` (dir 0700, key 0600): ca.crt, ca.key, hosts/<name>/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cert_path = root / "ca.crt"
        self.key_path = root / "ca.key"

    def ensure(self) -> bool:
        """Create the CA if missing or expiring; True when it was created."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        if self.cert_path.exists() and self.key_path.exists():
            cert = self.cert
            if cert.not_valid_after_utc - _now() > RENEW_BEFORE and _same_key(cert, _load_key(self.key_path)):
                self.key_path.chmod(0o600)
                return False
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
                x509.NameAttribute(NameOID.COMMON_NAME, "fhirfort lab CA"),
            ]
        )
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write_key(self.key_path, key)
        _write_cert(self.cert_path, cert)
        return True

    @property
    def cert(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_path.read_bytes())

    def issue(
        self,
        directory: Path,
        stem: str,
        common_name: str,
        dns: list[str],
        ips: list[IPAddress],
        client_auth: bool,
    ) -> Issued:
        """Issue (or reuse) `<stem>.crt`, `<stem>.key` (0600) and `<stem>-chain.crt` in `directory`."""
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)
        cert_path, key_path, chain_path = (
            directory / f"{stem}.crt",
            directory / f"{stem}.key",
            directory / f"{stem}-chain.crt",
        )
        ca_cert = self.cert
        if cert_path.exists() and key_path.exists() and self._reusable(cert_path, key_path, dns, ips, ca_cert):
            key_path.chmod(0o600)
            if not chain_path.exists():
                _write_cert(chain_path, x509.load_pem_x509_certificate(cert_path.read_bytes()), ca_cert)
            return Issued(cert_path, key_path, chain_path, reused=True)
        ca_key = _load_key(self.key_path)
        key = ec.generate_private_key(ec.SECP256R1())
        now = _now()
        eku = [ExtendedKeyUsageOID.SERVER_AUTH] + ([ExtendedKeyUsageOID.CLIENT_AUTH] if client_auth else [])
        sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns] + [x509.IPAddress(i) for i in ips]
        cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
                        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                    ]
                )
            )
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        _write_key(key_path, key)
        _write_cert(cert_path, cert)
        _write_cert(chain_path, cert, ca_cert)
        return Issued(cert_path, key_path, chain_path, reused=False)

    def _reusable(
        self, cert_path: Path, key_path: Path, dns: list[str], ips: list[IPAddress], ca_cert: x509.Certificate
    ) -> bool:
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = _load_key(key_path)
            cert.verify_directly_issued_by(ca_cert)
        except (ValueError, TypeError, InvalidSignature):
            return False
        if not _same_key(cert, key) or cert.not_valid_after_utc - _now() < RENEW_BEFORE:
            return False
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        return sorted(san.get_values_for_type(x509.DNSName)) == sorted(dns) and sorted(
            san.get_values_for_type(x509.IPAddress), key=str
        ) == sorted(ips, key=str)


def _same_key(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> bool:
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return cert.public_key().public_bytes(*fmt) == key.public_key().public_bytes(*fmt)
