"""The shipped Sigma rules on crafted events (attacks and ordinary Vietnamese traffic),
the unexpected-source rule on parsed firewall and sshd lines, and the engine storing what
they find."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from tinhso.soc import parsing
from tinhso.soc.engine import Engine
from tinhso.soc.models import Alert, Decision
from tinhso.soc.parsing import LineParser
from tinhso.soc.schema import Event
from tinhso.soc.sigma.detector import SigmaDetector
from tinhso.soc.sigma.loader import SHIPPED_DIR, load_dirs

ATTACKER = "203.0.113.66"
CITIZEN = "198.51.100.20"


@pytest.fixture
def det():
    ruleset = load_dirs([SHIPPED_DIR])
    assert ruleset.errors == []
    return SigmaDetector(ruleset)


def names(det: SigmaDetector, event: Event, now: float = 0.0) -> list[str]:
    return sorted(r.name for r, _ in det.process(event, now=now))


def req(url, *, ip=ATTACKER, method="GET", ua="Mozilla/5.0 (Windows NT 10.0)", status=200):
    return Event(source_ip=ip, method=method, url=url, user_agent=ua, status=status)


BENIGN = [
    req("/", ip=CITIZEN),
    req("/thu-tuc-hanh-chinh/?q=%C4%90%C4%83ng+k%C3%BD+khai+sinh", ip=CITIZEN),
    req("/thu-tuc-hanh-chinh/?q=dang+ky+khai+sinh", ip=CITIZEN),
    req("/tra-cuu-ho-so/?ma=H23-251122-0001&cccd=030201000123", ip=CITIZEN),
    req("/ca-nhan/ho-so/", ip=CITIZEN),
    req("/dang-nhap/", ip=CITIZEN, method="POST", status=302),
    req("/quan-tri/ho-so/?q=Nguy%E1%BB%85n+V%C4%83n+A", ip=CITIZEN),
    req("/quan-tri/dau-tu/du-an/DA-2025-001/", ip=CITIZEN),
    req("/don-vi-hanh-chinh/?q=thanh+dong", ip=CITIZEN),
    req("/static/css/app.css", ip=CITIZEN),
    req("/api/v1/auth/token", ip=CITIZEN, method="POST", ua="curl/8.5.0"),  # API client
    req("/tim-kiem?q=L%C3%AA+Th%E1%BB%8B+Hoa%3B+Nguy%E1%BB%85n+V%C4%83n+B%C3%ACnh", ip=CITIZEN),
    req("/environment-report/", ip=CITIZEN),  # contains "env" but is not /.env
    req("/bao-cao/backup-policy/", ip=CITIZEN),
    Event(source_ip=CITIZEN, outcome="login_failed", user="an"),
    Event(source_ip=CITIZEN, outcome="login_ok", user="an"),
]


@pytest.mark.parametrize("event", BENIGN, ids=lambda e: e.url or e.outcome)
def test_ordinary_traffic_fires_nothing(det, event):
    assert names(det, event) == []


@pytest.mark.parametrize(
    ("event", "rule"),
    [
        (req("/wp-login.php", method="POST", ua="Mozilla/5.0 Hydra"), "login-attack-tool"),
        (req("/dang-nhap/", method="POST", ua="Mozilla/5.0 (Hydra)"), "login-attack-tool"),
        (req("/api/v1/auth/token", method="POST", ua="sqlmap/1.8"), "login-attack-tool"),
        (req("/dang-nhap/", method="POST", ua="python-requests/2.31"), "login-scripted-client"),
        (req("/uploads/c99.php"), "web-shell-access"),
        (req("/images/x.php?cmd=whoami"), "web-shell-access"),
        (req("/a.jsp?exec=cat%20/etc/passwd"), "web-shell-access"),
    ],
)
def test_single_event_rules(det, event, rule):
    assert names(det, event) == [rule]


def test_login_tool_needs_a_post_to_a_sign_in_path(det):
    assert names(det, req("/dang-nhap/", method="GET", ua="hydra")) == []
    assert names(det, req("/tim-kiem", method="POST", ua="hydra")) == []


def test_admin_probes_alert_when_repeated(det):
    probes = ["/.env", "/wp-admin/install.php", "/.git/config"]
    fired = [names(det, req(p, status=404), now=i) for i, p in enumerate(probes)]
    assert fired == [[], [], ["web-admin-probe-repeated"]]


def test_probes_from_different_addresses_do_not_add_up(det):
    fired = [names(det, req("/.env", ip=f"203.0.113.{i}"), now=i) for i in range(1, 6)]
    assert fired == [[]] * 5


def test_scan_then_login_within_ten_minutes(det):
    assert names(det, req("/phpmyadmin/", status=404), now=0) == []
    assert names(det, Event(source_ip=ATTACKER, outcome="login_ok", user="canbo"), now=300) == [
        "scan-then-login"
    ]


def test_scan_then_login_too_late_or_in_the_wrong_order(det):
    det.process(req("/phpmyadmin/", status=404), now=0)
    assert names(det, Event(source_ip=ATTACKER, outcome="login_ok", user="x"), now=601) == []
    det.process(Event(source_ip="203.0.113.70", outcome="login_ok", user="y"), now=700)
    assert names(det, req("/.env", ip="203.0.113.70"), now=710) == []


def test_password_spraying_distinct_users(det):
    # one guess every 3 minutes: too slow for the leaky buckets, caught within the hour
    out = [
        names(det, Event(source_ip=ATTACKER, outcome="login_failed", user=f"user{i}"), now=i * 180)
        for i in range(15)
    ]
    assert out == [[]] * 14 + [["password-spraying"]]
    # the same pace spread over more than an hour: nothing
    out = [
        names(
            det, Event(source_ip="203.0.113.71", outcome="login_failed", user=f"u{i}"), now=i * 300
        )
        for i in range(15)
    ]
    assert out == [[]] * 15
    # one user many times: not spraying
    out = [
        names(det, Event(source_ip=CITIZEN, outcome="login_failed", user="an"), now=i)
        for i in range(30)
    ]
    assert out == [[]] * 30


IPTABLES = (
    "Nov 22 10:00:00 fw1 kernel: [1234.5] IN=eth0 OUT=eth1 MAC=00:11 SRC={src} DST=10.0.0.5 "
    "LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=51234 DPT={port} WINDOW=29200 SYN"
)


@pytest.mark.parametrize(
    ("src", "port", "expected"),
    [
        ("198.51.100.7", 22, ["unexpected-source-admin-port"]),
        ("198.51.100.7", 5432, ["unexpected-source-admin-port"]),
        ("198.51.100.7", 3389, ["unexpected-source-admin-port"]),
        ("198.51.100.7", 443, []),  # the web server is public
        ("10.1.2.3", 22, []),  # from inside
        ("192.168.1.10", 5432, []),
    ],
)
def test_unexpected_source_on_a_parsed_iptables_line(det, src, port, expected):
    if not hasattr(parsing, "parse_firewall"):
        pytest.skip("firewall lines are not parsed in this version")
    event = LineParser("auto").parse(IPTABLES.format(src=src, port=port).encode())
    assert event is not None and event.extra.get("dst_port") == port
    assert names(det, event) == expected


def test_unexpected_source_ignores_dropped_packets(det):
    event = Event(
        source_ip="198.51.100.7",
        source="firewall",
        extra={"firewall": True, "dst_ip": "10.0.0.5", "dst_port": 22, "action": "drop"},
    )
    assert names(det, event) == []
    event.extra["action"] = "accept"
    assert names(det, event) == ["unexpected-source-admin-port"]


@override_settings(TINHSO_SOC_INTERNAL_NETWORKS=["198.51.100.0/24"])
def test_internal_networks_come_from_the_setting(det):
    event = Event(
        source_ip="198.51.100.7",
        source="firewall",
        extra={"firewall": True, "dst_ip": "10.0.0.5", "dst_port": 22, "action": "accept"},
    )
    assert names(det, event) == []


def test_ssh_login_from_outside(det):
    parser = LineParser("auto")
    outside = parser.parse(
        b"<38>Nov 22 10:00:00 web1 sshd[811]: Accepted publickey for quantri from 198.51.100.9 port 50022 ssh2"
    )
    inside = parser.parse(
        b"<38>Nov 22 10:00:00 web1 sshd[811]: Accepted password for quantri from 10.0.0.9 port 50022 ssh2"
    )
    assert outside.outcome == "login_ok" and outside.source == "syslog"
    assert names(det, outside) == ["unexpected-source-ssh-login"]
    assert names(det, inside) == []


@pytest.mark.django_db
def test_engine_stores_the_alert_and_the_ban():
    engine = Engine()  # default detectors, default on_fire (alerts and decisions)
    for i, path in enumerate(["/.env", "/.git/HEAD", "/wp-admin/"]):
        engine.process(req(path, status=404), now=float(i))
    alert = Alert.objects.get(rule="web-admin-probe-repeated")
    assert alert.severity == "high" and alert.source_ip == ATTACKER
    assert [e["url"] for e in alert.evidence] == ["/.env", "/.git/HEAD", "/wp-admin/"]
    decision = Decision.objects.get(rule="web-admin-probe-repeated")
    assert (decision.scope, decision.value, decision.kind) == ("ip", ATTACKER, "ban")


@pytest.mark.django_db
def test_alert_only_rule_takes_no_decision():
    engine = Engine()
    engine.process(req("/dang-nhap/", method="POST", ua="curl/8.0"), now=0.0)
    assert Alert.objects.filter(rule="login-scripted-client", severity="low").count() == 1
    assert not Decision.objects.exists()


@override_settings(TINHSO_SOC_SIGMA_ENABLED=False)
def test_sigma_can_be_turned_off():
    assert "web-admin-probe" not in Engine(on_fire=lambda *a: None).rule_names()


def test_soc_replay_reports_sigma_rules_per_address(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    line = (
        '{ip} - - [22/Nov/2026:10:{m:02d}:{s:02d} +0700] "GET {path} HTTP/1.1" {status} 512 '
        '"-" "Mozilla/5.0"\n'
    )
    lines, labels = [], ["line,label,attack_type"]
    for i in range(40):  # ordinary citizens
        lines.append(
            line.format(ip=f"198.51.100.{i % 8}", m=i // 10, s=i % 60, path="/", status=200)
        )
    for i, path in enumerate(["/.env", "/.git/config", "/wp-admin/", "/phpmyadmin/"]):
        lines.append(line.format(ip=ATTACKER, m=5, s=i, path=path, status=404))
        labels.append(f"{len(lines)},anom,web-admin-probe-repeated")
    log, lab = tmp_path / "access.log", tmp_path / "labels.csv"
    log.write_text("".join(lines))
    lab.write_text("\n".join(labels) + "\n")
    out = StringIO()
    call_command("soc_replay", str(log), "--labels", str(lab), stdout=out)
    text = out.getvalue()
    assert re.search(
        r"web-admin-probe-repeated \(addresses\)\s+precision 1\.000\s+recall 1\.000", text
    ), text
    assert re.search(r"overall\s+precision 1\.000", text)


@pytest.mark.django_db(transaction=True)
def test_probes_over_http_get_the_prober_banned_and_citizens_carry_on():
    from django.test import Client

    prober, citizen = Client(), Client()
    statuses = [
        prober.get(p, REMOTE_ADDR=ATTACKER).status_code
        for p in ("/wp-admin/", "/phpmyadmin/", "/server-status")
    ]
    assert statuses == [404, 404, 404]
    assert prober.get("/", REMOTE_ADDR=ATTACKER).status_code == 403
    assert Decision.objects.get(value=ATTACKER).rule == "web-admin-probe-repeated"
    assert (
        citizen.get("/thu-tuc-hanh-chinh/?q=dang+ky+khai+sinh", REMOTE_ADDR=CITIZEN).status_code
        == 200
    )
