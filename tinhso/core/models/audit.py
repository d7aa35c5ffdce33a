from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.choices import Role
from tinhso.core.querysets import RestrictedQuerySet


class AuditEvent(models.Model):
    """One change, written by the service that made it, in the same transaction.

    Events form a hash chain: ``hash`` covers this event's fields and the
    previous event's hash, so editing or deleting any event breaks every later
    link (``tinhso audit verify``). Actors are stored by id and label, not as a
    foreign key, so that deleting a user cannot rewrite history.
    """

    occurred_at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor_id = models.BigIntegerField(_("mã người thực hiện"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("người thực hiện"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=64, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=64, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    @classmethod
    def scope_q(cls, user, action: str) -> Q | bool | None:
        if user.role == Role.IT_ADMIN:
            return None
        return Q(actor_id=user.pk)


class AuditChainHead(models.Model):
    """A single row holding the chain's last hash; locking it orders concurrent writers."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.last_id}:{self.last_hash[:12]}"
