"""Back-office pages for the Excel update and the exports (``/quan-tri/dau-tu/...``)."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tinhso.core.exceptions import TinhsoError, ValidationError
from tinhso.core.links import public_url
from tinhso.core.permissions import role_may
from tinhso.core.responses import error_response
from tinhso.core.views import _backoffice_nav, official_required
from tinhso.investment import excel, oc4ids
from tinhso.investment.api_excel import read_upload
from tinhso.investment.models import Disbursement


def _year(request) -> int:
    text = (request.GET.get("nam") or request.POST.get("nam") or "").strip()
    if not text:
        return timezone.localdate().year
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationError(_("Năm không hợp lệ."), code="bad_year")
    return int(text)


def _date(request) -> dt.date:
    text = (request.GET.get("den-ngay") or "").strip()
    if not text:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise ValidationError(_("Ngày không hợp lệ (dạng YYYY-MM-DD)."), code="bad_date") from error


@never_cache
@official_required
def upload_page(request):
    """Download the template, upload it back; the result or every error by row and column."""
    context = {
        "backoffice_nav": _backoffice_nav("dau-tu"),
        "year": timezone.localdate().year,
        "years": range(timezone.localdate().year, timezone.localdate().year - 3, -1),
        "may_upload": role_may(request.user, Disbursement, "add"),
        "max_rows": f"{excel.MAX_ROWS:,}".replace(",", "."),
        "max_mb": excel.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    status = 200
    if request.method == "POST":
        try:
            upload = request.FILES.get("tep")
            if upload is None:
                raise ValidationError(_("Chọn tệp Excel để tải lên."), code="file_missing")
            result = excel.disbursement_upload(
                actor=request.user, data=read_upload(upload), name=upload.name or ""
            )
            context["result"] = result
        except TinhsoError as error:
            status = error.status if error.status < 500 else 400
            context["error"] = error
            details = error.details if isinstance(error.details, dict) else {}
            context["errors"] = details.get("errors", [])
            context["truncated"] = details.get("truncated", False)
    return render(request, "investment/excel_upload.html", context, status=status)


@never_cache
@official_required
def template_download(request):
    try:
        year = _year(request)
        body = excel.upload_template(request.user, year=year)
    except TinhsoError as error:
        return error_response(request, error)
    response = HttpResponse(body, content_type=excel.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="cap-nhat-giai-ngan-{year}.xlsx"'
    return response


@never_cache
@official_required
def report_download(request):
    """The provincial report laid out for print, streamed from a temporary file."""
    try:
        year = _year(request)
        as_of = _date(request)
        output = excel.report_workbook(request.user, year=year, as_of=as_of)
    except TinhsoError as error:
        return error_response(request, error)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"bieu-giai-ngan-{year}-{as_of:%Y%m%d}.xlsx",
        content_type=excel.XLSX_TYPE,
    )


@never_cache
@official_required
def oc4ids_download(request):
    response = StreamingHttpResponse(
        oc4ids.package_chunks(request.user, uri=public_url(request.get_full_path())),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="oc4ids-du-an.json"'
    return response
