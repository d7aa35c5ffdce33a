from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import OrganisationKind
from tinhso.core.querysets import RestrictedQuerySet


class Organisation(models.Model):
    """An agency: a department, a commune people's committee, a public-service centre ...

    ``identifier_code`` is the agency's electronic identifier (mã định danh điện
    tử, Decision 20/2020/QĐ-TTg); it is what dossier codes start with.
    """

    identifier_code = models.CharField(_("mã định danh"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=64, blank=True)
    kind = models.CharField(_("loại"), max_length=32, choices=OrganisationKind.choices)
    unit = models.ForeignKey(
        "core.AdministrativeUnit",
        verbose_name=_("đơn vị hành chính phục vụ"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    search_key = models.CharField(max_length=255, db_index=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from tinhso.core.text import fold, normalise

        self.name = normalise(self.name)
        # The short name ("STP") is searchable too.
        self.search_key = fold(f"{self.name} {self.short_name}")[:255]
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        # The list of agencies is public; changing it is for IT administrators
        # (decided by core.permissions before this is asked).
        return None
