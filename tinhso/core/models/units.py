from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import MergeKind, UnitLevel, UnitVersion
from tinhso.core.querysets import RestrictedQuerySet

# The reform of 1 July 2025: the three-tier list was in force until the day
# before, the two-tier list from that day on.
REFORM_DATE = dt.date(2025, 7, 1)
PRE_REFORM_LAST_DAY = dt.date(2025, 6, 30)


class AdministrativeUnit(models.Model):
    """A province, district or commune as published in one version of the unit list.

    A code is reused across versions for different places (30307 was Phường Mỹ
    Hòa and is now Phường Long Xuyên), so a unit is identified by (version, code)
    and carries the dates it was in force. History is never overwritten: a
    reform adds a version and ``UnitSuccession`` rows.
    """

    version = models.CharField(_("phiên bản danh mục"), max_length=7, choices=UnitVersion.choices)
    code = models.CharField(_("mã"), max_length=5)
    name = models.CharField(_("tên"), max_length=100)
    full_name = models.CharField(_("tên đầy đủ"), max_length=120)
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    type = models.CharField(_("loại"), max_length=32)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # fold(full_name) and fold(name): diacritic-free keys for search and ranking.
    search_key = models.CharField(max_length=120, db_index=True, editable=False)
    name_key = models.CharField(max_length=100, default="", editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unit_version_code_unique")
        ]
        indexes = [models.Index(fields=["code", "valid_from"], name="unit_code_from_idx")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        # The unit list is public reference data.
        return None


class UnitSuccession(models.Model):
    """One row of the official old→new conversion table of a reform.

    ``merge`` says whether the whole old unit went into ``new_unit`` (full) or
    only part of it (partial; the old unit then has a row per receiving unit).
    ``old_unit`` is empty only where the table names something that was not a
    commune: five island districts without communes and the Kim Sơn alluvial
    area. ``old_label`` keeps the name as written and ``old_parent`` the old
    district, so those rows stay attached to the old tree.
    """

    old_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("đơn vị cũ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successions",
    )
    old_label = models.CharField(_("tên đơn vị cũ"), max_length=200)
    old_parent = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("đơn vị cấp trên của đơn vị cũ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("đơn vị mới"),
        on_delete=models.PROTECT,
        related_name="sources",
    )
    merge = models.CharField(_("hình thức"), max_length=10, choices=MergeKind.choices)
    effective_on = models.DateField(_("ngày hiệu lực"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuyển đổi đơn vị hành chính")
        verbose_name_plural = _("chuyển đổi đơn vị hành chính")
        ordering = ["old_label", "new_unit__code"]
        constraints = [
            # A commune appears once per receiving unit.
            models.UniqueConstraint(
                fields=["old_unit", "new_unit"],
                condition=Q(old_unit__isnull=False),
                name="succession_old_new_unique",
            ),
            # Rows without an old commune are told apart by label and old district.
            models.UniqueConstraint(
                fields=["old_label", "old_parent", "new_unit"],
                condition=Q(old_unit__isnull=True),
                name="succession_label_new_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_label} → {self.new_unit.full_name} ({self.get_merge_display()})"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        return None
