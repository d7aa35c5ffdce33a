import pytest
from django.test import override_settings

from tinhso.core.choices import Role
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.core.models import AuditEvent, User
from tinhso.soc.enforcement import DECISIONS
from tinhso.soc.models import Decision
from tinhso.soc.services import decision_create, decision_revoke

pytestmark = pytest.mark.django_db(transaction=False)


def _ban(value="203.0.113.20", **kw):
    kw.setdefault("reason", "brute-force: " + value)
    return decision_create(scope=kw.pop("scope", "ip"), value=value, rule="brute-force", **kw)


@override_settings(
    TINHSO_SOC_BAN_SECONDS=600, TINHSO_SOC_ESCALATION_FACTOR=4, TINHSO_SOC_BAN_MAX_SECONDS=20_000
)
def test_repeat_offenders_get_longer_bans_up_to_the_cap():
    ttls = [_ban().ttl_seconds for _ in range(4)]
    assert ttls == [600, 2400, 9600, 20_000]
    assert [d.offence for d in Decision.objects.order_by("created_at", "pk")] == [1, 2, 3, 4]
    assert _ban("203.0.113.21").ttl_seconds == 600  # another address starts again


def test_decision_says_why_and_is_audited(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision = _ban(evidence=[{"url": "/dang-nhap/"}])
    assert decision.reason.startswith("brute-force") and decision.evidence == [
        {"url": "/dang-nhap/"}
    ]
    assert decision.is_active
    assert AuditEvent.objects.filter(action="soc.decision", object_id=str(decision.pk)).exists()
    assert DECISIONS.lookup_ip("203.0.113.20") is not None


@override_settings(TINHSO_SOC_ALLOWLIST=["198.51.100.0/24"])
def test_allowlisted_addresses_and_trusted_proxies_are_never_banned():
    assert _ban("198.51.100.77") is None
    assert _ban("127.0.0.1") is None
    assert not Decision.objects.exists()


def test_bad_scope_value_is_refused():
    with pytest.raises(ValidationError):
        _ban("not-an-address")
    assert _ban("203.0.113.0/24", scope="range").value == "203.0.113.0/24"
    assert _ban("203.0.113.5/24", scope="range").value == "203.0.113.0/24"


def test_only_it_admins_decide_by_hand(django_capture_on_commit_callbacks):
    officer = User(username="canbo.soc", role=Role.DESK_OFFICER)
    with pytest.raises(PermissionDenied):
        _ban(actor=officer)
    admin = User(username="quantri.soc", role=Role.IT_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        decision = _ban(actor=admin)
    DECISIONS.reload()
    assert DECISIONS.lookup_ip("203.0.113.20") is not None
    with django_capture_on_commit_callbacks(execute=True):
        decision_revoke(actor=admin, decision=decision)
    DECISIONS.refresh()
    assert DECISIONS.lookup_ip("203.0.113.20") is None
