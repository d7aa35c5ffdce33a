"""Signed results of dossiers (kết quả điện tử), kept for the citizen."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.dossiers.choices import ResultSource


class DossierResult(models.Model):
    """The signed PDF result of a dossier, verifiable by its public token.

    ``token`` is a random, non-guessable code (not the dossier code) used in the
    public verification address ``/xac-thuc-ket-qua/<token>/`` printed as a QR
    code on the document. ``sha256`` is the digest of the stored signed file:
    a file presented for verification must be byte-identical to it and its
    signature must verify (``tinhso.core.signing.verify_pdf``). The result
    belongs to the dossier's applicant, who may reuse it as a paper in a later
    dossier (``tinhso.dossiers.results``).
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="result",
    )
    stored_file = models.ForeignKey(
        "core.StoredFile", verbose_name=_("tệp"), on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    token = models.CharField(_("mã xác thực"), max_length=64, unique=True)
    source = models.CharField(_("nguồn"), max_length=16, choices=ResultSource.choices)
    signer_name = models.CharField(_("cơ quan ký"), max_length=255)
    signer_identifier_code = models.CharField(_("mã định danh cơ quan ký"), max_length=64)
    signer_serial = models.CharField(_("số hiệu chứng thư"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("ký lúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("kết quả điện tử")
        verbose_name_plural = _("kết quả điện tử")
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.sha256[:12]}"
