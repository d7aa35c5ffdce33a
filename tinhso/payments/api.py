"""Payment API: the gateway's IPN (server-to-server callback), public and signature-checked."""

from __future__ import annotations

import json

from django.http import JsonResponse
from ninja import Router

from tinhso.payments.services import payment_callback_handle

router = Router(tags=["payments"])


@router.get("/ipn", auth=None, include_in_schema=True)
def ipn_get(request):
    """VNPAY calls the IPN with GET and the signed parameters in the query."""
    _callback, answer = payment_callback_handle(params=dict(request.GET.items()), source="ipn")
    return JsonResponse(answer)


@router.post("/ipn", auth=None)
def ipn_post(request):
    """The same with the parameters in a JSON object body (or the query)."""
    params = dict(request.GET.items())
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = {}
    if isinstance(body, dict):
        params.update({str(k): str(v) for k, v in body.items() if not isinstance(v, (dict, list))})
    _callback, answer = payment_callback_handle(params=params, source="ipn")
    return JsonResponse(answer)
