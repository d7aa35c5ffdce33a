"""The Decision 766 indicators page, its drill-down lists and their exports (CSV, xlsx)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tinhso.core.exceptions import NotFound, TinhsoError, ValidationError
from tinhso.core.responses import error_response
from tinhso.core.views import _backoffice_nav, official_required
from tinhso.ioc import indicators
from tinhso.ioc.paging import page_of

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValidationError(_("Ngày không hợp lệ (dạng YYYY-MM-DD)."), code="bad_date") from error


def _params(request) -> tuple[indicators.Period, dict, dict]:
    from tinhso.core.choices import UnitVersion
    from tinhso.core.models import AdministrativeUnit, Organisation

    period = indicators.make_period(_date(request.GET.get("tu")), _date(request.GET.get("den")))
    filters: dict = {}
    query = {"tu": period.first.isoformat(), "den": period.last.isoformat()}
    unit_code = request.GET.get("don-vi", "").strip()[:20]
    if unit_code:
        unit = AdministrativeUnit.objects.filter(
            version=UnitVersion.POST_2025, code=unit_code
        ).first()
        if unit is None:
            raise NotFound(_("Không tìm thấy đơn vị hành chính."))
        filters["unit"] = unit
        query["don-vi"] = unit_code
    org_code = request.GET.get("co-quan", "").strip()[:40]
    if org_code:
        organisation = Organisation.objects.filter(identifier_code=org_code).first()
        if organisation is None:
            raise NotFound(_("Không tìm thấy cơ quan."))
        filters["organisation"] = organisation
        query["co-quan"] = org_code
    return period, filters, query


def _export_name(stem: str, period: indicators.Period, ext: str) -> str:
    return f"{stem}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{ext}"


def _download(rows: list[list], header: list[str], fmt: str, filename: str) -> HttpResponse:
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        # A byte-order mark so spreadsheet programs read the Vietnamese as UTF-8.
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@official_required
def indicators_page(request):
    """Period and unit/agency selectors, the five groups with rates, points and totals."""
    try:
        period, filters, query = _params(request)
        report = indicators.compute(request.user, period, **filters)
    except TinhsoError as error:
        return error_response(request, error)
    fmt = request.GET.get("dinh-dang", "")
    if fmt in ("csv", "xlsx"):
        header = [
            _("Nhóm"),
            _("Chỉ số"),
            _("Tử số"),
            _("Mẫu số"),
            _("Tỷ lệ"),
            _("Điểm"),
            _("Điểm tối đa"),
            _("Nguồn"),
            _("Ghi chú"),
        ]
        rows = []
        for group in report.groups():
            for item in group["indicators"]:
                rows.append(
                    [
                        group["name"],
                        str(item.definition.name),
                        item.numerator,
                        item.denominator,
                        float(item.rate) if item.rate is not None else None,
                        float(item.points) if item.points is not None else None,
                        float(item.definition.max_points),
                        item.definition.source,
                        item.note,
                    ]
                )
        return _download(rows, header, fmt, _export_name("chi-so-766", period, fmt))
    groups = report.groups()
    base = urlencode(query)
    for group in groups:
        for item in group["indicators"]:
            item.links = item.definition.code in indicators.PARTS
            item.late = item.definition.code in indicators.LATE_PART
            if item.rate is not None:
                item.percent = f"{item.rate * 100:.1f}"
    return render(
        request,
        "ioc/indicators.html",
        {
            "backoffice_nav": _backoffice_nav("bao-cao"),
            "report": report,
            "groups": groups,
            "period": period,
            "unit_code": query.get("don-vi", ""),
            "org_code": query.get("co-quan", ""),
            "base": base,
        },
    )


@never_cache
@official_required
def drill_page(request, code: str, part: str):
    """The dossiers behind one number, paged; ``dinh-dang=csv|xlsx`` exports them all."""
    try:
        period, filters, query = _params(request)
        queryset = indicators.drill_down(request.user, period, code, part, **filters)
    except TinhsoError as error:
        return error_response(request, error)
    queryset = queryset.select_related("procedure", "competent_organisation")
    fmt = request.GET.get("dinh-dang", "")
    if fmt in ("csv", "xlsx"):
        header = [
            _("Mã hồ sơ"),
            _("Thủ tục"),
            _("Cơ quan giải quyết"),
            _("Hình thức nộp"),
            _("Trạng thái"),
            _("Nộp lúc"),
            _("Hạn giải quyết"),
            _("Có kết quả lúc"),
            _("Số lần yêu cầu bổ sung"),
        ]

        def moment(value):
            return value.strftime("%Y-%m-%d %H:%M") if value else ""

        rows = [
            [
                d.code,
                d.procedure.name,
                d.competent_organisation.name,
                d.get_channel_display(),
                d.status,
                moment(d.submitted_at),
                moment(d.due_at),
                moment(d.finished_at),
                d.supplement_count,
            ]
            for d in queryset[:EXPORT_LIMIT]
        ]
        return _download(rows, header, fmt, _export_name(f"{code}-{part}", period, fmt))
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    listed = page_of(
        queryset, page=page, size=PAGE_SIZE, related=("procedure", "competent_organisation")
    )
    base = urlencode(query)
    return render(
        request,
        "ioc/drill.html",
        {
            "backoffice_nav": _backoffice_nav("bao-cao"),
            "definition": indicators.BY_CODE[code],
            "part": part,
            "dossiers": listed.rows,
            "total": listed.count,
            "capped": listed.capped,
            "page": page,
            "has_next": listed.has_next,
            "period": period,
            "base": base,
        },
    )
