"""Digital signatures on PDF documents (PAdES) and the platform's certificate authority.

Results of administrative procedures are signed by the competent agency's
certificate in the PAdES baseline B profile (ETSI EN 319 142-1: a CMS
signature of subfilter ``ETSI.CAdES.detached`` with the signing certificate
attribute) with pyHanko, and verified against the platform's trusted root.

The keys live under ``settings.TINHSO_PKI_DIR`` (default ``var/pki``, never
committed)::

    root/key.pem, root/cert.pem             the certificate authority (self-signed root)
    agencies/<code>/key.pem, cert.pem       one certificate per agency

``ensure_root()`` and ``agency_signer(name=..., identifier_code=...)`` create
what is missing and reuse what exists (idempotent); an agency certificate's
subject carries the agency's name (CN, O) and its identifier code
(organizationIdentifier, OID 2.5.4.97, and serialNumber). In production the
root is replaced by the agencies' certificates from the national digital
signature authority (its root is then the trusted one).

``verify_pdf(data)`` answers whether the last signature is intact, covers the
whole file (nothing appended after signing), was made by a certificate that
chains to the trusted root, and which agency signed it and when. It never
raises on bad input: an unsigned, altered, foreign-signed or unreadable file
gives ``VerificationResult(valid=False, reason=...)`` with a stable reason code.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings

ROOT_NAME = "Tinhso Demo Root CA"
KEY_BITS = 2048
ROOT_YEARS = 20
AGENCY_YEARS = 5
SIGNATURE_BYTES = 12288  # room for the CMS signature in the file

_lock = threading.Lock()
_signers: dict[tuple[str, str], Signer] = {}


def pki_dir() -> Path:
    """Where the keys and certificates are kept (``TINHSO_PKI_DIR``, default ``var/pki``)."""
    configured = getattr(settings, "TINHSO_PKI_DIR", None) or os.environ.get("TINHSO_PKI_DIR")
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "pki"


def _cap(text: str, limit: int = 64) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes (X.520 upper bounds), never inside a letter."""
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore").strip() or "?"


def _safe(code: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", code).strip("._")
    if not cleaned:
        raise ValueError("an agency needs an identifier code to get a certificate")
    return cleaned


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _load_pair(folder: Path):
    key = serialization.load_pem_private_key((folder / "key.pem").read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate((folder / "cert.pem").read_bytes())
    return key, cert


def ensure_root() -> tuple[Path, bool]:
    """The root's folder, and whether it was created now (it is kept if it exists)."""
    folder = pki_dir() / "root"
    with _lock:
        if (folder / "key.pem").exists() and (folder / "cert.pem").exists():
            return folder, False
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tinhso"),
                x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME),
            ]
        )
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * ROOT_YEARS))
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
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        _write_private(folder / "key.pem", _key_pem(key))
        _write_private(folder / "cert.pem", cert.public_bytes(serialization.Encoding.PEM))
        return folder, True


def root_certificate() -> x509.Certificate:
    folder, _created = ensure_root()
    return x509.load_pem_x509_certificate((folder / "cert.pem").read_bytes())


def issue_certificate(
    *, name: str, identifier_code: str, issuer_key, issuer_cert, years: int = AGENCY_YEARS
) -> tuple[object, x509.Certificate]:
    """A new key and a document-signing certificate for an agency, issued by ``issuer_cert``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cap(name)),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, _cap(identifier_code)),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, _cap(identifier_code)),
            x509.NameAttribute(NameOID.COMMON_NAME, _cap(name)),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), False
        )
        .sign(issuer_key, hashes.SHA256())
    )
    return key, cert


@dataclass
class Signer:
    """An agency's key and certificate, ready to sign (see ``agency_signer``)."""

    name: str
    identifier_code: str
    key_pem: bytes
    cert_pem: bytes
    chain_pem: list[bytes]
    _loaded: object = field(default=None, repr=False, compare=False)

    def pyhanko_signer(self):
        """The pyHanko signer, loaded once from the PEM files' bytes."""
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self):
        from pyhanko.keys import load_private_key_from_pemder_data
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        key = load_private_key_from_pemder_data(self.key_pem, passphrase=None)
        cert = asn1_x509.Certificate.load(
            x509.load_pem_x509_certificate(self.cert_pem).public_bytes(serialization.Encoding.DER)
        )
        chain = [
            asn1_x509.Certificate.load(
                x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
            )
            for pem in self.chain_pem
        ]
        return _parsed_key_signer_class()(
            signing_cert=cert,
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )


_parsed_key_signer = None


def _parsed_key_signer_class():
    """pyHanko's ``SimpleSigner`` that parses its RSA private key once.

    ``SimpleSigner.sign_raw`` parses the DER key again for every signature, and
    cryptography checks an RSA key's consistency on every parse: about 100 ms, a
    quarter to a third of a whole PAdES signature (bench/results_sign.py). The
    parsed key is kept on the signer; other mechanisms go through pyHanko as before.
    """
    global _parsed_key_signer
    if _parsed_key_signer is not None:
        return _parsed_key_signer
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class ParsedKeySigner(signers.SimpleSigner):
        _parsed_key = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mechanism.signature_algo != "rsassa_pkcs1v15":
                return super().sign_raw(data, digest_algorithm)
            if self._parsed_key is None:
                self._parsed_key = serialization.load_der_private_key(
                    self.signing_key.dump(), password=None
                )
            return self._parsed_key.sign(
                data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )

    _parsed_key_signer = ParsedKeySigner
    return _parsed_key_signer


def agency_signer(*, name: str, identifier_code: str) -> Signer:
    """The agency's signer, its key and certificate created under the PKI folder if missing."""
    cache_key = (str(pki_dir()), identifier_code)
    cached = _signers.get(cache_key)
    if cached is not None:
        return cached
    root_folder, _created = ensure_root()
    folder = pki_dir() / "agencies" / _safe(identifier_code)
    with _lock:
        if not ((folder / "key.pem").exists() and (folder / "cert.pem").exists()):
            root_key, root_cert = _load_pair(root_folder)
            key, cert = issue_certificate(
                name=name,
                identifier_code=identifier_code,
                issuer_key=root_key,
                issuer_cert=root_cert,
            )
            _write_private(folder / "key.pem", _key_pem(key))
            _write_private(folder / "cert.pem", cert.public_bytes(serialization.Encoding.PEM))
        signer = Signer(
            name=name,
            identifier_code=identifier_code,
            key_pem=(folder / "key.pem").read_bytes(),
            cert_pem=(folder / "cert.pem").read_bytes(),
            chain_pem=[(root_folder / "cert.pem").read_bytes()],
        )
    _signers[cache_key] = signer
    return signer


def organisation_signer(organisation) -> Signer:
    """The signer of a ``core.Organisation`` (its name and identifier code)."""
    return agency_signer(name=organisation.name, identifier_code=organisation.identifier_code)


def sign_pdf(
    pdf_bytes: bytes,
    *,
    signer: Signer,
    reason: str = "",
    location: str = "",
    field_name: str = "KetQua",
) -> bytes:
    """``pdf_bytes`` signed by ``signer`` (PAdES baseline B, invisible signature field)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    out = io.BytesIO()
    # A fixed reservation (an RSA-2048 CMS with two certificates is about 4 KB)
    # spares pyHanko a trial signature made only to measure its size.
    signers.PdfSigner(meta, signer=signer.pyhanko_signer()).sign_pdf(
        writer, output=out, bytes_reserved=SIGNATURE_BYTES
    )
    return out.getvalue()


@dataclass(frozen=True)
class VerificationResult:
    """What ``verify_pdf`` found; ``reason`` is a stable code when ``valid`` is false."""

    valid: bool
    reason: str = ""
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer_name: str = ""
    signer_identifier_code: str = ""
    signer_subject: str = ""
    signer_serial: str = ""
    signed_at: dt.datetime | None = None


def _subject_value(cert, oid_name: str) -> str:
    try:
        return str(cert.subject.native.get(oid_name) or "")
    except Exception:
        return ""


def verify_pdf(
    pdf_bytes: bytes, *, trust_roots: list[x509.Certificate] | None = None
) -> VerificationResult:
    """Check the last signature of a PDF against the trusted root (never raises on bad input)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not pdf_bytes or not pdf_bytes.lstrip()[:5].startswith(b"%PDF-"):
        return VerificationResult(valid=False, reason="not_pdf")
    roots = trust_roots if trust_roots is not None else [root_certificate()]
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return VerificationResult(valid=False, reason="unreadable")
    if not signatures:
        return VerificationResult(valid=False, reason="unsigned")
    embedded = signatures[-1]
    context = ValidationContext(
        trust_roots=[
            asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
            for root in roots
        ],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:
        return VerificationResult(valid=False, reason="malformed_signature")
    cert = status.signing_cert
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    found = dict(
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        signer_name=_subject_value(cert, "organization_name")
        or _subject_value(cert, "common_name"),
        signer_identifier_code=_subject_value(cert, "organization_identifier")
        or _subject_value(cert, "serial_number"),
        signer_subject=cert.subject.human_friendly if cert is not None else "",
        signer_serial=format(cert.serial_number, "x") if cert is not None else "",
        signed_at=status.signer_reported_dt,
    )
    if not found["intact"]:
        return VerificationResult(valid=False, reason="altered", **found)
    if not whole:
        return VerificationResult(valid=False, reason="modified_after_signing", **found)
    if not found["trusted"]:
        return VerificationResult(valid=False, reason="untrusted_signer", **found)
    return VerificationResult(valid=True, **found)


__all__ = [
    "Signer",
    "VerificationResult",
    "agency_signer",
    "ensure_root",
    "issue_certificate",
    "organisation_signer",
    "pki_dir",
    "root_certificate",
    "sign_pdf",
    "verify_pdf",
]
