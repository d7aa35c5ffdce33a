from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import Role, Sex
from tinhso.core.querysets import RestrictedQuerySet
from tinhso.core.validators import mask_id_number, validate_cccd


class Citizen(models.Model):
    """A person known to the platform, keyed by their 12-digit citizen ID (CCCD).

    Only what the services need is kept: no address history, no family, no photo.
    The number is shown masked everywhere but on the person's own pages.
    """

    id_number = models.CharField(
        _("số định danh cá nhân (CCCD)"), max_length=12, unique=True, validators=[validate_cccd]
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("công dân")
        verbose_name_plural = _("công dân")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.masked_id_number})"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        if user.role == Role.CITIZEN:
            return Q(pk=user.citizen_id) if user.citizen_id else False
        # Officers reach people through the dossiers they handle; the register
        # itself is open to them read-only (masked), and to IT administrators.
        return None
