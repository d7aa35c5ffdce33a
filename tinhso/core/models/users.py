from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import Role
from tinhso.core.querysets import RestrictedQuerySet


class RestrictedUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: a citizen or an official.

    An official acts for one ``organisation`` and within ``units`` (the
    administrative units their scope covers); a leader's scope is a unit and its
    subtree. A citizen is linked to their ``Citizen`` identity.
    """

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    units = models.ManyToManyField(
        "core.AdministrativeUnit",
        verbose_name=_("phạm vi đơn vị hành chính"),
        blank=True,
        related_name="+",
    )
    citizen = models.OneToOneField(
        "core.Citizen",
        verbose_name=_("công dân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    totp_secret = models.CharField(_("khoá TOTP"), max_length=64, blank=True)
    totp_confirmed_at = models.DateTimeField(_("xác nhận TOTP lúc"), null=True, blank=True)

    objects = RestrictedUserManager()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.role != Role.CITIZEN

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        if user.role == Role.IT_ADMIN:
            return None
        if user.role in (Role.HEAD, Role.LEADER) and user.organisation_id:
            return Q(organisation_id=user.organisation_id) | Q(pk=user.pk)
        return Q(pk=user.pk)


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash of the secret is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    prefix = models.CharField(_("tiền tố"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        if user.role == Role.IT_ADMIN:
            return None
        return Q(user_id=user.pk)
