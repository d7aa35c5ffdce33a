"""Official documents as PDF: Vietnamese text reads back, fonts embedded, Decree 30 layout."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from tinhso.core.documents import (
    KeyValues,
    OfficialDocument,
    Paragraph,
    Qr,
    Recipients,
    Signature,
    Table,
    place_date,
    qr_png,
    render_pdf,
)

PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")
needs_poppler = pytest.mark.skipif(
    PDFTOTEXT is None or PDFINFO is None, reason="poppler-utils is not installed"
)

MM = 72 / 25.4  # points per millimetre


def _receipt(*extra) -> OfficialDocument:
    return OfficialDocument(
        agency_parent="Ủy ban nhân dân thành phố Hải Phòng",
        agency="Trung tâm Phục vụ hành chính công",
        number="1234/GTN-TTPVHCC",
        place_date=place_date("Hải Phòng", dt.date(2026, 11, 22)),
        title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        subtitle="Mã hồ sơ: 000.00.50.H24-261122-0001",
        blocks=[
            Paragraph(
                "Giấy tiếp nhận hồ sơ và hẹn trả kết quả này được cấp cho bà Nguyễn Thị Hương "
                "theo Nghị định số 118/2025/NĐ-CP."
            ),
            KeyValues([("Họ và tên", "Nguyễn Thị Hương"), ("Thủ tục", "Đăng ký khai sinh")]),
            Table(
                ["STT", "Tên giấy tờ", "Bản chính", "Bản sao"],
                [["1", "Tờ khai đăng ký khai sinh", "1", "0"], ["2", "Giấy chứng sinh", "1", "0"]],
                widths=[8, 60, 16, 16],
            ),
            Qr(
                "https://dichvucong.example/tra-cuu/000.00.50.H24-261122-0001", "Quét mã để tra cứu"
            ),
            Signature("Người tiếp nhận", "Trần Văn Đức", note="(Ký, ghi rõ họ tên)"),
            Recipients(["Bà Nguyễn Thị Hương;", "Lưu: VT."]),
            *extra,
        ],
    )


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return path


def _text(path: Path, *args: str) -> str:
    out = subprocess.run(  # noqa: S603 (a fixed binary on a file of our own)
        [PDFTOTEXT, *args, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return unicodedata.normalize("NFC", out)


def test_the_output_is_a_pdf_with_the_font_embedded():
    data = render_pdf(_receipt())
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    # a TrueType font program is embedded (subset), not a core font reference
    assert b"/FontFile2" in data
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSerif", data)
    assert b"/Helvetica" not in data
    assert b"/Encrypt" not in data


@needs_poppler
def test_the_vietnamese_text_reads_back_with_its_diacritics(tmp_path):
    text = " ".join(_text(_write(tmp_path, render_pdf(_receipt()))).split())
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text  # the title, in capitals
    assert "Nguyễn Thị Hương" in text
    assert "Đăng ký khai sinh" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Hải Phòng, ngày 22 tháng 11 năm 2026" in text
    assert "Số: 1234/GTN-TTPVHCC" in text
    assert "TRẦN VĂN ĐỨC" not in text and "Trần Văn Đức" in text
    assert "NGƯỜI TIẾP NHẬN" in text


@needs_poppler
def test_the_page_is_a4_and_the_text_keeps_the_decree_margins(tmp_path):
    path = _write(tmp_path, render_pdf(_receipt()))
    info = subprocess.run([PDFINFO, str(path)], capture_output=True, text=True).stdout  # noqa: S603
    assert "(A4)" in info
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">',
        _text(path, "-bbox", "-f", "1", "-l", "1"),
    )
    assert len(words) > 50
    tolerance = 0.5
    for x_min, y_min, x_max, y_max in ((float(v) for v in w) for w in words):
        assert x_min >= 30 * MM - tolerance  # left 30 mm
        assert x_max <= 210 * MM - 15 * MM + tolerance  # right 15 mm
        assert y_min >= 20 * MM - tolerance  # top 20 mm
        assert y_max <= 297 * MM - 20 * MM + tolerance  # bottom 20 mm


@needs_poppler
def test_the_motto_sits_right_of_the_agency_and_the_title_below_both(tmp_path):
    html = _text(_write(tmp_path, render_pdf(_receipt())), "-bbox")

    def box(word: str) -> tuple[float, float]:
        match = re.search(rf'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>{word}</word>', html)
        assert match, word
        return float(match.group(1)), float(match.group(2))

    agency_x, agency_y = box("TRUNG")
    motto_x, motto_y = box("Độc")
    _, title_y = box("GIẤY")
    assert motto_x > agency_x + 50 * MM
    assert title_y > max(agency_y, motto_y)


@needs_poppler
def test_a_long_document_breaks_pages_and_numbers_them_from_the_second(tmp_path):
    long = [
        Paragraph(f"Nội dung thứ {i} của văn bản, đủ dài để xuống dòng nhiều lần.")
        for i in range(60)
    ]
    path = _write(tmp_path, render_pdf(_receipt(*long)))
    pages = _text(path).split("\f")
    assert len([p for p in pages if p.strip()]) >= 2
    assert pages[1].strip().splitlines()[0].strip() == "2"
    assert not pages[0].strip().splitlines()[0].strip().isdigit()


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2026, 1, 5), "Hải Phòng, ngày 05 tháng 01 năm 2026"),
        (dt.date(2026, 2, 28), "Hải Phòng, ngày 28 tháng 02 năm 2026"),
        (dt.date(2026, 3, 9), "Hải Phòng, ngày 09 tháng 3 năm 2026"),
        (dt.date(2026, 11, 22), "Hải Phòng, ngày 22 tháng 11 năm 2026"),
    ],
)
def test_place_and_date_follow_the_decree(date, expected):
    assert place_date("Hải Phòng", date) == expected


def test_the_qr_code_is_a_png():
    assert qr_png("000.00.50.H24-261122-0001").startswith(b"\x89PNG\r\n\x1a\n")


def test_the_font_cache_folder_follows_the_setting(settings, tmp_path):
    from tinhso.core.documents import _font_cache_dir

    settings.TINHSO_FONT_CACHE_DIR = ""
    assert _font_cache_dir().is_relative_to(settings.VAR_DIR)
    settings.TINHSO_FONT_CACHE_DIR = str(tmp_path / "fonts")
    assert _font_cache_dir().parent == tmp_path / "fonts"
