"""Reads of citizens. Every read starts from ``Citizen.objects.restrict``."""

from __future__ import annotations

from django.db.models import QuerySet

from tinhso.core.models import Citizen
from tinhso.core.selectors import get_object_for
from tinhso.core.text import normalise
from tinhso.core.validators import normalise_id_number


def citizen_list_for(user, *, q: str | None = None) -> QuerySet[Citizen]:
    """Citizens ``user`` may see, optionally searched.

    ``q`` made of 12 digits finds that exact ID number; anything else matches
    the name (case-insensitive; accents must be typed).
    """
    rows = Citizen.objects.restrict(user, "view")
    text = normalise(q)
    if text:
        digits = normalise_id_number(text)
        if digits.isascii() and digits.isdigit() and len(digits) == 12:
            rows = rows.filter(id_number=digits)
        else:
            rows = rows.filter(full_name__icontains=text)
    return rows.order_by("full_name", "id")


def get_citizen_for(user, citizen_id) -> Citizen:
    """The citizen if ``user`` may see them; NotFound alike for missing and out of scope."""
    return get_object_for(user, Citizen, pk=citizen_id)
