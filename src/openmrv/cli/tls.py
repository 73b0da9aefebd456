"""A self-signed development certificate for `openmrv serve --https --self-signed`: an EC
P-256 key and a certificate for localhost, 127.0.0.1 and ::1 (and the host name asked for),
valid 90 days, written to files.data_dir()/tls/ and made again when it has expired or does
not name the host. For development and tests only: clients must trust this very file."""

from __future__ import annotations

import ipaddress
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from openmrv.files import data_dir

__all__ = ["self_signed"]

DAYS = 90


def _names(host: str) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    addrs = {"127.0.0.1", "::1"}
    try:
        addrs.add(str(ipaddress.ip_address(host)))
    except ValueError:
        if host not in ("localhost", "", "0.0.0.0"):
            names.append(x509.DNSName(host))
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in sorted(addrs)]
    return names


def _current(cert: Path, host: str) -> bool:
    try:
        c = x509.load_pem_x509_certificate(cert.read_bytes())
    except (OSError, ValueError):
        return False
    san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return c.not_valid_after_utc > datetime.now(UTC) + timedelta(days=1) and set(
        map(str, _names(host))
    ) <= set(map(str, san))


def self_signed(host: str = "127.0.0.1", folder: Path | None = None) -> tuple[Path, Path]:
    """(certificate, key) PEM files for `host`, made when missing, expiring or for another
    host; the key file is readable by its owner only."""
    folder = folder or data_dir() / "tls"
    cert, key = folder / "selfsigned-cert.pem", folder / "selfsigned-key.pem"
    if cert.exists() and key.exists() and _current(cert, host):
        return cert, key
    folder.mkdir(parents=True, exist_ok=True)
    pkey = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OpenMRV development")])
    now = datetime.now(UTC)
    c = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(pkey.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=DAYS))
        .add_extension(x509.SubjectAlternativeName(_names(host)), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(pkey.public_key()), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(pkey.public_key()), False)
        .sign(pkey, hashes.SHA256())
    )
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            pkey.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert.write_bytes(c.public_bytes(serialization.Encoding.PEM))
    return cert, key
