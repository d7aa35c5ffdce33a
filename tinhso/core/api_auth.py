from __future__ import annotations

from ninja import Router, Schema

from tinhso.core.auth import api_auth

router = Router(tags=["auth"])


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    organisation: str | None


@router.get("/me", response=MeOut, auth=api_auth, summary="Người dùng hiện tại")
def me(request):
    user = request.auth
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        organisation=user.organisation.name if user.organisation_id else None,
    )
