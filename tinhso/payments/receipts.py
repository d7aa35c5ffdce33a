"""The e-receipt (biên lai điện tử) of a paid request, as PDF (``tinhso.core.documents``).

Rendered on demand from the paid request (it never changes once paid): the
issuing agency (the dossier's competent organisation), receipt number, payer,
the fee lines, total, the gateway's transaction number and moment. The legal
content of fee receipts is set by Decree 11/2020/NĐ-CP and Decree
123/2020/NĐ-CP (form and serial symbol of e-receipts): the form number and
serial used here are placeholders until the province registers its own
(docs/payments.md).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.payments.choices import PaymentStatus
from tinhso.payments.errors import ReceiptNotReady


def receipt_document(payment):
    from tinhso.core.documents import (
        KeyValues,
        OfficialDocument,
        Paragraph,
        Signature,
        Table,
        place_date,
    )

    dossier = payment.dossier
    organisation = dossier.competent_organisation
    parent = organisation.parent.name if organisation.parent_id else ""
    paid = timezone.localtime(payment.paid_at)
    rows = [
        [str(n), str(item.get("name", "")), f"{int(item.get('amount', 0)):,}".replace(",", ".")]
        for n, item in enumerate(payment.items, start=1)
    ]
    total = f"{payment.amount:,}".replace(",", ".")
    return OfficialDocument(
        agency_parent=parent.upper(),
        agency=organisation.name.upper(),
        number=payment.receipt_number,
        place_date=place_date(organisation.unit.name, paid.date()),
        title=_("Biên lai thu phí, lệ phí điện tử"),
        blocks=[
            KeyValues(
                [
                    (_("Số biên lai"), payment.receipt_number),
                    (_("Người nộp"), dossier.applicant.full_name),
                    (_("Mã hồ sơ"), dossier.code or ""),
                    (_("Thủ tục"), dossier.procedure.name),
                ]
            ),
            Table(
                [_("STT"), _("Nội dung thu"), _("Số tiền (đồng)")],
                rows,
                widths=[0.1, 0.6, 0.3],
            ),
            Paragraph(_("Tổng cộng: %(total)s đồng.") % {"total": total}, bold=True, indent=False),
            KeyValues(
                [
                    (_("Hình thức thanh toán"), _("Thanh toán trực tuyến")),
                    (_("Mã thanh toán"), payment.reference),
                    (_("Mã giao dịch"), payment.transaction_no),
                    (_("Thời điểm thanh toán"), paid.strftime("%H:%M:%S %d/%m/%Y")),
                ]
            ),
            Signature(_("Đơn vị thu"), organisation.name),
        ],
        author=organisation.name,
        subject=payment.receipt_number,
    )


def receipt_pdf(payment) -> tuple[bytes, str]:
    """(PDF bytes, file name) of a paid request; any other request has none (404)."""
    from tinhso.core.documents import render_pdf

    if payment.status != PaymentStatus.PAID or not payment.receipt_number:
        raise ReceiptNotReady()
    return render_pdf(receipt_document(payment)), f"bien-lai-{payment.receipt_number}.pdf"
