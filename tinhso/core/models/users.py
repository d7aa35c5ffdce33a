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

    @property
    def totp_enabled(self) -> bool:
        return bool(self.totp_secret and self.totp_confirmed_at)

    def scope_unit_ids(self):
        """Administrative units this user's scope covers (None: no limit); see core.permissions."""
        from tinhso.core.permissions import scope_unit_ids

        return scope_unit_ids(self)

    def scope_organisation_ids(self):
        """Organisations this user acts for (None: no limit); see core.permissions."""
        from tinhso.core.permissions import organisation_ids

        return organisation_ids(self)

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        from tinhso.core.permissions import organisation_ids

        if user.role == Role.IT_ADMIN:
            return None
        own = Q(pk=user.pk)
        if action != "view" or user.role == Role.CITIZEN:
            # Nobody but an IT administrator changes another person's account.
            return own
        # Officials see the accounts of the organisations they act for.
        organisations = organisation_ids(user)
        return (own | Q(organisation_id__in=organisations)) if organisations else own


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
        # Tokens are personal: an IT administrator may list and revoke anyone's.
        if user.role == Role.IT_ADMIN:
            return None
        return Q(user_id=user.pk)

    @property
    def is_usable(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and self.expires_at > timezone.now()
