"""Excel template, upload and report, and the OC4IDS export over HTTP (under ``/api/v1/investment/``).

| method and path | what |
|---|---|
| ``GET /excel/template?year=`` | the daily-update template pre-filled with the caller's plan lines |
| ``POST /excel/upload`` (multipart ``file``) | the filled template: all rows recorded, or none (400 with ``details.errors``) |
| ``GET /excel/report?year=&as_of=`` | the provincial disbursement report (.xlsx, streamed) |
| ``GET /oc4ids`` | the projects in scope as an OC4IDS 0.9.5 project package (streamed JSON) |
"""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from tinhso.core.auth import api_auth
from tinhso.core.files import FileTooLarge
from tinhso.core.links import public_url
from tinhso.investment import excel, oc4ids

router = Router(tags=["investment"])


class YearIn(Schema):
    year: int | None = None


class ReportIn(Schema):
    year: int | None = None
    as_of: dt.date | None = None


class UploadOut(Schema):
    rows: int
    amount: int
    projects: int


def _year(value: int | None) -> int:
    year = value or timezone.localdate().year
    return min(max(year, 2000), 2100)


def read_upload(upload) -> bytes:
    """The uploaded bytes, refused past the limit without reading more than it."""
    if upload.size is not None and upload.size > excel.MAX_UPLOAD_BYTES:
        raise FileTooLarge(details={"max_bytes": excel.MAX_UPLOAD_BYTES})
    data = upload.read(excel.MAX_UPLOAD_BYTES + 1)
    if len(data) > excel.MAX_UPLOAD_BYTES:
        raise FileTooLarge(details={"max_bytes": excel.MAX_UPLOAD_BYTES})
    return data


@router.get("/excel/template", auth=api_auth, summary="Mẫu Excel cập nhật giải ngân")
def excel_template(request, params: Query[YearIn]):
    year = _year(params.year)
    response = HttpResponse(
        excel.upload_template(request.auth, year=year), content_type=excel.XLSX_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="cap-nhat-giai-ngan-{year}.xlsx"'
    return response


@router.post(
    "/excel/upload", response=UploadOut, auth=api_auth, summary="Tải lên tệp Excel giải ngân"
)
def excel_upload(request, file: File[UploadedFile]):
    data = read_upload(file)
    result = excel.disbursement_upload(actor=request.auth, data=data, name=file.name or "")
    return {"rows": result.rows, "amount": result.amount, "projects": result.projects}


@router.get("/excel/report", auth=api_auth, summary="Biểu tình hình giải ngân (Excel)")
def excel_report(request, params: Query[ReportIn]):
    year = _year(params.year)
    as_of = params.as_of or timezone.localdate()
    output = excel.report_workbook(request.auth, year=year, as_of=as_of)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"bieu-giai-ngan-{year}-{as_of:%Y%m%d}.xlsx",
        content_type=excel.XLSX_TYPE,
    )


@router.get("/oc4ids", auth=api_auth, summary="Gói dữ liệu dự án OC4IDS 0.9.5")
def oc4ids_package(request):
    response = StreamingHttpResponse(
        oc4ids.package_chunks(request.auth, uri=public_url(request.get_full_path())),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="oc4ids-du-an.json"'
    return response
