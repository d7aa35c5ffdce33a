"""The core domain's HTTP API: one router gathering the core's parts."""

from ninja import Router

router = Router()


def _include() -> None:
    from tinhso.core.api_auth import router as auth_router

    router.add_router("", auth_router)


_include()
