"""The dossier domain's error codes (docs/workflow.md lists them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tinhso.core.exceptions import Conflict, NotFound, TinhsoError, ValidationError


class ChannelNotAllowed(ValidationError):
    code = "channel_not_allowed"
    default_message = _("Thủ tục này không cho phép nộp hồ sơ theo hình thức đã chọn.")


class ProcedureNotOnline(ValidationError):
    code = "procedure_not_online"
    default_message = _(
        "Thủ tục này chỉ cung cấp thông tin, không nộp hồ sơ trực tuyến được. "
        "Vui lòng nộp trực tiếp tại bộ phận một cửa."
    )


class ComponentMissing(ValidationError):
    code = "component_missing"
    default_message = _("Hồ sơ còn thiếu thành phần bắt buộc.")


class UnknownField(ValidationError):
    code = "unknown_field"
    default_message = _("Hồ sơ có trường hoặc thành phần không thuộc thủ tục này.")


class TooManyFiles(ValidationError):
    code = "too_many_files"
    default_message = _("Mỗi thành phần hồ sơ được đính kèm tối đa %(n)s tệp.")


class NoCompetentAgency(ValidationError):
    code = "no_competent_agency"
    default_message = _("Không xác định được cơ quan có thẩm quyền giải quyết hồ sơ này.")


class InvalidReceivingOrganisation(ValidationError):
    code = "invalid_receiving_organisation"
    default_message = _(
        "Nơi tiếp nhận phải là Trung tâm Phục vụ hành chính công hoặc Ủy ban nhân dân "
        "xã, phường trong tỉnh."
    )


class InvalidUnit(ValidationError):
    code = "invalid_unit"
    default_message = _("Đơn vị hành chính không hợp lệ cho thủ tục này.")


class IdempotencyKeyRequired(ValidationError):
    code = "idempotency_key_required"
    default_message = _(
        "Thiếu khoá chống gửi trùng (tiêu đề Idempotency-Key, 8–64 ký tự chữ, số, '-', '_')."
    )


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _("Khoá chống gửi trùng này đã được dùng cho một hồ sơ khác.")


class CitizenRequired(ValidationError):
    code = "citizen_required"
    default_message = _("Tài khoản chưa gắn với số định danh cá nhân nên chưa nộp hồ sơ được.")


class DossierNotFound(NotFound):
    code = "dossier_not_found"
    default_message = _("Không tìm thấy hồ sơ.")


class TooManyAttempts(TinhsoError):
    status = 429
    code = "too_many_attempts"
    default_message = _("Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau ít phút.")


class InvalidTarget(ValidationError):
    code = "invalid_target"
    default_message = _("Người hoặc cơ quan nhận hồ sơ không hợp lệ.")


class NoSuchStep(Conflict):
    code = "no_such_step"
    default_message = _("Quy trình không có bước tiếp theo hoặc bước trước phù hợp.")
