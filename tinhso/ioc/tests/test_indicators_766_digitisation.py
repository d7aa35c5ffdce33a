"""Decision 766, digitisation: signed e-results among settled dossiers; stored papers reused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tinhso.core.files import file_store
from tinhso.dossiers.choices import Channel, DossierStatus
from tinhso.dossiers.models import Dossier, DossierFile, DossierResult
from tinhso.dossiers.tests.factories import at, make_procedure, pdf_upload
from tinhso.ioc import indicators
from tinhso.ioc.indicators import compute, drill_down, make_period
from tinhso.ioc.tests.test_indicators_766 import JANUARY, dossier, result

pytestmark = pytest.mark.django_db
_tokens = iter(range(1, 10_000))


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TINHSO_PKI_DIR = str(tmp_path / "pki")


@pytest.fixture
def clock(monkeypatch):
    from tinhso.dossiers.tests.conftest import Clock

    return Clock(monkeypatch)


def stored():
    return file_store(actor=None, uploaded_file=pdf_upload(), purpose="dossier")


def signed_result(target, stored_file=None) -> DossierResult:
    return DossierResult.objects.create(
        dossier=target,
        stored_file=stored_file or stored(),
        sha256="0" * 64,
        token=f"token-{next(_tokens)}",
        source="generated",
        signer_name="Sở Tư pháp",
        signer_identifier_code="000.00.03.H24",
        signed_at=target.finished_at or at(2026, 1, 1),
    )


def numbers(report):
    return {r.definition.code: (r.numerator, r.denominator) for r in report.results}


@pytest.fixture
def settled(world):
    """In January: returned with a result; processed with a result at 23:59 on the 31st;
    returned without one. Out: stopped; finished on 1 February 00:00 and on 31 December
    23:59 (both with results); still processing."""
    done = at(2026, 1, 20)
    with_result = dossier(world, due=done, finished=at(2026, 1, 9))
    last_minute = dossier(world, status="processed", due=done, finished=at(2026, 1, 31, 23, 59))
    without = dossier(world, due=done, finished=at(2026, 1, 10))
    dossier(world, status="stopped", due=done, finished=at(2026, 1, 9))
    february = dossier(world, due=done, finished=at(2026, 2, 1))
    december = dossier(world, received=at(2025, 12, 1, 8), finished=at(2025, 12, 31, 23, 59))
    dossier(world, status="processing", due=done)
    for target in (with_result, last_minute, february, december):
        signed_result(target)
    return {"with_result": with_result, "last_minute": last_minute, "without": without}


def test_e_result_rate_is_settled_dossiers_with_a_signed_result(world, settled):
    e_results = result(compute(world.leader, JANUARY), "digitisation_results")
    # two of the three settled in January (stopped, open and other months left out)
    assert (e_results.numerator, e_results.denominator) == (2, 3)
    assert e_results.rate == Decimal("0.6667")
    # 8 points, full at 80 %: 0.6667 × 8 ÷ 0.8
    assert e_results.points == Decimal("6.67")
    assert not e_results.note


def test_e_result_drill_down_lists_the_dossiers_behind_both_numbers(world, settled):
    numerator = {
        d.pk for d in drill_down(world.leader, JANUARY, "digitisation_results", "numerator")
    }
    denominator = {
        d.pk for d in drill_down(world.leader, JANUARY, "digitisation_results", "denominator")
    }
    assert numerator == {settled["with_result"].pk, settled["last_minute"].pk}
    assert denominator == numerator | {settled["without"].pk}


def test_february_alone_has_its_one_e_result(world, settled):
    february = make_period(at(2026, 2, 1).date(), at(2026, 2, 28).date())
    assert numbers(compute(world.leader, february))["digitisation_results"] == (1, 1)


@pytest.fixture
def reuse(world):
    """A procedure whose photo may come from stored papers, and world.procedure, which
    takes none. January: one dossier reusing a stored result, one uploading the same kind
    of file, one without files (23:30 on the 31st). Out: one reusing in February, and one
    of the other procedure linking a stored result."""
    reusing = make_procedure("1.009999", "Cấp đổi giấy phép")
    reusing.components.filter(code="anh").update(reusable=True)
    photo = reusing.components.get(code="anh")
    source = dossier(world, received=at(2025, 12, 1, 8), finished=at(2025, 12, 5))
    paper = signed_result(source).stored_file

    def of_reusing(received, stored_file=None):
        target = dossier(world, received=received, due=at(2026, 3, 1), finished=None)
        Dossier.objects.filter(pk=target.pk).update(procedure=reusing, status="processing")
        if stored_file is not None:
            DossierFile.objects.create(dossier=target, component=photo, stored_file=stored_file)
        return target

    reused = of_reusing(at(2026, 1, 5, 8), paper)
    uploaded = of_reusing(at(2026, 1, 6, 8), stored())
    empty = of_reusing(at(2026, 1, 31, 23, 30))
    of_reusing(at(2026, 2, 1), paper)
    other = dossier(world, received=at(2026, 1, 7, 8), status="processing")
    to_khai = world.procedure.components.get(code="to-khai")
    DossierFile.objects.create(dossier=other, component=to_khai, stored_file=paper)
    return {"reused": reused, "uploaded": uploaded, "empty": empty}


def test_reuse_rate_is_dossiers_with_a_stored_paper_among_those_that_may_reuse(world, reuse):
    reused = result(compute(world.leader, JANUARY), "digitisation_reuse")
    assert (reused.numerator, reused.denominator) == (1, 3)
    assert reused.rate == Decimal("0.3333")
    # 6 points, full at 80 %: 0.3333 × 6 ÷ 0.8
    assert reused.points == Decimal("2.50")


def test_reuse_drill_down_lists_the_dossiers_behind_both_numbers(world, reuse):
    numerator = [d.pk for d in drill_down(world.leader, JANUARY, "digitisation_reuse", "numerator")]
    denominator = {
        d.pk for d in drill_down(world.leader, JANUARY, "digitisation_reuse", "denominator")
    }
    assert numerator == [reuse["reused"].pk]
    assert denominator == {reuse["reused"].pk, reuse["uploaded"].pk, reuse["empty"].pk}


def test_no_procedure_taking_stored_papers_leaves_reuse_unmeasured(world):
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    reused = result(compute(world.leader, JANUARY), "digitisation_reuse")
    assert reused.denominator == 0 and reused.rate is None and reused.points is None
    assert reused.note


def test_probed_and_hashed_sets_agree_on_both_rates(world, settled, reuse, monkeypatch):
    probed = numbers(compute(world.leader, JANUARY))
    assert probed["digitisation_results"] == (2, 3)
    assert probed["digitisation_reuse"] == (1, 3)
    monkeypatch.setattr(indicators, "SMALL_SCOPE", 0)
    assert numbers(compute(world.leader, JANUARY)) == probed


def test_a_paper_picked_at_submission_counts_as_reused(world, clock):
    # given a result issued to the citizen in March, and a component that accepts it
    from tinhso.dossiers.results import result_issue
    from tinhso.dossiers.services import dossier_submit

    def submit(key, **kwargs):
        return dossier_submit(
            actor=world.citizen_user,
            procedure=world.procedure,
            applicant=world.citizen,
            channel=Channel.ONLINE,
            unit=world.commune,
            form_data={"address": "Số 1 Lê Lợi"},
            idempotency_key=key,
            **kwargs,
        )

    clock.set(at(2026, 3, 6, 9))
    first = submit("reuse-766-0001", files={"to-khai": [pdf_upload()]})
    Dossier.objects.filter(pk=first.pk).update(status=DossierStatus.PROCESSED)
    first.refresh_from_db()
    issued = result_issue(actor=world.head, dossier=first)
    world.procedure.components.filter(code="to-khai").update(reusable=True)
    # when the citizen submits a later dossier picking it instead of uploading
    clock.set(at(2026, 3, 9, 9))
    later = submit("reuse-766-0002", papers={"to-khai": issued.pk})
    # then March counts that dossier as reusing digitised data, and the first as not
    march = make_period(at(2026, 3, 1).date(), at(2026, 3, 31).date())
    listed = drill_down(world.leader, march, "digitisation_reuse", "numerator")
    assert [d.pk for d in listed] == [later.pk]
    assert numbers(compute(world.leader, march))["digitisation_reuse"] == (1, 2)


def test_the_page_shows_zero_points_as_zero_and_links_both_numbers(world, client):
    # given one dossier settled in January without an electronic result: a rate of 0
    dossier(world, due=at(2026, 1, 20), finished=at(2026, 1, 9))
    client.force_login(world.leader)
    html = client.get("/quan-tri/chi-so-766/", {"tu": "2026-01-01", "den": "2026-01-31"})
    html = html.content.decode()
    row = html.split("Tỷ lệ hồ sơ cấp kết quả điện tử", 1)[1].split("</tr>", 1)[0]
    # then it scores 0 of 8 (measured, not "—"), and both numbers open their dossiers
    assert "0,00 / 8" in row
    assert "/quan-tri/chi-so-766/digitisation_results/numerator/?" in row
    assert "/quan-tri/chi-so-766/digitisation_results/denominator/?" in row
    assert "Chưa đo" not in row


def test_the_exports_carry_the_reuse_numbers_and_dossiers(world, reuse, client):
    import csv
    import io

    client.force_login(world.leader)
    period = {"tu": "2026-01-01", "den": "2026-01-31", "dinh-dang": "csv"}
    # the drill-down export lists the one dossier that reused a stored paper
    listed = client.get("/quan-tri/chi-so-766/digitisation_reuse/numerator/", period)
    rows = list(csv.reader(io.StringIO(listed.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [reuse["reused"].code]
    # and the indicators export has the indicator's numerator and denominator
    summary = client.get("/quan-tri/chi-so-766/", period)
    lines = list(csv.reader(io.StringIO(summary.content.decode("utf-8-sig"))))
    row = next(r for r in lines if "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa" in r)
    assert "1" in row and "3" in row
