"""Error codes of the procedure catalogue (listed in docs/procedures.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tinhso.core.exceptions import NotFound, ValidationError


class ProcedureNotFound(NotFound):
    code = "procedure_not_found"
    default_message = _("Không tìm thấy thủ tục hành chính.")


class TemplateNotFound(NotFound):
    code = "process_template_not_found"
    default_message = _("Thủ tục chưa có quy trình xử lý.")


class InvalidProcedure(ValidationError):
    code = "invalid_procedure"
    default_message = _("Thông tin thủ tục hành chính không hợp lệ.")


class InvalidProcess(ValidationError):
    """A process template that breaks a rule; ``code`` says which (process_too_long ...)."""

    code = "invalid_process"
    default_message = _("Quy trình xử lý không hợp lệ.")


class ImportInvalid(ValidationError):
    """A catalogue file with bad rows; ``details["errors"]`` lists sheet, row, column, message."""

    code = "import_invalid"
    default_message = _("Tệp danh mục thủ tục có dữ liệu không hợp lệ, không có gì được ghi.")


class ImportBadFile(ValidationError):
    code = "import_bad_file"
    default_message = _("Tệp không đọc được: cần tệp Excel (.xlsx) hoặc JSON đúng định dạng.")
