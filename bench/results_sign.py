"""Signing and verifying result PDFs per second (tinhso.core.signing).

    .venv/bin/python bench/results_sign.py [--count 50]

Draws one result-sized official document, then signs it ``count`` times with an
agency certificate (PAdES baseline B, RSA 2048, SHA-256) and verifies the signed
file ``count`` times against the trusted root; prints the rates. Keys are made
in a temporary folder, so nothing under var/pki is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    os.environ["TINHSO_PKI_DIR"] = tempfile.mkdtemp(prefix="pki-bench-")

    import django

    django.setup()
    from tinhso.core import documents, signing

    doc = documents.OfficialDocument(
        agency_parent="ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG",
        agency="SỞ TƯ PHÁP",
        number="000.00.31.H26-260306-0001",
        place_date="Hải Phòng, ngày 06 tháng 03 năm 2026",
        title="KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        blocks=[
            documents.Paragraph("Cấp phiếu lý lịch tư pháp cho bà Nguyễn Thị Hương. " * 8),
            documents.Qr("https://tinhso.example/xac-thuc-ket-qua/abcdefghijklmnopqrstuvwxyz/"),
        ],
    )
    pdf = documents.render_pdf(doc)
    signer = signing.agency_signer(name="Sở Tư pháp", identifier_code="000.00.31.H26")
    signed = signing.sign_pdf(pdf, signer=signer)  # warm-up
    assert signing.verify_pdf(signed).valid

    start = time.perf_counter()
    for _ in range(args.count):
        signed = signing.sign_pdf(pdf, signer=signer, reason="Kết quả", location="Hải Phòng")
    sign_s = time.perf_counter() - start

    start = time.perf_counter()
    for _ in range(args.count):
        assert signing.verify_pdf(signed).valid
    verify_s = time.perf_counter() - start

    print(f"document: {len(pdf)} bytes, signed: {len(signed)} bytes, runs: {args.count}")
    print(
        f"sign:   {args.count / sign_s:7.1f} per second ({1000 * sign_s / args.count:.1f} ms each)"
    )
    print(
        f"verify: {args.count / verify_s:7.1f} per second ({1000 * verify_s / args.count:.1f} ms each)"
    )
    print("one process, one core; the agency key is loaded once and reused")


if __name__ == "__main__":
    main()
