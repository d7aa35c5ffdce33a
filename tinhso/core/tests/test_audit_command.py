"""``tinhso audit verify`` / ``tail`` through call_command (the CLI tests run the real script)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tinhso.core.audit import audit_record, audit_verify
from tinhso.core.management.base import TinhsoCommandError
from tinhso.core.models import AuditEvent


def _run(*args) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_verify_reports_an_intact_chain_with_its_length():
    audit_record(actor=None, action="test.one")
    audit_record(actor=None, action="test.two")
    total = AuditEvent.objects.count()
    assert _run("verify") == f"Chuỗi nhật ký toàn vẹn: {total} sự kiện.\n"


@pytest.mark.django_db
def test_verify_names_the_first_broken_event_and_fails():
    # given a chain whose second event was edited
    first = audit_record(actor=None, action="test.one")
    second = audit_record(actor=None, action="test.two")
    audit_record(actor=None, action="test.three")
    AuditEvent.objects.filter(pk=second.pk).update(action="test.edited")
    # when verify runs
    with pytest.raises(TinhsoCommandError) as caught:
        _run("verify")
    # then it fails with status 1, naming the event and the reason
    error = caught.value
    assert error.returncode == 1
    assert error.code == "audit_chain_broken"
    assert f"#{second.pk}" in str(error)
    assert "lý do: hash" in str(error)
    assert f"#{first.pk}" not in str(error)
    assert not audit_verify().ok


@pytest.mark.django_db
def test_verify_names_a_deleted_newest_event():
    audit_record(actor=None, action="test.one")
    last = audit_record(actor=None, action="test.two")
    last_id = last.pk
    last.delete()
    with pytest.raises(TinhsoCommandError) as caught:
        _run("verify")
    assert f"#{last_id}" in str(caught.value)
    assert "lý do: tail" in str(caught.value)


@pytest.mark.django_db
def test_tail_prints_the_newest_events_oldest_first():
    for i in range(5):
        audit_record(actor=None, action=f"test.tail{i}", changes={"i": i})
    lines = _run("tail", "-n", "3").splitlines()
    assert len(lines) == 3
    assert [line.split()[4] for line in lines] == ["test.tail2", "test.tail3", "test.tail4"]


@pytest.mark.django_db
def test_tail_json_prints_one_object_per_line():
    event = audit_record(actor=None, action="test.json", changes={"tên": "Hải Phòng"})
    line = _run("tail", "-n", "1", "--json").strip()
    data = json.loads(line)
    assert data["id"] == event.pk
    assert data["action"] == "test.json"
    assert data["changes"] == {"tên": "Hải Phòng"}


@pytest.mark.django_db
def test_tail_refuses_a_non_positive_count():
    with pytest.raises(TinhsoCommandError) as caught:
        _run("tail", "-n", "0")
    assert caught.value.code == "invalid_arguments"


def test_a_missing_sub_command_is_a_clear_error():
    with pytest.raises(CommandError, match="Tham số không hợp lệ"):
        _run()
