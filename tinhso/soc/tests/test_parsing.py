import ipaddress
import os
import random
from datetime import datetime

import pytest

from tinhso.soc.parsing import (
    LineParser,
    _access_time,
    _valid_ip,
    parse_combined,
    parse_json,
    parse_syslog,
)

COMBINED = (
    '14.160.32.7 - - [20/Nov/2026:08:15:02 +0700] "GET /thu-tuc/?q=%C4%90%C4%83ng+k%C3%BD+khai+sinh HTTP/1.1" '
    '200 5123 "https://dichvucong.haiphong.gov.vn/" "Mozilla/5.0 (Linux; Android 14) Chrome/130.0"'
)


def test_combined_line_is_parsed_with_its_vietnamese_url():
    ev = parse_combined(COMBINED)
    assert ev.source_ip == "14.160.32.7"
    assert ev.method == "GET"
    assert ev.path == "/thu-tuc/"
    assert "%C4%90%C4%83ng" in ev.url
    assert ev.status == 200 and ev.bytes == 5123
    assert ev.user_agent.startswith("Mozilla/5.0")
    assert ev.time.utcoffset().total_seconds() == 7 * 3600


def test_common_log_line_without_referer_and_ipv6():
    ev = parse_combined(
        '2001:db8::5 - hoa [20/Nov/2026:08:15:02 +0000] "POST /dang-nhap/ HTTP/1.1" 302 -'
    )
    assert ev.source_ip == "2001:db8::5" and ev.user == "hoa" and ev.bytes == 0 and ev.status == 302


def test_syslog_3164_sshd_failure_gives_address_user_and_outcome():
    ev = parse_syslog(
        "<38>Nov 20 08:15:02 web01 sshd[4123]: Failed password for invalid user admin from 45.95.147.10 port 51514 ssh2",
        year=2026,
    )
    assert ev.host == "web01" and ev.extra["app"] == "sshd"
    assert ev.source_ip == "45.95.147.10" and ev.user == "admin"
    assert ev.outcome == "login_failed"
    assert ev.time.year == 2026 and ev.time.month == 11


def test_syslog_5424_line():
    ev = parse_syslog(
        '<165>1 2026-11-20T08:15:02.003Z fw01 kernel - - [meta seq="1"] DROP IN=eth0 SRC=203.0.113.9 DST=10.0.0.5'
    )
    assert ev.host == "fw01" and ev.source_ip == "203.0.113.9"
    assert ev.time.isoformat().startswith("2026-11-20T08:15:02")


def test_json_line_with_aliases():
    ev = parse_json(
        '{"ip": "198.51.100.3", "uri": "/ho-so/?ten=Nguy%E1%BB%85n", "status": "404", "ua": "curl/8"}'
    )
    assert ev.source_ip == "198.51.100.3" and ev.url.startswith("/ho-so/") and ev.status == 404


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x00\x01\x02binary", "binary"),
        (b"14.160.32.7 - - [20/Nov/2026" + b"A" * 20000, "too_long"),
        (b"\xff\xfe\xc3\x28 broken", "bad_encoding"),
        (b"   \n", "empty"),
        (b"hello world", "garbage"),
        (b'999.1.1.1 - - [20/Nov/2026:08:15:02 +0700] "GET / HTTP/1.1" 200 1 "-" "x"', "garbage"),
        (b'1.2.3.4 - - [31/Foo/2026:08:15:02 +0700] "GET / HTTP/1.1" 200 1 "-" "x"', "garbage"),
        (b"[1, 2, 3]", "garbage"),
        (b"{" * 50000, "too_long"),
        (b"{" * 5000, "garbage"),
    ],
)
def test_bad_lines_are_counted_and_skipped(raw, reason):
    parser = LineParser("auto")
    assert parser.parse(raw) is None
    assert parser.counts[reason] == 1


def test_random_bytes_never_raise():
    rng = random.Random(6)
    parser = LineParser("auto")
    for _ in range(3000):
        parser.parse(
            os.urandom(rng.randint(0, 300))
            if rng.random() < 0.5
            else bytes(rng.choices(b'<>{}[]"- :1', k=80))
        )
    assert parser.counts["parsed"] <= 3000
    assert sum(parser.counts.values()) == 3000


def test_fast_access_time_equals_strptime():
    """The hand-read access-log time (and its cache) gives what strptime gives, or None."""
    rng = random.Random(11)
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec nov NOV Foo".split()
    for _ in range(20_000):
        text = (
            f"{rng.randint(0, 33):02d}/{rng.choice(months)}/{rng.randint(1, 9999):04d}:"
            f"{rng.randint(0, 25):02d}:{rng.randint(0, 61):02d}:{rng.randint(0, 62):02d} "
            f"{rng.choice('+-')}{rng.randint(0, 25):02d}{rng.randint(0, 61):02d}"
        )
        try:
            want = datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z")
        except ValueError:
            want = None
        got = _access_time(text)
        assert got == want, text
        if want is not None:
            assert got.utcoffset() == want.utcoffset()
    assert _access_time("1/Nov/2026:08:15:02 +0700") == datetime.strptime(
        "1/Nov/2026:08:15:02 +0700", "%d/%b/%Y:%H:%M:%S %z"
    )


@pytest.mark.parametrize(
    "value",
    [
        "1.2.3.4",
        "255.255.255.255",
        "0.0.0.0",  # noqa: S104
        "01.2.3.4",
        "256.1.1.1",
        "1.2.3",
        "1.2.3.4.5",
        "١.٢.٣.٤",
        "1.2.3.4\n",
        " 1.2.3.4",
        "2001:db8::5",
        "::ffff:1.2.3.4",
        "",
        "a.b.c.d",
    ],
)
def test_fast_address_check_equals_ipaddress(value):
    try:
        want = str(ipaddress.ip_address(value))
    except ValueError:
        want = ""
    assert _valid_ip(value) == want
