"""The receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) and the refusal notice, as PDF.

Laid out after Circular 01/2018/TT-VPCP, form 01 (receipt and appointment) and
form 03 (refusal to receive) — check both against the circular's appendix
before relying on them. Rendered on demand from the dossier's stored data (code,
components received, received and promised moments, receiving officer): the
content never changes once received, so nothing is stored; a signed copy
(pyHanko) would be stored as a ``StoredFile`` later.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.dossiers.choices import Channel, DossierStatus
from tinhso.dossiers.errors import DossierNotFound


def _moment(value) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return _("%(h)s giờ %(m)s phút, ngày %(d)s tháng %(mo)s năm %(y)s") % {
        "h": f"{local.hour:02d}",
        "m": f"{local.minute:02d}",
        "d": f"{local.day:02d}",
        "mo": f"{local.month:02d}",
        "y": local.year,
    }


def _duration(dossier) -> str:
    from tinhso.dossiers.process import legal_time

    amount, unit = legal_time(dossier.procedure, dossier.case, dossier.channel)
    from tinhso.procedures.choices import TimeUnit

    text = f"{amount.normalize():f}".rstrip(".")
    return f"{text} {TimeUnit(unit).label}"


def tracking_url(dossier, request=None) -> str:
    from tinhso.core.links import public_url
    from tinhso.dossiers.events import tracking_path

    return public_url(tracking_path(dossier))


def _agency(dossier):
    organisation = dossier.receiving_organisation
    parent = organisation.parent.name if organisation.parent_id else ""
    return parent, organisation.name


def receipt_document(dossier, *, request=None):
    from tinhso.core.documents import (
        KeyValues,
        OfficialDocument,
        Paragraph,
        Qr,
        Signature,
        Table,
        place_date,
    )

    parent, agency = _agency(dossier)
    received = timezone.localtime(dossier.received_at)
    files = list(dossier.files.select_related("component").order_by("component__order", "id"))
    components: dict[int, list] = {}
    for row in files:
        components.setdefault(row.component_id, [row.component, 0])[1] += 1
    rows = [
        [
            str(n),
            component.name,
            _("%(o)s bản chính, %(c)s bản sao") % {"o": component.originals, "c": component.copies},
            str(count),
        ]
        for n, (component, count) in enumerate(components.values(), start=1)
    ]
    officer = dossier.received_by
    delivery = dossier.form_data.get("result_delivery") or (
        "online" if dossier.channel == Channel.ONLINE else "in_person"
    )
    delivery_label = {
        "online": _("Trực tuyến"),
        "post": _("Qua dịch vụ bưu chính"),
        "in_person": _("Tại %(agency)s") % {"agency": agency},
    }.get(delivery, agency)
    return OfficialDocument(
        agency_parent=parent.upper(),
        agency=agency.upper(),
        number=dossier.code,
        place_date=place_date(dossier.receiving_organisation.unit.name, received.date()),
        title=_("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        blocks=[
            Paragraph(_("%(agency)s tiếp nhận hồ sơ của:") % {"agency": agency}, indent=True),
            KeyValues(
                [
                    (_("Ông/bà"), dossier.applicant.full_name),
                    (_("Số định danh cá nhân"), dossier.applicant.masked_id_number),
                    (_("Địa chỉ"), dossier.form_data.get("address", "")),
                    (_("Số điện thoại"), dossier.applicant_phone),
                    (_("Thư điện tử"), dossier.applicant_email),
                    (_("Nội dung yêu cầu giải quyết"), dossier.procedure.name),
                ]
            ),
            Paragraph(_("1. Thành phần hồ sơ nộp gồm:"), bold=True, indent=False),
            Table(
                [_("STT"), _("Tên giấy tờ"), _("Hình thức"), _("Số tệp, bản")],
                rows or [["", _("(không có)"), "", ""]],
                widths=[0.08, 0.52, 0.25, 0.15],
            ),
            Paragraph(_("2. Số lượng hồ sơ: 01 bộ."), indent=False),
            Paragraph(
                _("3. Thời gian giải quyết hồ sơ theo quy định là: %(d)s.")
                % {"d": _duration(dossier)},
                indent=False,
            ),
            Paragraph(
                _("4. Thời gian nhận hồ sơ: %(t)s.") % {"t": _moment(dossier.received_at)},
                indent=False,
            ),
            Paragraph(
                _("5. Thời gian trả kết quả giải quyết hồ sơ: %(t)s.")
                % {"t": _moment(dossier.due_at)},
                bold=True,
                indent=False,
            ),
            Paragraph(
                _("6. Đăng ký nhận kết quả: %(where)s.") % {"where": delivery_label},
                indent=False,
            ),
            Qr(
                tracking_url(dossier, request),
                caption=_("Tra cứu tình trạng hồ sơ bằng mã hồ sơ và số định danh cá nhân"),
            ),
            Signature(
                _("Người tiếp nhận hồ sơ"),
                str(officer) if officer else "",
                note=_("(Ký và ghi rõ họ tên)"),
            ),
        ],
        author=agency,
        subject=dossier.code,
    )


def refusal_document(dossier, *, request=None):
    from tinhso.core.documents import KeyValues, OfficialDocument, Paragraph, Signature, place_date

    parent, agency = _agency(dossier)
    refused = timezone.localtime(dossier.finished_at or dossier.updated_at)
    event = dossier.events.filter(action="refuse_receipt").order_by("-at").first()
    return OfficialDocument(
        agency_parent=parent.upper(),
        agency=agency.upper(),
        number=dossier.code,
        place_date=place_date(dossier.receiving_organisation.unit.name, refused.date()),
        title=_("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        blocks=[
            Paragraph(
                _(
                    "%(agency)s tiếp nhận hồ sơ của ông/bà %(name)s đề nghị giải quyết "
                    "thủ tục hành chính: %(procedure)s."
                )
                % {
                    "agency": agency,
                    "name": dossier.applicant.full_name,
                    "procedure": dossier.procedure.name,
                }
            ),
            Paragraph(
                _(
                    "Sau khi kiểm tra, đối chiếu thành phần hồ sơ, hồ sơ không đủ điều kiện "
                    "để tiếp nhận với lý do cụ thể như sau:"
                )
            ),
            KeyValues([(_("Lý do"), dossier.refusal_reason)]),
            Paragraph(_("Xin thông báo để ông/bà được biết và thực hiện.")),
            Signature(
                _("Người tiếp nhận hồ sơ"),
                event.actor_label if event else "",
                note=_("(Ký và ghi rõ họ tên)"),
            ),
        ],
        author=agency,
        subject=dossier.code,
    )


def receipt_pdf(dossier, *, request=None) -> tuple[bytes, str]:
    """(PDF bytes, file name): the receipt once received, the refusal notice after a refusal
    at receipt; a dossier not yet received has neither (404)."""
    from tinhso.core.documents import render_pdf

    refused_at_receipt = dossier.status == DossierStatus.REFUSED and dossier.received_at is None
    if refused_at_receipt:
        return render_pdf(refusal_document(dossier, request=request)), (
            f"phieu-tu-choi-{dossier.code}.pdf"
        )
    if dossier.received_at is None:
        raise DossierNotFound(
            _("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận."), code="receipt_not_ready"
        )
    return render_pdf(
        receipt_document(dossier, request=request)
    ), f"giay-tiep-nhan-{dossier.code}.pdf"
