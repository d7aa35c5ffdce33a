"""Choices of one-stop dossiers (stored values English, labels Vietnamese)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    """The ten statuses deployed one-stop systems use (DESIGN.md; docs/workflow.md)."""

    NEW = "new", _("Mới nộp, chờ tiếp nhận")
    RECEIVED = "received", _("Đã tiếp nhận")
    REFUSED = "refused", _("Từ chối")
    PROCESSING = "processing", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    FINANCIAL_OBLIGATION = "financial_obligation", _("Chờ thực hiện nghĩa vụ tài chính")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")
    PROCESSED = "processed", _("Đã có kết quả, chờ trả")
    RETURNED = "returned", _("Đã trả kết quả")


# Statuses in which the agency's clock runs or is paused (the dossier is open).
OPEN_STATUSES = frozenset(
    {
        DossierStatus.NEW,
        DossierStatus.RECEIVED,
        DossierStatus.PROCESSING,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.FINANCIAL_OBLIGATION,
    }
)
# Statuses counted against the deadline (received and not finished).
RUNNING_STATUSES = frozenset(
    {DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.FINANCIAL_OBLIGATION}
)
FINAL_STATUSES = frozenset(
    {
        DossierStatus.REFUSED,
        DossierStatus.WITHDRAWN,
        DossierStatus.STOPPED,
        DossierStatus.RETURNED,
    }
)


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    IN_PERSON = "in_person", _("Trực tiếp")
    POST = "post", _("Qua bưu chính")


class ResultSource(models.TextChoices):
    """How a dossier's signed result came to the platform."""

    GENERATED = "generated", _("Hệ thống tạo và ký")
    UPLOADED = "uploaded", _("Cán bộ tải lên tệp đã ký")
