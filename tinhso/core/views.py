from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

import tinhso
from tinhso.core.exceptions import NotFound, PermissionDenied, TinhsoError
from tinhso.core.responses import error_response

log = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness and readiness in one: database reachable, migrations applied, version."""
    body: dict = {"version": tinhso.__version__, "database": "ok", "migrations": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            body["migrations"] = f"{len(pending)} pending"
            status = 503
    except DatabaseError:
        log.exception("health check: database unreachable")
        body["database"] = "unreachable"
        body["migrations"] = "unknown"
        status = 503
    body["status"] = "ok" if status == 200 else "unavailable"
    return JsonResponse(body, status=status)


def home(request):
    return render(request, "core/home.html")


def error_400(request, exception=None):
    return error_response(request, TinhsoError())


def error_403(request, exception=None):
    return error_response(request, PermissionDenied())


def error_404(request, exception=None):
    return error_response(request, NotFound())


def error_500(request):
    return error_response(
        request,
        TinhsoError(
            "Hệ thống gặp sự cố khi xử lý yêu cầu. Vui lòng thử lại sau.",
            code="server_error",
            status=500,
        ),
    )
