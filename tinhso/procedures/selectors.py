"""Reads of the procedure catalogue. The catalogue is public: anyone may read active rows."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tinhso.core.text import fold
from tinhso.procedures.errors import ProcedureNotFound, TemplateNotFound
from tinhso.procedures.models import (
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureCase,
    ProcessStep,
    ProcessTemplate,
)

MAX_LIMIT = 100


def _active(user=None) -> QuerySet[Procedure]:
    return Procedure.objects.restrict(user, "view").filter(is_active=True)


def procedure_search(
    text: str = "",
    *,
    user=None,
    level: str = "",
    field: str = "",
    service_level: str = "",
    agency_kind: str = "",
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Procedure], int]:
    """Active procedures matching ``text`` and the filters, and how many match in all.

    ``text`` is folded like ``search_key`` (no diacritics, lower case), so
    "dang ky khai sinh" finds "Đăng ký khai sinh"; every word must occur, in any
    order. A national code ("1.001193") matches too. ``field`` is a field code.
    """
    queryset = _active(user).select_related("field")
    for word in fold(text).split()[:12]:
        queryset = queryset.filter(search_key__contains=word)
    if level:
        queryset = queryset.filter(level=level)
    if field:
        queryset = queryset.filter(field__code=field)
    if service_level:
        queryset = queryset.filter(service_level=service_level)
    if agency_kind:
        queryset = queryset.filter(agency_kind=agency_kind)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    total = queryset.count()
    return list(queryset.order_by("name", "national_code")[offset : offset + limit]), total


def get_procedure(national_code: str, *, user=None) -> Procedure:
    """One active procedure with its cases, fees, components and process steps prefetched.

    A missing and an inactive procedure raise the same ``NotFound``.
    """
    queryset = (
        _active(user)
        .select_related("field")
        .prefetch_related(
            Prefetch("cases", queryset=ProcedureCase.objects.order_by("order", "id")),
            Prefetch("fee_items", queryset=Fee.objects.order_by("order", "id")),
            Prefetch("components", queryset=Component.objects.order_by("order", "id")),
            Prefetch(
                "templates",
                queryset=ProcessTemplate.objects.select_related("case").prefetch_related(
                    Prefetch("steps", queryset=ProcessStep.objects.order_by("order"))
                ),
            ),
        )
    )
    procedure = queryset.filter(national_code=str(national_code).strip()).first()
    if procedure is None:
        raise ProcedureNotFound()
    return procedure


def field_list(*, user=None, with_counts: bool = False) -> list[Field]:
    """All fields, by name; with ``with_counts`` each has ``procedure_count`` (active ones)."""
    from django.db.models import Count, Q

    queryset = Field.objects.restrict(user, "view").order_by("name")
    if with_counts:
        queryset = queryset.annotate(
            procedure_count=Count("procedures", filter=Q(procedures__is_active=True))
        )
    return list(queryset)


def template_for(procedure: Procedure, case: ProcedureCase | None = None) -> ProcessTemplate:
    """The process a dossier follows: the case's own template, else the procedure's."""
    templates = ProcessTemplate.objects.filter(procedure=procedure).prefetch_related(
        Prefetch("steps", queryset=ProcessStep.objects.order_by("order"))
    )
    if case is not None:
        own = templates.filter(case=case).first()
        if own is not None:
            return own
    template = templates.filter(case__isnull=True).first()
    if template is None:
        raise TemplateNotFound()
    return template
