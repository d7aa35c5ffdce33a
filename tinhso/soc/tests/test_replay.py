import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "soc" / "http-params-train.csv"


def _run(*args) -> str:
    out = StringIO()
    call_command("soc_replay", *args, stdout=out)
    return out.getvalue()


def _overall(text: str) -> tuple[float, float]:
    m = re.search(r"overall\s+precision ([\d.]+)\s+recall ([\d.]+)", text)
    return float(m[1]), float(m[2])


def test_own_vietnamese_payloads_no_false_positive_and_all_attacks_found():
    text = _run(str(DATA / "vi-params.csv"))
    assert "rows 41" in text
    assert _overall(text) == (1.0, 1.0)
    assert re.search(r"sqli\s+precision 1.000\s+recall 1.000", text)


def test_own_access_log_with_labels_buckets_and_inspection():
    text = _run(str(DATA / "access.log"), "--labels", str(DATA / "access-labels.csv"))
    assert "skipped {'binary': 1}" in text
    assert _overall(text) == (1.0, 1.0)
    for rule in ("scan-404", "flood-login", "web-attack"):
        assert re.search(rf"{rule} \(addresses\)\s+precision 1.000\s+recall 1.000", text), rule


@pytest.mark.skipif(not SHARED.is_file(), reason="../shared/data/soc not present")
def test_shared_labelled_parameters():
    text = _run(str(SHARED), "--labels", str(SHARED))
    assert "rows 20712" in text
    precision, recall = _overall(text)
    assert precision >= 0.99 and recall >= 0.95
    assert re.search(r"\n  \d{4} sqli\s+precision", text)


def test_a_log_without_labels_is_a_one_line_error(tmp_path):
    log = tmp_path / "a.log"
    log.write_text("x\n")
    with pytest.raises(CommandError):
        _run(str(log))
