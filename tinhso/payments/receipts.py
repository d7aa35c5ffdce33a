"""The e-receipt (biên lai thu phí, lệ phí điện tử) of a paid request: numbered, signed, kept.

Numbering, at payment (``receipt_number_assign``, inside the paying callback's
transaction): the collecting agency (the dossier's competent organisation),
the receipt form code (ký hiệu mẫu biên lai, ``TINHSO_RECEIPT_FORM``) and
serial (ký hiệu biên lai: ``TINHSO_RECEIPT_SERIAL_PREFIX`` + the year's two
digits + ``E``) and a 7-digit number from the counter
``receipt:<agency identifier code>:<year>`` (``tinhso.core.sequences``): one
statement that locks the counter's row until the payment commits, so numbers
are consecutive and never handed out twice, per agency and per year (the
numbering starts again on 1 January).

The PDF is drawn from the paid request the first time it is asked for, signed
(PAdES, ``tinhso.core.signing``) with the collecting agency's certificate like
results are, stored, and served as stored from then on: the receipt never
changes once issued. What the legal texts require and what could not be
confirmed is in docs/payments.md.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.payments.choices import PaymentStatus
from tinhso.payments.errors import ReceiptNotReady

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def receipt_form() -> str:
    return (getattr(settings, "TINHSO_RECEIPT_FORM", "") or "01BLP0-001")[:20]


def receipt_serial(year: int) -> str:
    prefix = (getattr(settings, "TINHSO_RECEIPT_SERIAL_PREFIX", "") or "TS")[:12]
    return f"{prefix}-{year % 100:02d}E"


def receipt_number_assign(payment, *, at: dt.datetime) -> None:
    """Give a request being paid its receipt's agency, form, serial and number (not saved).

    Call inside the transaction that marks it paid: the counter's row stays
    locked until that commits, and a rollback gives the number back.
    """
    from tinhso.core.sequences import next_value

    organisation = payment.dossier.competent_organisation
    year = timezone.localtime(at).year
    number = next_value(scope=f"receipt:{organisation.identifier_code}:{year}")
    payment.receipt_issuer = organisation
    payment.receipt_form = receipt_form()
    payment.receipt_serial = receipt_serial(year)
    payment.receipt_number = f"{number:07d}"


def _three(number: int, *, full: bool) -> list[str]:
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if full or hundreds:
                words.append("linh")
            words.append(_DIGITS[units])
        return words
    words += ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _below_billion(number: int, *, full: bool) -> list[str]:
    words: list[str] = []
    for divisor, name in ((1_000_000, "triệu"), (1000, "nghìn"), (1, "")):
        group = number // divisor % 1000
        if group:
            words += _three(group, full=full or bool(words))
            if name:
                words.append(name)
    return words


def _read(number: int, *, full: bool = False) -> list[str]:
    if number >= 1_000_000_000:
        high, low = divmod(number, 1_000_000_000)
        words = [*_read(high, full=full), "tỷ"]
        return words + (_below_billion(low, full=True) if low else [])
    return _below_billion(number, full=full)


def amount_in_words(amount: int) -> str:
    """Whole đồng read out in Vietnamese, capitalised: 250000 → "Hai trăm năm mươi nghìn đồng"."""
    amount = int(amount)
    text = " ".join(_read(amount)) if amount else "không"
    text += " đồng"
    return text[:1].upper() + text[1:]


def _money(amount) -> str:
    """The receipt is a Vietnamese document: dots between thousands whatever the page's language."""
    from tinhso.core.money import group_thousands

    return group_thousands(amount, language="vi")


def receipt_document(payment):
    from tinhso.core.documents import (
        KeyValues,
        OfficialDocument,
        Paragraph,
        Signature,
        Table,
        place_date,
    )
    from tinhso.procedures.choices import FeeKind

    dossier = payment.dossier
    organisation = payment.receipt_issuer or dossier.competent_organisation
    parent = organisation.parent.name if organisation.parent_id else ""
    paid = timezone.localtime(payment.paid_at)
    kinds = {FeeKind.FEE: _("Phí"), FeeKind.CHARGE: _("Lệ phí")}
    rows = [
        [
            str(n),
            str(item.get("name", "")),
            str(kinds.get(item.get("kind"), _("Phí, lệ phí"))),
            _money(item.get("amount", 0)),
        ]
        for n, item in enumerate(payment.items, start=1)
    ]
    issuer = [(_("Tổ chức thu phí, lệ phí"), organisation.name)]
    issuer.append((_("Mã định danh tổ chức thu"), organisation.identifier_code))
    if organisation.address:
        issuer.append((_("Địa chỉ"), organisation.address))
    return OfficialDocument(
        agency_parent=parent.upper(),
        agency=organisation.name.upper(),
        number=f"{payment.receipt_serial}/{payment.receipt_number}",
        place_date=place_date(organisation.unit.name, paid.date()),
        title=_("Biên lai thu phí, lệ phí điện tử"),
        subtitle=_("(Biên lai thu phí, lệ phí không in sẵn mệnh giá)"),
        blocks=[
            KeyValues(
                [
                    (_("Ký hiệu mẫu biên lai"), payment.receipt_form),
                    (_("Ký hiệu biên lai"), payment.receipt_serial),
                    (_("Số biên lai"), payment.receipt_number),
                    *issuer,
                    (_("Người nộp"), dossier.applicant.full_name),
                    (_("Mã hồ sơ"), dossier.code or ""),
                    (_("Thủ tục"), dossier.procedure.name),
                ],
                label_width=0.36,
            ),
            Table(
                [_("STT"), _("Nội dung thu"), _("Loại"), _("Số tiền (đồng)")],
                rows,
                widths=[0.08, 0.52, 0.15, 0.25],
            ),
            Paragraph(
                _("Tổng cộng: %(total)s đồng.") % {"total": _money(payment.amount)},
                bold=True,
                indent=False,
            ),
            Paragraph(
                _("Số tiền bằng chữ: %(words)s.") % {"words": amount_in_words(payment.amount)},
                italic=True,
                indent=False,
            ),
            KeyValues(
                [
                    (_("Hình thức thanh toán"), _("Thanh toán trực tuyến")),
                    (_("Mã thanh toán"), payment.reference),
                    (_("Mã giao dịch"), payment.transaction_no),
                    (_("Ngân hàng"), payment.bank_code),
                    (_("Thời điểm thanh toán"), paid.strftime("%H:%M:%S %d/%m/%Y")),
                    (_("Ngày lập biên lai"), paid.strftime("%d/%m/%Y")),
                ],
                label_width=0.36,
            ),
            Signature(_("Tổ chức thu phí, lệ phí"), organisation.name, note=_("(Ký số)")),
        ],
        author=organisation.name,
        subject=f"{payment.receipt_form} {payment.receipt_serial} {payment.receipt_number}",
    )


def receipt_filename(payment) -> str:
    return f"bien-lai-{payment.receipt_serial}-{payment.receipt_number}.pdf"


def receipt_issue(payment) -> bytes:
    """Draw, sign and store the receipt of a paid request once; the stored bytes after that."""
    from tinhso.core.audit import audit_record
    from tinhso.core.documents import render_pdf
    from tinhso.core.files import file_open, file_store
    from tinhso.core.signing import organisation_signer, sign_pdf
    from tinhso.payments.models import PaymentRequest

    with transaction.atomic():
        locked = (
            PaymentRequest.objects.select_for_update(of=("self",))
            .select_related(
                "receipt_file",
                "receipt_issuer",
                "receipt_issuer__unit",
                "receipt_issuer__parent",
                "dossier",
                "dossier__procedure",
                "dossier__applicant",
                "dossier__competent_organisation",
            )
            .get(pk=payment.pk)
        )
        if locked.receipt_file_id:
            with file_open(locked.receipt_file) as handle:
                return handle.read()
        organisation = locked.receipt_issuer or locked.dossier.competent_organisation
        pdf = render_pdf(receipt_document(locked))
        signed = sign_pdf(
            pdf,
            signer=organisation_signer(organisation),
            reason=_("Biên lai thu phí, lệ phí số %(number)s, ký hiệu %(serial)s")
            % {"number": locked.receipt_number, "serial": locked.receipt_serial},
            location=organisation.name,
            field_name="BienLai",
        )
        stored = file_store(
            actor=None,
            uploaded_file=ContentFile(signed, name=receipt_filename(locked)),
            purpose="payment_receipt",
            accepted_types=("pdf",),
        )
        locked.receipt_file = stored
        locked.save(update_fields=["receipt_file"])
        audit_record(
            actor=None,
            action="payment.receipt_issue",
            obj=locked,
            changes={
                "receipt": f"{locked.receipt_form} {locked.receipt_serial} {locked.receipt_number}",
                "sha256": stored.sha256,
                "signer": organisation.identifier_code,
            },
        )
    payment.receipt_file = stored
    return signed


def receipt_pdf(payment) -> tuple[bytes, str]:
    """(signed PDF bytes, file name) of a paid request; any other request has none (404)."""
    if payment.status != PaymentStatus.PAID or not payment.receipt_number:
        raise ReceiptNotReady()
    return receipt_issue(payment), receipt_filename(payment)
