"""The investment errors: stable codes, Vietnamese messages (docs/errors.md)."""

from django.utils.translation import gettext_lazy as _

from tinhso.core.exceptions import Conflict, NotFound, ValidationError


class StaleVersion(Conflict):
    code = "stale_version"
    default_message = _(
        "Dự án vừa được người khác cập nhật. Hãy tải lại để xem số liệu mới rồi thử lại."
    )


class ProjectCodeTaken(Conflict):
    code = "project_code_taken"
    default_message = _("Mã dự án này đã được dùng.")


class InvalidAmount(ValidationError):
    code = "invalid_amount"
    default_message = _("Số tiền phải là số nguyên dương (đồng), không quá 1 triệu tỷ đồng.")


class PlanLineNotFound(NotFound):
    code = "plan_line_not_found"
    default_message = _("Không tìm thấy dòng kế hoạch vốn này trong các dự án của bạn.")


class PlanLineNotAnnual(ValidationError):
    code = "plan_line_not_annual"
    default_message = _("Chỉ giải ngân theo dòng kế hoạch vốn hằng năm.")


class AbovePlan(ValidationError):
    code = "disbursement_above_plan"
    default_message = _("Lũy kế giải ngân vượt kế hoạch vốn được giao.")


class DateOutsidePlan(ValidationError):
    code = "date_outside_plan"
    default_message = _(
        "Ngày giải ngân nằm ngoài năm kế hoạch và thời hạn giải ngân của kế hoạch vốn."
    )


class PlanBelowDisbursed(ValidationError):
    code = "plan_below_disbursed"
    default_message = _("Kế hoạch vốn sau điều chỉnh thấp hơn số đã giải ngân.")


class InvalidGroupOverride(ValidationError):
    code = "group_override_reason_required"
    default_message = _("Xác định nhóm dự án khác với quy định phải nêu lý do.")


class InvalidProjectData(ValidationError):
    code = "invalid_project"
    default_message = _("Thông tin dự án không hợp lệ.")


class DisbursementNotReported(Conflict):
    code = "disbursement_not_reported"
    default_message = _("Khoản giải ngân này đã được xác nhận hoặc từ chối.")


class InvalidPercent(ValidationError):
    code = "invalid_percent"
    default_message = _("Tỷ lệ phải từ 0 đến 100%.")


class ObstacleResolved(Conflict):
    code = "obstacle_resolved"
    default_message = _("Vướng mắc này đã được xử lý xong.")
