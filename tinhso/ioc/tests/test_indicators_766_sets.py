"""Decision 766: the sets over other tables give the same numbers hashed or probed."""

from __future__ import annotations

import pytest
from django.db import connection

from tinhso.dossiers.tests.factories import at
from tinhso.ioc import indicators
from tinhso.ioc.indicators import compute, drill_down
from tinhso.ioc.tests.test_indicators_766 import JANUARY, dossier
from tinhso.payments.choices import PaymentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def mix(world, settings, tmp_path):
    """Digitised and paid online; digitised, request lapsed; neither; late, paid."""
    from tinhso.core.files import file_store
    from tinhso.dossiers.models import DossierFile
    from tinhso.dossiers.tests.factories import pdf_upload
    from tinhso.ioc.tests.test_indicators_766_payments import fee_request

    settings.MEDIA_ROOT = str(tmp_path)
    stored = file_store(actor=None, uploaded_file=pdf_upload(), purpose="dossier")
    component = world.procedure.components.get(code="to-khai")
    done = at(2026, 1, 20)
    both = dossier(world, due=done, finished=at(2026, 1, 9))
    lapsed = dossier(world, due=done, finished=at(2026, 1, 9))
    dossier(world, due=done, finished=at(2026, 1, 9))
    late = dossier(world, due=at(2026, 1, 8), finished=at(2026, 1, 9))
    for target in (both, lapsed):
        DossierFile.objects.create(dossier=target, component=component, stored_file=stored)
    fee_request(both, PaymentStatus.PAID)
    fee_request(lapsed, PaymentStatus.EXPIRED)
    fee_request(late, PaymentStatus.PAID)
    return {"both": both, "lapsed": lapsed, "late": late}


def numbers(report):
    return {r.definition.code: (r.numerator, r.denominator) for r in report.results}


def test_probed_and_hashed_sets_give_the_same_numbers(world, mix, monkeypatch):
    # a small scope probes the files and payment requests per dossier
    probed = numbers(compute(world.leader, JANUARY))
    assert probed["digitisation_dossiers"] == (2, 4)
    assert probed["online_paid"] == (2, 3)
    assert probed["progress_on_time"] == (3, 4)
    # a large one hashes them whole: the same numbers
    monkeypatch.setattr(indicators, "SMALL_SCOPE", 0)
    assert numbers(compute(world.leader, JANUARY)) == probed


def test_late_is_left_out_of_the_aggregate_but_listed(world, mix):
    report = compute(world.leader, JANUARY)
    on_time = next(r for r in report.results if r.definition.code == "progress_on_time")
    late = drill_down(world.leader, JANUARY, "progress_on_time", "late")
    assert [d.pk for d in late] == [mix["late"].pk]
    assert on_time.denominator - on_time.numerator == late.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="work_mem is PostgreSQL's")
def test_the_aggregate_runs_with_memory_to_hash_the_sets(world, mix):
    seen = []

    def wrapper(execute, sql, params, many, context):
        if "FILTER" in sql:
            context["cursor"].execute("SHOW work_mem")
            seen.append(context["cursor"].fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        compute(world.leader, JANUARY)
    assert seen == [indicators.AGGREGATE_WORK_MEM]
    with connection.cursor() as cursor:  # and only there
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] != indicators.AGGREGATE_WORK_MEM
