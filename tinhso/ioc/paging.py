"""One page of a drill-down list, bounded whatever the number of dossiers behind it.

A province-year holds about a million dossiers: an exact ``COUNT(*)`` of the
largest numbers and a page sorted and joined over all of them took seconds each
(docs/performance.md, "Decision 766 indicators"). So:

- the count stops at ``COUNT_CAP`` (``capped`` says the list holds more; the exact
  number is the one on the indicators page, from the aggregate);
- "next page" comes from asking for one row more than the page, not from the count;
- the page's ids are chosen on the dossier table alone, and only those rows are
  read with their procedure and agency (as the inbox lists do).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

COUNT_CAP = 10_000


@dataclass
class DrillPage:
    rows: list
    count: int  # exact when not ``capped``, else COUNT_CAP
    capped: bool
    has_next: bool


def page_of(queryset: QuerySet, *, page: int, size: int, related=()) -> DrillPage:
    """Page ``page`` (from 1) of ``size`` rows of ``queryset``, in its order."""
    offset = (page - 1) * size
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + size + 1])
    has_next = len(ids) > size
    ids = ids[:size]
    # The same queryset (scope and conditions), narrowed to the page's ids.
    by_id = {row.pk: row for row in queryset.filter(pk__in=ids).select_related(*related).order_by()}
    rows = [by_id[pk] for pk in ids]
    counted = queryset.order_by()[: COUNT_CAP + 1].count()
    return DrillPage(
        rows=rows,
        count=min(counted, COUNT_CAP),
        capped=counted > COUNT_CAP,
        has_next=has_next,
    )
