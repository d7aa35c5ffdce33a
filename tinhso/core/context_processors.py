"""Template context shared by every page.

Nothing here may query the database eagerly: error pages render through this
context too, and they must work while the database is down. The province name is
looked up once per process and only when a page asks for it; ``error.html`` asks
for ``tinhso_province_name_cached`` instead, which never queries.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

import tinhso

log = logging.getLogger(__name__)

# (province code, name) once a look-up succeeded; a process-wide memo, because
# the name of the province changes only with a reform (a restart is fine then).
_province_name_memo: dict[str, str] = {}

# The unit list version whose names the header shows.
PROVINCE_NAME_VERSION = "2025-07"


def province_name_cached() -> str:
    """The province name if already looked up in this process, else the setting default."""
    code = settings.TINHSO_PROVINCE_CODE
    return _province_name_memo.get(code) or settings.TINHSO_PROVINCE_NAME


def province_name() -> str:
    """The full name of the deployment's province (version 2025-07), or the setting default.

    A missing unit list is not cached, so loading the units later shows the real
    name without a restart; a database error falls back to the default.
    """
    code = settings.TINHSO_PROVINCE_CODE
    if code in _province_name_memo:
        return _province_name_memo[code]
    from tinhso.core.models import AdministrativeUnit

    try:
        name = (
            AdministrativeUnit.objects.filter(version=PROVINCE_NAME_VERSION, code=code)
            .values_list("full_name", flat=True)
            .first()
        )
    except DatabaseError:
        log.warning("province name: database unavailable, using the default")
        return settings.TINHSO_PROVINCE_NAME
    if not name:
        return settings.TINHSO_PROVINCE_NAME
    _province_name_memo[code] = name
    return name


def forget_province_name() -> None:
    """Drop the memo (tests, or after reloading the unit list)."""
    _province_name_memo.clear()


def platform(request):
    return {
        "tinhso_version": tinhso.__version__,
        "tinhso_province_code": settings.TINHSO_PROVINCE_CODE,
        "tinhso_province_name": SimpleLazyObject(province_name),
        "tinhso_province_name_cached": province_name_cached(),
    }
