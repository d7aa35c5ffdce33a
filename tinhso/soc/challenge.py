"""The challenge page for challenge decisions (docs/soc.md, "Challenge").

A client under a challenge decision gets, instead of the page it asked for, HTTP 403
with this page (an API client gets JSON ``soc_challenge_required``). The browser proves
it spent about a second of work: a proof-of-work in the ALTCHA format (find the number n
with SHA-256(salt + n) = challenge, n ≤ TINHSO_SOC_CHALLENGE_MAX_NUMBER), created and
verified by the ``altcha`` library (HMAC-signed, expiring, bound to the address and the
decision in its salt) and solved by the platform's own script with SubtleCrypto. Without
JavaScript (or without SubtleCrypto, which browsers offer only over HTTPS or on
localhost) the page asks a small sum in words. Nothing is fetched from elsewhere.

A right answer sets a signed cookie bound to the address and the decision id (HttpOnly,
SameSite=Lax, Secure when the session cookie is), which lets the client through until the
decision or the cookie expires; checking it is a signature check, no database query.
Wrong answers are counted per address; TINHSO_SOC_CHALLENGE_MAX_FAILURES of them turn the
challenge into a ban (``decision_create``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from datetime import UTC, datetime, timedelta

import altcha
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tinhso.core.exceptions import TinhsoError
from tinhso.core.responses import error_body, error_response, wants_json
from tinhso.core.text import fold
from tinhso.soc import conf

log = logging.getLogger(__name__)

COOKIE = "tinhso_soc_pass"
_PASS_SALT = "tinhso.soc.challenge.pass"  # noqa: S105  (a signing namespace, not a secret)
_QUESTION_SALT = "tinhso.soc.challenge.question"
_USED_PREFIX = "tinhso:soc:challenge:used:"
_FAIL_PREFIX = "tinhso:soc:challenge:fail:"
# Paths a challenged client may still reach: the challenge itself and the language switch.
EXEMPT_PATHS = ("/soc/xac-minh/", "/i18n/setlang/")

# Sums up to ten, asked in words; the answer may be given in digits or in words.
NUMBER_WORDS = [
    pgettext_lazy("number", "không"),
    pgettext_lazy("number", "một"),
    pgettext_lazy("number", "hai"),
    pgettext_lazy("number", "ba"),
    pgettext_lazy("number", "bốn"),
    pgettext_lazy("number", "năm"),
    pgettext_lazy("number", "sáu"),
    pgettext_lazy("number", "bảy"),
    pgettext_lazy("number", "tám"),
    pgettext_lazy("number", "chín"),
    pgettext_lazy("number", "mười"),
]
_ANSWER_WORDS = {
    **{w: i for i, w in enumerate("khong mot hai ba bon nam sau bay tam chin muoi".split())},
    "tu": 4,
    "linh": 0,
    **{w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())},
}


class ChallengeRequired(TinhsoError):
    status = 403
    code = "soc_challenge_required"
    default_message = _(
        "Cần xác minh trình duyệt trước khi tiếp tục. Hãy mở trang này trong trình duyệt để xác minh."
    )


class ChallengeFailed(TinhsoError):
    status = 403
    code = "soc_challenge_failed"
    default_message = _("Xác minh chưa thành công. Vui lòng thử lại.")


# --- the pass cookie ---------------------------------------------------------------------


def pass_token(*, ip: str, decision_id: int) -> str:
    return signing.dumps({"ip": ip, "d": decision_id}, salt=_PASS_SALT)


def has_pass(request, *, ip: str, decision_id: int) -> bool:
    """True when the request carries a valid pass for this address and this decision."""
    value = request.COOKIES.get(COOKIE)
    if not value:
        return False
    try:
        data = signing.loads(
            value, salt=_PASS_SALT, max_age=conf.get("TINHSO_SOC_CHALLENGE_PASS_SECONDS")
        )
    except signing.BadSignature:  # also SignatureExpired
        return False
    return isinstance(data, dict) and data.get("ip") == ip and data.get("d") == decision_id


def is_exempt(path: str) -> bool:
    return path in EXEMPT_PATHS


# --- proof of work (ALTCHA format) -------------------------------------------------------


def _hmac_key() -> str:
    return salted_hmac("tinhso.soc.challenge.pow", "altcha").hexdigest()


def pow_challenge(*, ip: str, decision_id: int) -> dict:
    """A signed, expiring challenge for this address and decision, as the page's script
    reads it (``algorithm``, ``challenge``, ``maxNumber``, ``salt``, ``signature``)."""
    challenge = altcha.create_challenge_v1(
        hmac_key=_hmac_key(),
        max_number=int(conf.get("TINHSO_SOC_CHALLENGE_MAX_NUMBER")),
        expires=datetime.now(UTC) + timedelta(seconds=conf.get("TINHSO_SOC_CHALLENGE_SECONDS")),
        params={"ip": ip, "d": str(decision_id)},
    )
    return challenge.to_dict()


def _first_use(kind: str, nonce: str) -> bool:
    """A solved challenge or answered question counts once (replays are refused)."""
    key = _USED_PREFIX + kind + ":" + hashlib.sha256(nonce.encode()).hexdigest()[:32]
    return cache.add(key, 1, conf.get("TINHSO_SOC_CHALLENGE_SECONDS") + 60)


def verify_pow(payload: str, *, ip: str, decision_id: int) -> bool:
    if not payload or len(payload) > 4096:
        return False
    try:
        parsed = altcha.PayloadV1.from_base64(payload)
        ok, _error = altcha.verify_solution_v1(parsed, _hmac_key(), check_expires=True)
        if not ok:
            return False
        _nonce, expires, params = parsed.parse_salt()
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
    if expires is None:
        return False
    if params.get("ip") != [ip] or params.get("d") != [str(decision_id)]:
        return False
    return _first_use("pow", parsed.salt)


# --- the question (no JavaScript) --------------------------------------------------------


def _answer_digest(nonce: str, answer: int) -> str:
    return salted_hmac(_QUESTION_SALT, f"{nonce}:{answer}").hexdigest()


def new_question(*, ip: str, decision_id: int) -> tuple[str, str]:
    """(question text in the active language, signed token carrying only a digest of the
    answer)."""
    a, b = secrets.randbelow(5) + 1, secrets.randbelow(5) + 1
    nonce = secrets.token_hex(12)
    token = signing.dumps(
        {"ip": ip, "d": decision_id, "n": nonce, "h": _answer_digest(nonce, a + b)},
        salt=_QUESTION_SALT,
    )
    text = str(_("%(a)s cộng %(b)s bằng bao nhiêu?") % {"a": NUMBER_WORDS[a], "b": NUMBER_WORDS[b]})
    return text[:1].upper() + text[1:], token


def parse_answer(text: str) -> int | None:
    """'7', ' bảy ', 'bay', 'seven' → 7; anything else → None."""
    text = fold(text or "")[:20]
    if text.isdigit():
        return int(text)
    return _ANSWER_WORDS.get(text)


def verify_question(token: str, answer: str, *, ip: str, decision_id: int) -> bool:
    try:
        data = signing.loads(
            token or "", salt=_QUESTION_SALT, max_age=conf.get("TINHSO_SOC_CHALLENGE_SECONDS")
        )
    except signing.BadSignature:
        return False
    if not isinstance(data, dict) or data.get("ip") != ip or data.get("d") != decision_id:
        return False
    number = parse_answer(answer)
    if number is None or not constant_time_compare(
        _answer_digest(str(data.get("n")), number), str(data.get("h"))
    ):
        return False
    return _first_use("question", str(data.get("n")))


# --- failures ------------------------------------------------------------------------------


def record_failure(*, ip: str, active) -> bool:
    """Count a wrong answer from ``ip``; True when that made it a ban."""
    key = _FAIL_PREFIX + ip
    window = max(60, int(active.expires - time.time()))
    if cache.add(key, 1, window):
        failures = 1
    else:
        try:
            failures = cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)
            failures = 1
    limit = conf.get("TINHSO_SOC_CHALLENGE_MAX_FAILURES")
    if failures < limit:
        return False
    from tinhso.soc.services import decision_create

    cache.delete(key)
    with translation.override(settings.LANGUAGE_CODE):  # stored reasons are in Vietnamese
        reason = str(_("Trả lời sai thử thách xác minh %(n)s lần.") % {"n": failures})
    decision = decision_create(
        scope="ip",
        value=ip,
        kind="ban",
        reason=reason,
        rule="challenge-failed",
        evidence=[{"challenge_decision": active.id, "failures": failures}],
    )
    return decision is not None


# --- responses -----------------------------------------------------------------------------


def challenge_url(request) -> str:
    return reverse("soc_public:challenge") + "?" + _next_query(request.get_full_path())


def _next_query(next_url: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": next_url})


def safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/"


def render_page(request, *, ip: str, active, next_url: str, error: str = "", status: int = 403):
    question, token = new_question(ip=ip, decision_id=active.id)
    context = {
        "pow": pow_challenge(ip=ip, decision_id=active.id),
        "question": question,
        "question_token": token,
        "next": next_url,
        "error": error,
        "error_code": ChallengeFailed.code if error else ChallengeRequired.code,
        "request_id": getattr(request, "request_id", ""),
    }
    html = render_to_string("soc/challenge.html", context, request=request)
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def challenge_response(request, *, ip: str, active):
    """What a challenged request gets instead of its page: the challenge (403)."""
    if wants_json(request):
        error = ChallengeRequired(details={"challenge_url": challenge_url(request)})
        response = JsonResponse(
            error_body(request, error),
            status=error.status,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render_page(request, ip=ip, active=active, next_url=request.get_full_path())
    response["Cache-Control"] = "no-store"
    return response


def _active_for(request, ip: str):
    from tinhso.soc.enforcement import DECISIONS

    DECISIONS.refresh()
    active = DECISIONS.lookup_ip(ip)
    if active is None and DECISIONS.users:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            active = DECISIONS.lookup_user(user.get_username())
    return active


def challenge_view(request):
    """GET: the challenge page. POST: a solved proof-of-work (``altcha``) or the answer to
    the question (``token`` + ``answer``); on success the pass cookie and a redirect to
    ``next``."""
    ip = conf.client_ip(request)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    active = _active_for(request, ip)
    if (
        active is None
        or active.kind != "challenge"
        or has_pass(request, ip=ip, decision_id=active.id)
    ):
        return HttpResponseRedirect(next_url)
    if request.method != "POST":
        return render_page(request, ip=ip, active=active, next_url=next_url, status=200)
    if "altcha" in request.POST:
        ok = verify_pow(request.POST.get("altcha", ""), ip=ip, decision_id=active.id)
    else:
        ok = verify_question(
            request.POST.get("token", ""),
            request.POST.get("answer", ""),
            ip=ip,
            decision_id=active.id,
        )
    if not ok:
        if record_failure(ip=ip, active=active):
            from tinhso.soc.middleware import AccessBlocked

            return error_response(request, AccessBlocked())
        return render_page(
            request,
            ip=ip,
            active=active,
            next_url=next_url,
            error=str(ChallengeFailed.default_message),
        )
    response = HttpResponseRedirect(next_url)
    response.status_code = 303
    remaining = int(active.expires - time.time())
    response.set_cookie(
        COOKIE,
        pass_token(ip=ip, decision_id=active.id),
        max_age=max(1, min(conf.get("TINHSO_SOC_CHALLENGE_PASS_SECONDS"), remaining)),
        httponly=True,
        samesite="Lax",
        secure=bool(settings.SESSION_COOKIE_SECURE or request.is_secure()),
        path="/",
    )
    response["Cache-Control"] = "no-store"
    cache.delete(_FAIL_PREFIX + ip)
    return response
