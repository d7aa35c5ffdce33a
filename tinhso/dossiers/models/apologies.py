"""Apology letters for late dossiers (phiếu xin lỗi và hẹn lại ngày trả kết quả)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApologyLetter(models.Model):
    """The agency's apology to the applicant for a dossier that will miss or has missed
    its promised date, with the new date (Circular 01/2018/TT-VPCP, form 04; docs/apologies.md).

    The dossier's ``due_at`` is left as it was: the legal deadline still decides whether
    the dossier is late (Decision 766); ``new_due_at`` is the date promised in the letter.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="apologies",
    )
    reason = models.TextField(_("lý do"))
    previous_due_at = models.DateTimeField(_("hạn đã hẹn"), null=True, blank=True)
    new_due_at = models.DateTimeField(_("hẹn lại lúc"))
    issued_at = models.DateTimeField(_("lập lúc"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    stored_file = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("tệp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phiếu xin lỗi")
        verbose_name_plural = _("phiếu xin lỗi")
        ordering = ["dossier", "issued_at", "id"]
        indexes = [models.Index(fields=["issued_at"], name="apology_issued_idx")]

    def __str__(self) -> str:
        return f"{self.dossier} ({self.issued_at:%Y-%m-%d})"
