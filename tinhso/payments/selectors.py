"""Payment reads, always from the dossiers the user may see."""

from __future__ import annotations

from tinhso.core.choices import Role
from tinhso.core.exceptions import NotFound
from tinhso.dossiers.models import Dossier
from tinhso.payments.choices import PaymentStatus
from tinhso.payments.models import PaymentRequest


def payment_get_for_payer(user, reference: str) -> PaymentRequest:
    """A request the citizen ``user`` may pay: of their own dossier; else the same 404."""
    reference = str(reference or "").strip()[:40]
    if getattr(user, "role", None) != Role.CITIZEN:
        raise NotFound()
    payment = (
        PaymentRequest.objects.select_related("dossier", "dossier__procedure")
        .filter(reference=reference, dossier__in=Dossier.objects.restrict(user, "view"))
        .first()
    )
    if payment is None:
        raise NotFound()
    return payment


def payments_of_dossier(user, dossier) -> list[PaymentRequest]:
    """The payment requests of a dossier ``user`` reaches (the caller found the dossier so)."""
    if not Dossier.objects.restrict(user, "view").filter(pk=dossier.pk).exists():
        return []
    return list(PaymentRequest.objects.filter(dossier=dossier).order_by("-requested_at", "-id"))


def payment_get_for(user, reference: str) -> PaymentRequest:
    """A request of a dossier ``user`` may see (citizen or official); else the same 404."""
    reference = str(reference or "").strip()[:40]
    payment = (
        PaymentRequest.objects.select_related(
            "dossier",
            "dossier__procedure",
            "dossier__applicant",
            "dossier__competent_organisation",
            "dossier__competent_organisation__unit",
            "dossier__competent_organisation__parent",
        )
        .filter(reference=reference, dossier__in=Dossier.objects.restrict(user, "view"))
        .first()
    )
    if payment is None:
        raise NotFound()
    return payment


def visible_dossier_codes(user, codes) -> set[str]:
    """Of ``codes``, those of dossiers ``user`` may see."""
    return set(
        Dossier.objects.restrict(user, "view")
        .filter(code__in=[c for c in codes if c])
        .values_list("code", flat=True)
    )


def dossier_ids_with_payment_requests(*, paid_online: bool = False):
    """A subquery of the dossiers asked to pay fees through the platform (for counting).

    Any request counts, whatever became of it (paid, expired, cancelled: e.g. paid
    at the desk instead); with ``paid_online`` only the dossiers with a request
    paid through the gateway. The caller restricts the dossiers it counts.
    """
    requests = PaymentRequest.objects.all()
    if paid_online:
        requests = requests.filter(status=PaymentStatus.PAID)
    return requests.values("dossier_id")
