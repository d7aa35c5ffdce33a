"""Test helpers for signed result PDFs: read the QR code, alter a byte, forge a signature.

The QR code is read from the first page drawn by poppler's ``pdftoppm`` and
decoded by zxing-cpp (a test-only dependency); tests skip when either is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PDFTOPPM = shutil.which("pdftoppm")
PDFSIG = shutil.which("pdfsig")


def page_png(pdf: bytes, folder: Path, name: str, *, dpi: int = 110) -> Path:
    """The first page of ``pdf`` as ``folder/name.png`` (poppler's pdftoppm)."""
    if PDFTOPPM is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603 - a fixed program on a file the test wrote
        [
            PDFTOPPM,
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(folder / name),
        ],
        check=True,
        capture_output=True,
    )
    source.unlink()
    return folder / f"{name}.png"


def qr_codes(pdf: bytes, folder: Path) -> list[str]:
    """The texts of the QR codes on the first page of ``pdf``."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    png = page_png(pdf, folder, "qr-page", dpi=150)
    with Image.open(png) as image:
        found = zxingcpp.read_barcodes(image.convert("L"))
    return [code.text for code in found if code.format == zxingcpp.BarcodeFormat.QRCode]


def one_byte_changed(pdf: bytes) -> bytes:
    """A copy of a signed ``pdf`` with one byte of the signed content changed."""
    position = pdf.index(b"/Producer") + len(b"/Produce")
    assert pdf[position : position + 1] == b"r"
    return pdf[:position] + b"x" + pdf[position + 1 :]


def pdfsig(path: Path) -> str:
    """What poppler's ``pdfsig`` says about the signatures of ``path``."""
    if PDFSIG is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    done = subprocess.run(  # noqa: S603 - a fixed program on a file the test wrote
        [PDFSIG, str(path)], capture_output=True, text=True, check=False
    )
    return done.stdout


def forged_result(dossier, *, token: str, folder: Path, decision: str = "") -> bytes:
    """The result of ``dossier`` drawn again and signed by a self-made authority.

    The forger's certificate carries the agency's own name and identifier code;
    only its issuer (a root made under ``folder``) is not the platform's.
    """
    from django.test import override_settings

    from tinhso.core.documents import render_pdf
    from tinhso.core.signing import agency_signer, sign_pdf
    from tinhso.dossiers.results import result_document

    agency = dossier.competent_organisation
    with override_settings(TINHSO_PKI_DIR=str(folder)):
        signer = agency_signer(name=agency.name, identifier_code=agency.identifier_code)
    document = result_document(dossier, token=token, decision=decision)
    return sign_pdf(render_pdf(document), signer=signer, location=agency.name)
