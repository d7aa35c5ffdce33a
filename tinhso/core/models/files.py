from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def stored_file_path(instance: StoredFile, filename: str) -> str:
    """A random name under the purpose and month: the user's name never reaches the disk."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    purpose = "".join(ch for ch in (instance.purpose or "misc") if ch.isalnum() or ch in "-_")
    return f"files/{purpose or 'misc'}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class StoredFile(models.Model):
    """An uploaded file, checked by its content and kept under a random name.

    Written only by ``tinhso.core.files.file_store``. Who may read it is decided
    by the record that points to it (a dossier, a result), not here.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("mục đích"), max_length=64, db_index=True)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("kiểu nội dung"), max_length=128)
    size = models.BigIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, db_index=True)
    file = models.FileField(_("tệp"), upload_to=stored_file_path, max_length=255)
    uploaded_by_id = models.BigIntegerField(_("mã người tải lên"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm tải lên"), default=timezone.now)

    class Meta:
        verbose_name = _("tệp đã lưu")
        verbose_name_plural = _("tệp đã lưu")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
