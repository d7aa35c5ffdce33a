"""Official Vietnamese documents as PDF: receipts, appointment slips, letters.

A document is described by ``OfficialDocument`` and a list of blocks
(``Paragraph``, ``KeyValues``, ``Table``, ``Qr``, ``Signature``, ``Recipients``)
and drawn by ``render_pdf`` in the layout of Decree 30/2020/NĐ-CP on
administrative documents (Appendix I):

- A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm;
- top left, the managing agency (capitals) above the issuing agency (capitals,
  bold) with a short rule under it, then the document number ("Số: ...");
- top right, the national name "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (capitals,
  bold) above the motto "Độc lập - Tự do - Hạnh phúc" (bold) with a rule of
  the motto's length, then place and date in italics;
- the document's name centred in bold capitals, its summary (trích yếu) under it;
- body text justified, first lines indented, 13 pt; the signature block on the
  right; "Nơi nhận" at the bottom left; page numbers from page 2, top centre.

The decree asks for Times New Roman; it is not free to ship, so the text is
set in Noto Serif (SIL Open Font License 1.1, package ``fontpkg-noto-serif``),
a serif with the full Vietnamese alphabet, embedded (subset) in every file. The
output is a standard PDF (no encryption, fonts embedded), so it can be signed
later (PAdES, pyHanko). ``place_date`` writes "Hải Phòng, ngày 05 tháng 01 năm
2026" with the decree's leading zeros (days below 10, months 1 and 2).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

FAMILY = "NotoSerif"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# Decree 30/2020/NĐ-CP, Appendix I: margins in millimetres and type sizes in points.
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20, 20, 30, 15
SIZE_BODY = 13
SIZE_HEADER = 12.5
SIZE_TITLE = 14
LINE = 6.2  # line height in mm for the body size (about 1.35 lines)


# --- the document model ------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """Body text, justified with its first line indented; ``\\n`` starts a new paragraph."""

    text: str
    bold: bool = False
    italic: bool = False
    align: str = "J"  # J justified, L left, C centred, R right
    indent: bool = True


@dataclass(frozen=True)
class KeyValues:
    """Label and value pairs, one a row, without borders ("Họ và tên: Nguyễn Thị Hương")."""

    rows: Sequence[tuple[str, str]]
    label_width: float = 0.34  # share of the text width


@dataclass(frozen=True)
class Table:
    """A ruled table with a bold header row; ``widths`` are relative column widths."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] | None = None


@dataclass(frozen=True)
class Qr:
    """A QR code (e.g. the tracking address) with a caption to its right."""

    data: str
    caption: str = ""
    size_mm: float = 28


@dataclass(frozen=True)
class Signature:
    """The signature block on the right: the signer's title, space to sign, the name."""

    title: str
    name: str
    note: str = ""  # e.g. "(Ký, ghi rõ họ tên)"


@dataclass(frozen=True)
class Recipients:
    """ "Nơi nhận:" at the bottom left, one recipient a line."""

    lines: Sequence[str]
    label: str = "Nơi nhận:"


Block = Paragraph | KeyValues | Table | Qr | Signature | Recipients


@dataclass
class OfficialDocument:
    """An administrative document: who issues it, its number, place and date, title and body."""

    agency_parent: str
    agency: str
    number: str
    place_date: str
    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    author: str = ""
    subject: str = ""


def place_date(place: str, date: dt.date) -> str:
    """``Hải Phòng, ngày 05 tháng 01 năm 2026``: the decree writes a leading zero
    for days below 10 and for months 1 and 2."""
    day = f"{date.day:02d}"
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"{place}, ngày {day} tháng {month} năm {date.year}"


# --- fonts ---------------------------------------------------------------------


@cache
def font_files() -> dict[str, Path]:
    """The variable TrueType files of Noto Serif shipped by ``fontpkg-noto-serif``."""
    import fontpkg_noto_serif

    folder = Path(fontpkg_noto_serif.ROOT) / "files"
    upright = next(p for p in sorted(folder.glob("*.ttf")) if "Italic" not in p.name)
    italic = next(p for p in sorted(folder.glob("*.ttf")) if "Italic" in p.name)
    return {"": upright, "I": italic}


# Weight and width of each style. Width 87.5 (Noto's SemiCondensed) sets lines
# about as long as the decree's Times New Roman would.
FONT_AXES = {"": (400, 87.5), "B": (700, 87.5), "I": (400, 87.5), "BI": (700, 87.5)}
# What the static fonts keep: Latin with its extensions, Vietnamese, combining
# marks, punctuation, the đồng sign. Smaller fonts are quicker to make and embed.
FONT_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x300, 0x370),
    *range(0x1E00, 0x1F00),
    *range(0x2000, 0x2070),
    *(0x20AB, 0x20AC, 0x2116, 0x2122, 0x2212, 0x25CF),
]
FONT_CACHE_KEY = "v1"


def _font_cache_dir() -> Path:
    from django.conf import settings

    if settings.configured and getattr(settings, "TINHSO_FONT_CACHE_DIR", ""):
        return Path(settings.TINHSO_FONT_CACHE_DIR) / f"fonts-{FONT_CACHE_KEY}"
    base = getattr(settings, "VAR_DIR", None) if settings.configured else None
    return Path(base or tempfile.gettempdir()) / "cache" / f"fonts-{FONT_CACHE_KEY}"


@cache
def _subset(path: Path) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(path))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=FONT_UNICODES)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@cache
def static_fonts() -> dict[str, Path]:
    """One static TrueType file per style, made once from the variable fonts and kept on disk.

    fpdf2 can instantiate variable fonts itself, but that costs seconds on every
    document; here it is paid once per machine (about 8 s), then reading the
    cached files takes milliseconds.
    """
    from importlib.metadata import version

    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    folder = _font_cache_dir() / version("fontpkg-noto-serif")
    folder.mkdir(parents=True, exist_ok=True)
    sources = font_files()
    paths = {}
    for style, (weight, width) in FONT_AXES.items():
        target = folder / f"NotoSerif-{style or 'R'}-{weight}-{width}.ttf"
        if not target.exists():
            source = sources["I" if "I" in style else ""]
            font = TTFont(io.BytesIO(_subset(source)))
            static = instancer.instantiateVariableFont(font, {"wght": weight, "wdth": width})
            # Write then rename: another process making the same file never
            # reads half of it.
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            static.save(str(partial))
            os.replace(partial, target)
        paths[style] = target
    return paths


class _Pdf(FPDF):
    def header(self) -> None:
        # Page numbers from the second page, centred at the top (Decree 30/2020).
        if self.page_no() > 1:
            self.set_y(8)
            self.set_font(FAMILY, "", 11)
            self.cell(0, 5, str(self.page_no()), align="C")
            self.set_y(MARGIN_TOP)


def _new_pdf(doc: OfficialDocument) -> _Pdf:
    pdf = _Pdf(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_BOTTOM)
    for style, path in static_fonts().items():
        pdf.add_font(FAMILY, style, str(path))
    pdf.set_title(" ".join(doc.title.split()))
    pdf.set_author(doc.author or doc.agency)
    pdf.set_subject(doc.subject or doc.subtitle)
    pdf.set_creator("tinhso")
    pdf.set_lang("vi")
    pdf.set_creation_date(dt.datetime.now(dt.UTC))
    pdf.add_page()
    return pdf


# --- drawing ---------------------------------------------------------------------


def _rule(pdf: FPDF, x_centre: float, width: float, y: float) -> None:
    pdf.set_line_width(0.3)
    pdf.line(x_centre - width / 2, y, x_centre + width / 2, y)


def _header_lines(pdf: FPDF, text: str, style: str, width: float) -> list[str]:
    """The agency line as the decree sets it: one line if it fits at 11 pt or more,
    else two balanced lines at full size (explicit ``\n`` in ``text`` is kept)."""
    if "\n" in text:
        pdf.set_font(FAMILY, style, SIZE_HEADER)
        return [line.strip() for line in text.split("\n") if line.strip()]
    size = SIZE_HEADER
    while size >= 11:
        pdf.set_font(FAMILY, style, size)
        if pdf.get_string_width(text) <= width - 2:
            return [text]
        size -= 0.5
    pdf.set_font(FAMILY, style, SIZE_HEADER)
    words = text.split()
    best = [text]
    best_width = float("inf")
    for cut in range(1, len(words)):
        lines = [" ".join(words[:cut]), " ".join(words[cut:])]
        widest = max(pdf.get_string_width(line) for line in lines)
        if widest < best_width:
            best, best_width = lines, widest
    return best


def _fit(pdf: FPDF, text: str, style: str, size: float, width: float, smallest: float) -> None:
    """Set the largest font size, down to ``smallest``, at which ``text`` fits on one line."""
    while size > smallest:
        pdf.set_font(FAMILY, style, size)
        if pdf.get_string_width(text) <= width - 2:
            return
        size -= 0.5
    pdf.set_font(FAMILY, style, smallest)


def _header(pdf: FPDF, doc: OfficialDocument) -> None:
    text_width = pdf.epw
    left_w = text_width * 0.44
    right_w = text_width - left_w
    left_x = pdf.l_margin
    right_x = left_x + left_w
    # The first line's ascent (room for stacked marks such as Ỗ) stays inside the margin.
    top = pdf.t_margin + 2
    line = 5.6

    # Left column: managing agency, issuing agency, rule, number.
    pdf.set_xy(left_x, top)
    for text, style in ((doc.agency_parent, ""), (doc.agency, "B")):
        for text_line in _header_lines(pdf, text.upper(), style, left_w) if text else []:
            pdf.set_x(left_x)
            pdf.multi_cell(left_w, line, text_line, align="C")
    agency_bottom = pdf.get_y()
    _rule(pdf, left_x + left_w / 2, min(left_w * 0.4, 30), agency_bottom + 1)
    pdf.set_xy(left_x, agency_bottom + 3)
    pdf.set_font(FAMILY, "", SIZE_BODY)
    if doc.number:
        pdf.multi_cell(left_w, line, f"Số: {doc.number}", align="C")
    left_bottom = pdf.get_y()

    # Right column: national name, motto with its rule, place and date.
    pdf.set_xy(right_x, top)
    _fit(pdf, NATIONAL_NAME, "B", SIZE_HEADER, right_w, 10)
    pdf.multi_cell(right_w, line, NATIONAL_NAME, align="C")
    pdf.set_x(right_x)
    pdf.set_font(FAMILY, "B", SIZE_BODY)
    pdf.multi_cell(right_w, line, MOTTO, align="C")
    motto_bottom = pdf.get_y()
    _rule(pdf, right_x + right_w / 2, pdf.get_string_width(MOTTO), motto_bottom + 1)
    pdf.set_xy(right_x, motto_bottom + 3)
    pdf.set_font(FAMILY, "I", SIZE_BODY)
    if doc.place_date:
        pdf.multi_cell(right_w, line, doc.place_date, align="C")
    right_bottom = pdf.get_y()

    pdf.set_xy(left_x, max(left_bottom, right_bottom) + 8)


def _title(pdf: FPDF, doc: OfficialDocument) -> None:
    pdf.set_font(FAMILY, "B", SIZE_TITLE)
    pdf.multi_cell(0, 7, doc.title.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if doc.subtitle:
        pdf.set_font(FAMILY, "B", SIZE_BODY)
        pdf.multi_cell(0, LINE, doc.subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)


def _paragraph(pdf: FPDF, block: Paragraph) -> None:
    style = ("B" if block.bold else "") + ("I" if block.italic else "")
    pdf.set_font(FAMILY, style, SIZE_BODY)
    align = {"J": Align.J, "L": Align.L, "C": Align.C, "R": Align.R}[block.align]
    with pdf.text_columns(
        text_align=align, line_height=1.35, l_margin=pdf.l_margin, r_margin=pdf.r_margin
    ) as columns:
        for text in block.text.split("\n"):
            with columns.paragraph(
                first_line_indent=10 if block.indent and align == Align.J else 0,
                bottom_margin=1.5,
            ) as paragraph:
                paragraph.write(text)
    pdf.set_x(pdf.l_margin)


def _key_values(pdf: FPDF, block: KeyValues) -> None:
    pdf.set_font(FAMILY, "", SIZE_BODY)
    label = block.label_width * 100
    with pdf.table(
        col_widths=(label, 100 - label),
        borders_layout=TableBordersLayout.NONE,
        first_row_as_headings=False,
        align="LEFT",
        width=pdf.epw,
        line_height=LINE,
        padding=(0.6, 1, 0.6, 0),
        text_align=("LEFT", "LEFT"),
    ) as table:
        for key, value in block.rows:
            row = table.row()
            row.cell(f"{key}:" if key and not key.endswith(":") else key)
            row.cell(value, style=FontFace(emphasis="BOLD"))
    pdf.ln(2)


def _table(pdf: FPDF, block: Table) -> None:
    pdf.set_font(FAMILY, "", 11.5)
    pdf.set_line_width(0.2)
    with pdf.table(
        col_widths=tuple(block.widths) if block.widths else None,
        headings_style=FontFace(emphasis="BOLD"),
        align="LEFT",
        width=pdf.epw,
        line_height=5.4,
        padding=1.2,
        text_align="LEFT",
    ) as table:
        head = table.row()
        for cell in block.header:
            head.cell(cell, align="C")
        for values in block.rows:
            row = table.row()
            for value in values:
                text = str(value)
                row.cell(text, align="C" if text.replace(".", "").isdigit() else "L")
    pdf.ln(3)


def qr_png(data: str, *, scale: int = 8) -> bytes:
    """The QR code of ``data`` as a PNG (segno, error correction M, quiet zone 2 modules)."""
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _qr(pdf: FPDF, block: Qr) -> None:
    size = block.size_mm
    if pdf.get_y() + size > pdf.h - pdf.b_margin:
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    pdf.image(io.BytesIO(qr_png(block.data)), x=x, y=y, w=size, h=size)
    if block.caption:
        pdf.set_xy(x + size + 4, y + 3)
        pdf.set_font(FAMILY, "I", 11)
        pdf.multi_cell(pdf.epw - size - 4, 5.2, block.caption, align="L")
    pdf.set_xy(pdf.l_margin, y + size + 3)


def _signature(pdf: FPDF, block: Signature) -> None:
    width = pdf.epw * 0.5
    x = pdf.l_margin + pdf.epw - width
    needed = 45
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    pdf.set_xy(x, top)
    pdf.set_font(FAMILY, "B", SIZE_BODY)
    pdf.multi_cell(width, LINE, block.title.upper(), align="C")
    if block.note:
        pdf.set_x(x)
        pdf.set_font(FAMILY, "I", 11.5)
        pdf.multi_cell(width, 5.4, block.note, align="C")
    pdf.set_xy(x, pdf.get_y() + 22)
    pdf.set_font(FAMILY, "B", SIZE_BODY)
    pdf.multi_cell(width, LINE, block.name, align="C")
    pdf.set_xy(pdf.l_margin, pdf.get_y() + 2)
    pdf._tinhso_signature_top = top  # so Recipients can sit level with it


def _recipients(pdf: FPDF, block: Recipients) -> None:
    top = getattr(pdf, "_tinhso_signature_top", None)
    width = pdf.epw * 0.45
    y_after = pdf.get_y()
    if top is not None:
        pdf.set_xy(pdf.l_margin, top + 1)
    pdf.set_font(FAMILY, "BI", 12)
    pdf.cell(width, 5.5, block.label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 11)
    for line in block.lines:
        pdf.multi_cell(width, 5, f"- {line}", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), y_after))


_DRAW = {
    Paragraph: _paragraph,
    KeyValues: _key_values,
    Table: _table,
    Qr: _qr,
    Signature: _signature,
    Recipients: _recipients,
}


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as PDF bytes (A4, fonts embedded, standard PDF that can be signed later)."""
    pdf = _new_pdf(doc)
    _header(pdf, doc)
    _title(pdf, doc)
    for block in doc.blocks:
        _DRAW[type(block)](pdf, block)
    return bytes(pdf.output())
