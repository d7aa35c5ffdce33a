"""The core domain's HTTP API: one router gathering the core's parts."""

from ninja import Router

router = Router()


def _include() -> None:
    from tinhso.core.api_auth import router as auth_router
    from tinhso.core.api_calendar import router as calendar_router
    from tinhso.core.api_organisations import router as organisations_router
    from tinhso.core.api_people import router as people_router
    from tinhso.core.api_units import router as units_router

    router.add_router("", auth_router)
    router.add_router("", calendar_router)
    router.add_router("", organisations_router)
    router.add_router("", people_router)
    router.add_router("units", units_router)


_include()
