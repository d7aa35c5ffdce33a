"""Demo incidents for the analyst console (``quantri``): made through the services, from
documentation addresses (RFC 5737), so the console is not empty on a fresh demo."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tinhso.core.choices import Role
from tinhso.soc import services
from tinhso.soc.models import Incident

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def _event(at, ip, method, url, status, *, ua=BROWSER, user="", outcome="") -> dict:
    return {
        "time": at.isoformat(),
        "source_ip": ip,
        "user": user,
        "host": "dichvucong.haiphong.gov.vn",
        "method": method,
        "url": url,
        "status": status,
        "bytes": 0,
        "user_agent": ua,
        "outcome": outcome,
        "message": "",
        "source": "platform",
    }


def _fire(*, rule, severity, ip, evidence, user="", decide=True, scope="ip"):
    key = user if scope == "user" else ip
    alert = services.alert_create(
        rule=rule,
        severity=severity,
        summary=f"{rule}: {key}",
        source_ip=ip,
        user=user,
        evidence=evidence,
        scope=scope,
    )
    if decide:
        services.decision_create(
            scope=scope,
            value=key,
            reason=f"{rule}: {key}",
            rule=rule,
            evidence=evidence,
            alert=alert,
        )
    return alert


def soc_demo_seed() -> int:
    """The demo's incidents; returns how many were made (0 when some already exist)."""
    if Incident.objects.exists():
        return 0
    now = timezone.now()
    with transaction.atomic():
        # A scanner probing for well-known files, then banned by scan-404.
        ip = "203.0.113.45"
        paths = ["/wp-login.php", "/.env", "/phpmyadmin/", "/.git/config", "/admin/config.php"]
        _fire(
            rule="scan-404",
            severity="medium",
            ip=ip,
            evidence=[
                _event(now - timedelta(minutes=42, seconds=9 - i), ip, "GET", p, 404, ua="Nuclei")
                for i, p in enumerate(paths)
            ],
        )
        # A client guessing passwords on the sign-in page, banned by brute-force.
        ip = "198.51.100.23"
        _fire(
            rule="brute-force",
            severity="high",
            ip=ip,
            evidence=[
                _event(
                    now - timedelta(minutes=17, seconds=30 - 6 * i),
                    ip,
                    "POST",
                    "/dang-nhap/",
                    401,
                    user=name,
                    outcome="login_failed",
                )
                for i, name in enumerate(["admin", "quantri", "motcua", "admin1", "canbo"])
            ],
        )
        # SQL injection attempts in the procedure search, refused and then banned.
        ip = "203.0.113.66"
        payloads = [
            "/thu-tuc-hanh-chinh/?q=1%27+union+select+username,password+from+core_user--",
            "/thu-tuc-hanh-chinh/?q=%27+or+1%3D1--",
            "/tra-cuu-ho-so/?ma=1%27%3Bselect+pg_sleep(5)--",
        ]
        _fire(
            rule="web-attack",
            severity="high",
            ip=ip,
            evidence=[
                _event(now - timedelta(minutes=5, seconds=20 - 5 * i), ip, "GET", url, 403)
                for i, url in enumerate(payloads)
            ],
        )
        _fire(
            rule="scan-distinct-paths",
            severity="critical",
            ip=ip,
            decide=False,
            evidence=[
                _event(now - timedelta(minutes=4), ip, "GET", "/tim-kiem?q=%3Cscript%3E", 403),
            ],
        )
        # An old false positive, closed by the IT administrator.
        ip = "198.51.100.80"
        old = _fire(
            rule="flood-address",
            severity="high",
            ip=ip,
            decide=False,
            evidence=[
                _event(now - timedelta(days=2, seconds=5 - i), ip, "GET", "/healthz", 200)
                for i in range(5)
            ],
        )
        Incident.objects.filter(pk=old.incident_id).update(
            first_seen=now - timedelta(days=2), last_seen=now - timedelta(days=2)
        )
        admin = get_user_model().objects.filter(role=Role.IT_ADMIN).order_by("pk").first()
        if admin is not None:
            services.incident_close(
                actor=admin,
                incident_id=old.incident_id,
                reason="false_positive",
                note="Máy giám sát hoạt động của Sở Khoa học và Công nghệ gọi /healthz; "
                "đã đề nghị thêm địa chỉ này vào danh sách cho phép.",
            )
    return Incident.objects.count()
