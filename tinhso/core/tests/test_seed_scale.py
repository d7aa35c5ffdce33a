"""``tinhso seed --scale N``: N valid unique citizens, one audit event, clear errors."""

import pytest
from django.core.management import CommandError, call_command

from tinhso.core.demo.bulk import citizens_seed
from tinhso.core.demo.people import PeopleGenerator
from tinhso.core.exceptions import TinhsoError
from tinhso.core.models import AuditEvent, Citizen
from tinhso.core.validators import parse_cccd

pytestmark = pytest.mark.django_db


def assert_all_valid_and_unique():
    rows = list(Citizen.objects.values_list("id_number", "date_of_birth", "sex"))
    assert len({r[0] for r in rows}) == len(rows)
    for number, born, sex in rows:
        parse_cccd(number, date_of_birth=born, sex=sex)
    return len(rows)


def test_seed_creates_n_valid_unique_citizens_in_batches():
    report = citizens_seed(actor=None, scale=750, batch=128)
    assert report.rows == 750
    assert Citizen.objects.count() == 750
    assert assert_all_valid_and_unique() == 750
    assert Citizen.objects.filter(created_at__isnull=True).count() == 0


def test_a_second_run_continues_without_collisions():
    citizens_seed(actor=None, scale=400)
    citizens_seed(actor=None, scale=400)
    assert assert_all_valid_and_unique() == 800


def test_seed_after_the_demo_citizens_does_not_collide_with_them():
    Citizen.objects.bulk_create(
        Citizen(id_number=r[0], full_name=r[1], date_of_birth=r[2], sex=r[3])
        for r in PeopleGenerator(seed=2025).rows(300)
    )
    citizens_seed(actor=None, scale=300)
    assert assert_all_valid_and_unique() == 600


def test_one_audit_event_summarises_the_run():
    before = AuditEvent.objects.count()
    citizens_seed(actor=None, scale=50, seed=7)
    events = AuditEvent.objects.filter(action="citizen.seed")
    assert events.count() == 1
    assert events.get().changes["rows"] == 50
    assert events.get().changes["seed"] == 7
    assert AuditEvent.objects.count() == before + 1


def test_the_same_seed_on_an_empty_table_gives_the_same_people():
    citizens_seed(actor=None, scale=20, seed=3)
    first = list(Citizen.objects.order_by("id").values_list("id_number", "full_name"))
    Citizen.objects.all().delete()
    citizens_seed(actor=None, scale=20, seed=3)
    assert list(Citizen.objects.order_by("id").values_list("id_number", "full_name")) == first


@pytest.mark.parametrize("scale", [-1, 0, "abc", "1.5", None, 10**9])
def test_bad_scale_is_refused_and_nothing_is_written(scale):
    events = AuditEvent.objects.count()
    with pytest.raises(TinhsoError) as caught:
        citizens_seed(actor=None, scale=scale)
    assert caught.value.code == "invalid_scale"
    assert "--scale" in str(caught.value.message)
    assert not Citizen.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("batch", [0, "x", 10**7])
def test_bad_batch_is_refused(batch):
    with pytest.raises(TinhsoError) as caught:
        citizens_seed(actor=None, scale=10, batch=batch)
    assert caught.value.code == "invalid_batch"


def test_the_command_prints_rows_per_second(capsys):
    call_command("seed", scale="25", batch="10")
    out = capsys.readouterr().out
    assert "Đã tạo 25 công dân" in out
    assert "bản ghi/giây" in out
    assert Citizen.objects.count() == 25


def test_the_command_turns_bad_input_into_a_command_error():
    with pytest.raises(CommandError) as caught:
        call_command("seed", scale="abc")
    assert caught.value.code == "invalid_scale"
    assert "số nguyên" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        call_command("seed", scale="10", seed="x")
    assert caught.value.code == "invalid_seed"
    assert not Citizen.objects.exists()
