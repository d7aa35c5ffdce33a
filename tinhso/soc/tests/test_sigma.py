"""Sigma rules: each modifier and condition form, the loader's errors, ``soc_rules``."""

from __future__ import annotations

import textwrap
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tinhso.soc.schema import Event
from tinhso.soc.sigma.detector import SigmaDetector
from tinhso.soc.sigma.loader import SHIPPED_DIR, load_dirs


def rule_yaml(detection: str, *, logsource: str = "category: webserver", extra: str = "") -> str:
    return (
        textwrap.dedent(
            f"""\
            title: Luật thử
            id: {uuid.uuid4()}
            name: r
            logsource:
              {logsource}
            detection:
            """
        )
        + textwrap.indent(textwrap.dedent(detection), "  ")
        + extra
    )


def detector_for(tmp_path, text: str) -> SigmaDetector:
    (tmp_path / "r.yml").write_text(text, encoding="utf-8")
    ruleset = load_dirs([tmp_path])
    assert ruleset.errors == []
    return SigmaDetector(ruleset)


def web(url="/", **kw) -> Event:
    kw.setdefault("source_ip", "203.0.113.10")
    kw.setdefault("method", "GET")
    return Event(url=url, **kw)


def fires(det: SigmaDetector, event: Event) -> bool:
    return [r.name for r, _ in det.process(event, now=0.0)] == ["r"]


DETECTIONS = [
    # (detection, event that matches, event that does not)
    (
        "sel:\n  cs-uri-stem: /Quan-Tri/\ncondition: sel",
        web("/quan-tri/"),  # plain equality is case-insensitive
        web("/quan-tri/x"),
    ),
    (
        "sel:\n  cs-uri-stem|contains: WP-ADMIN\ncondition: sel",
        web("/blog/wp-admin/setup.php"),
        web("/blog/"),
    ),
    (
        "sel:\n  cs-uri-stem|startswith: /api/\ncondition: sel",
        web("/API/v1/x"),
        web("/x/api/"),
    ),
    (
        "sel:\n  cs-uri-stem|endswith: .PHP\ncondition: sel",
        web("/index.php?x=1"),
        web("/index.php.html"),
    ),
    (
        "sel:\n  cs-uri-query|contains|all:\n    - union\n    - select\ncondition: sel",
        web("/s?q=UNION+all+SELECT"),
        web("/s?q=union"),
    ),
    (
        "sel:\n  cs-user-agent|re: '^Mozilla/5\\.0 \\(X11'\ncondition: sel",
        web("/", user_agent="Mozilla/5.0 (X11; Linux)"),
        web("/", user_agent="mozilla/5.0 (x11; linux)"),  # re is case-sensitive
    ),
    (
        "sel:\n  cs-user-agent|re|i: 'SQLMAP/\\d'\ncondition: sel",
        web("/", user_agent="sqlmap/1.7"),
        web("/", user_agent="sqlmap"),
    ),
    (
        "sel:\n  c-ip|cidr: 198.51.100.0/24\ncondition: sel",
        web("/", source_ip="198.51.100.200"),
        web("/", source_ip="203.0.113.1"),
    ),
    (
        "sel:\n  c-ip|cidr: '2001:db8::/32'\ncondition: sel",
        web("/", source_ip="2001:db8::1"),
        web("/", source_ip="2001:db9::1"),
    ),
    (
        "sel:\n  sc-status|gte: 500\ncondition: sel",
        web("/", status=503),
        web("/", status=404),
    ),
    (
        "sel:\n  sc-bytes|lt: 10\ncondition: sel",
        web("/", bytes=3),
        web("/", bytes=10),
    ),
    (
        "sel:\n  sc-status|gt: 399\n  sc-status|lte: 404\ncondition: sel",
        web("/", status=404),
        web("/", status=405),
    ),
    (
        "sel:\n  sc-status: 404\ncondition: sel",
        web("/", status=404),
        web("/", status=200),
    ),
    (
        "sel:\n  cs-uri-stem: '/ho-so/*/bien-nhan'\ncondition: sel",
        web("/ho-so/H23-250101-0001/bien-nhan"),
        web("/ho-so/bien-nhan/x"),
    ),
    (
        "sel:\n  cs-uri-stem: '/v?/x'\ncondition: sel",
        web("/v2/x"),
        web("/v10/x"),
    ),
    (
        "sel:\n  cs-uri-stem|cased: /Admin\ncondition: sel",
        web("/Admin"),
        web("/admin"),
    ),
    (
        "sel:\n  cs-username: null\n  cs-method: POST\ncondition: sel",
        web("/", method="POST"),
        web("/", method="POST", user="an"),
    ),
    (
        "sel:\n  cs-username|exists: true\ncondition: sel",
        web("/", user="an"),
        web("/"),
    ),
    (
        "sel:\n  cs-uri-stem|contains|neq: /tinh\ncondition: sel",  # not neq on strings: pySigma turns it into not
        web("/x"),
        web("/tinh/x"),
    ),
    (
        "keywords:\n  - 'segfault at*error'\ncondition: keywords",
        Event(source_ip="203.0.113.1", message="kernel: app[1]: segfault at 0 ip 1 error 4"),
        Event(source_ip="203.0.113.1", message="kernel: all fine"),
    ),
    (
        "sel:\n  dst_port:\n    - 22\n    - 3389\ncondition: sel",
        Event(source_ip="203.0.113.1", extra={"dst_port": 3389}),
        Event(source_ip="203.0.113.1", extra={"dst_port": 443}),
    ),
    (
        "sel:\n  custom_field: abc\ncondition: sel",  # unknown names are read from extra
        Event(source_ip="203.0.113.1", extra={"custom_field": "ABC"}),
        Event(source_ip="203.0.113.1"),
    ),
]


@pytest.mark.parametrize(("detection", "positive", "negative"), DETECTIONS)
def test_modifier_and_value_forms(tmp_path, detection, positive, negative):
    logsource = (
        "category: webserver" if positive.method else "product: any"
    )  # events without a method are not web requests
    det = detector_for(tmp_path, rule_yaml(detection, logsource=logsource))
    assert fires(det, positive)
    assert not fires(det, negative)


CONDITIONS = """
sel_a:
  cs-uri-stem|startswith: /a
sel_b:
  cs-method: POST
filter:
  c-ip|cidr: 198.51.100.0/24
"""


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # events: /a GET, /a POST, /b POST, /a POST from the filtered range
        ("sel_a and sel_b", [False, True, False, True]),
        ("sel_a or sel_b", [True, True, True, True]),
        ("sel_a and not sel_b", [True, False, False, False]),
        ("1 of sel_*", [True, True, True, True]),
        ("all of sel_*", [False, True, False, True]),
        ("all of sel_* and not filter", [False, True, False, False]),
        ("(sel_a or sel_b) and not 1 of filter*", [True, True, True, False]),
        ("1 of them", [True, True, True, True]),
        ("all of them", [False, False, False, True]),
        ("not sel_a", [False, False, True, False]),
    ],
)
def test_condition_forms(tmp_path, condition, expected):
    det = detector_for(tmp_path, rule_yaml(CONDITIONS + f"condition: {condition}\n"))
    events = [
        web("/a"),
        web("/a", method="POST"),
        web("/b", method="POST"),
        web("/a", method="POST", source_ip="198.51.100.9"),
    ]
    assert [fires(det, e) for e in events] == expected


def test_logsource_limits_the_events_a_rule_sees(tmp_path):
    det = detector_for(
        tmp_path,
        rule_yaml("sel:\n  outcome: login_failed\ncondition: sel", logsource="category: firewall"),
    )
    assert not fires(det, Event(source_ip="203.0.113.1", outcome="login_failed"))
    assert fires(
        det,
        Event(source_ip="203.0.113.1", outcome="login_failed", source="firewall", extra={"x": 1}),
    )


def test_gate_skips_rules_whose_literal_is_absent(tmp_path):
    det = detector_for(
        tmp_path, rule_yaml("sel:\n  cs-uri-stem|contains: /wp-admin\ncondition: sel")
    )
    det.process(web("/thu-tuc-hanh-chinh/"), now=0)
    assert det.counts["evaluated"] == 0  # not even evaluated
    det.process(web("/wp-admin/"), now=0)
    assert det.counts["evaluated"] == 1


def test_multiple_conditions_any_of_them(tmp_path):
    text = rule_yaml("a:\n  cs-uri-stem: /a\nb:\n  cs-uri-stem: /b\ncondition:\n  - a\n  - b\n")
    det = detector_for(tmp_path, text)
    assert fires(det, web("/a")) and fires(det, web("/b")) and not fires(det, web("/c"))


def test_level_and_tinhso_block_set_severity_and_decision(tmp_path):
    text = rule_yaml(
        "sel:\n  cs-uri-stem: /x\ncondition: sel\n",
        extra="level: critical\ntinhso:\n  decision: challenge\n  scope: ip\n",
    )
    det = detector_for(tmp_path, text)
    ((rule, evidence),) = det.process(web("/x"), now=0)
    assert (rule.severity, rule.decision, rule.scope) == ("critical", "challenge", "ip")
    assert evidence[0]["url"] == "/x"


BAD_FILES = {
    "yaml.yml": "title: [unclosed\n",
    "modifier.yml": rule_yaml("sel:\n  cs-uri-stem|nonsense: a\ncondition: sel"),
    "condition.yml": rule_yaml("sel:\n  cs-uri-stem: a\ncondition: sel and missing"),
    "regex.yml": rule_yaml("sel:\n  cs-uri-stem|re: '([a-'\ncondition: sel"),
    "decision.yml": rule_yaml(
        "sel:\n  cs-uri-stem: a\ncondition: sel\n", extra="tinhso:\n  decision: nuke\n"
    ),
    "noid.yml": "title: x\nlogsource:\n  category: webserver\ndetection:\n  s:\n    cs-method: GET\n  condition: s\n",
    "correlation.yml": textwrap.dedent(
        f"""\
        title: tương quan thiếu luật
        id: {uuid.uuid4()}
        correlation:
          type: event_count
          rules: [no-such-rule]
          group-by: [c-ip]
          timespan: 5m
          condition: {{gte: 2}}
        """
    ),
}


def test_bad_files_are_skipped_and_reported_others_load(tmp_path, caplog):
    for name, text in BAD_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "zz_good.yml").write_text(
        rule_yaml("sel:\n  cs-uri-stem: /good\ncondition: sel").replace("name: r", "name: good"),
        encoding="utf-8",
    )
    ruleset = load_dirs([tmp_path])
    assert [r.name for r in ruleset.rules] == ["good"]
    assert ruleset.correlations == []
    bad = {p.rsplit("/", 1)[1] for p, _ in ruleset.errors}
    assert bad == set(BAD_FILES)
    assert "skipped" in caplog.text and "noid.yml" in caplog.text


def test_duplicate_id_in_a_later_file_is_refused(tmp_path):
    text = rule_yaml("sel:\n  cs-uri-stem: /a\ncondition: sel")
    (tmp_path / "a.yml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yml").write_text(text, encoding="utf-8")
    ruleset = load_dirs([tmp_path])
    assert len(ruleset.rules) == 1
    assert ruleset.errors and ruleset.errors[0][0].endswith("b.yml")


def test_soc_rules_lists_the_shipped_rules(capsys):
    call_command("soc_rules")
    out = capsys.readouterr().out
    for name in ("web-admin-probe", "scan-then-login", "password-spraying", "web-shell-access"):
        assert name in out
    assert "0 invalid" in out


def test_soc_rules_check_exits_1_with_messages(tmp_path, capsys):
    (tmp_path / "bad.yml").write_text(BAD_FILES["modifier.yml"], encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("soc_rules", "--check", str(tmp_path))
    assert exc.value.returncode == 1
    err = capsys.readouterr().err
    assert "bad.yml" in err and "nonsense" in err


def test_soc_rules_check_valid_folder(capsys):
    call_command("soc_rules", "--check", str(SHIPPED_DIR))
    assert "0 invalid" in capsys.readouterr().out


def test_rule_dirs_setting_adds_an_analysts_rule(tmp_path):
    (tmp_path / "mine.yml").write_text(
        rule_yaml("sel:\n  cs-uri-stem: /bi-mat\ncondition: sel").replace("name: r", "name: mine"),
        encoding="utf-8",
    )
    with override_settings(TINHSO_SOC_RULE_DIRS=[str(tmp_path)]):
        det = SigmaDetector()
    assert "mine" in det.rule_names and "web-admin-probe" in det.rule_names
    assert [r.name for r, _ in det.process(web("/bi-mat"), now=0)] == ["mine"]


@pytest.mark.parametrize(
    ("detection", "positive", "negative"),
    [
        (
            "sel:\n  cs-host|fieldref: cs-username\ncondition: sel",
            web("/", host="An", user="an"),
            web("/", host="binh", user="an"),
        ),
        (
            "sel:\n  cs-uri-query|base64offset|contains: whoami\ncondition: sel",
            web("/x?c=d2hvYW1p"),  # base64 of "whoami"
            web("/x?c=whoami"),
        ),
    ],
)
def test_field_reference_and_encoded_values(tmp_path, detection, positive, negative):
    det = detector_for(tmp_path, rule_yaml(detection))
    assert fires(det, positive)
    assert not fires(det, negative)
