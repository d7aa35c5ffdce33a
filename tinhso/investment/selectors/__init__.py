"""Investment reads. Every read starts from ``restrict(user, action)``."""

from __future__ import annotations

from django.db.models import QuerySet

from tinhso.core.selectors import get_object_for
from tinhso.investment.models import Alert, Disbursement, PlanLine, Project


def projects_for(
    user, *, search: str = "", owner_id=None, unit_id=None, tier: str = ""
) -> QuerySet:
    """The projects ``user`` reaches, with owner and unit joined, filtered as asked."""
    queryset = Project.objects.restrict(user, "view").select_related("owner", "unit")
    if search:
        from django.db.models import Q

        queryset = queryset.filter(Q(code__icontains=search) | Q(name__icontains=search))
    if owner_id:
        queryset = queryset.filter(owner_id=owner_id)
    if unit_id:
        queryset = queryset.filter(unit_id=unit_id)
    if tier:
        queryset = queryset.filter(tier=tier)
    return queryset


def project_for(user, *, code: str | None = None, pk: int | None = None) -> Project:
    """One project by code or id; missing and out of scope both raise NotFound."""
    lookup = {"code": code} if code is not None else {"pk": pk}
    return get_object_for(user, Project, **lookup)


def plan_lines_for(user, project: Project) -> QuerySet:
    return PlanLine.objects.restrict(user, "view").filter(project=project).select_related("plan")


def disbursements_for(user, project: Project) -> QuerySet:
    return (
        Disbursement.objects.restrict(user, "view")
        .filter(project=project)
        .select_related("plan_line")
    )


def alerts_for(user, *, open_only: bool = True, project: Project | None = None) -> QuerySet:
    queryset = Alert.objects.restrict(user, "view").select_related("project", "project__owner")
    if open_only:
        queryset = queryset.filter(closed_at__isnull=True)
    if project is not None:
        queryset = queryset.filter(project=project)
    return queryset
