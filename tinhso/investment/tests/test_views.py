"""The investment pages: overview, project, the owner's daily update, alerts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tinhso.investment import services
from tinhso.investment.choices import AlertKind, AlertSeverity, FundingSource
from tinhso.investment.models import Alert, Disbursement, ProgressSnapshot, Project
from tinhso.investment.tests.factories import BN, make_disbursement, make_line, make_project
from tinhso.investment.tests.test_measures import book  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

OVERVIEW = "/quan-tri/dau-tu/"
UPDATE = "/quan-tri/dau-tu/cap-nhat/"
ALERTS = "/quan-tri/dau-tu/canh-bao/"


def _login(client, user):
    client.force_login(user)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --- overview -------------------------------------------------------------------------


def test_overview_shows_both_rates_gap_curve_and_rankings(client, world, book):  # noqa: F811
    response = _login(client, world.leader).get(OVERVIEW, {"nam": 2025})
    assert response.status_code == 200
    text = _text(response)
    # plan 30 bn (PM) and 40 bn (own); disbursed by 31/1/2026: 2.5 + 1 + 4 + 1 = 8.5 bn
    assert "28,3%" in text  # 8.5 / 30
    assert "21,3%" in text  # 8.5 / 40 (21.25 rounded half up)
    assert "Giải ngân vốn đầu tư công năm 2025" in text
    # S-curve: inline SVG with title and description, and the data table fallback
    assert '<svg viewBox="0 0 640 300" role="img"' in text
    assert '<title id="chart-title">' in text and '<desc id="chart-desc">' in text
    assert "Bảng số liệu của biểu đồ" in text and "31/01/2026" in text
    assert text.count('class="line-target"') == 1 and text.count('class="line-actual"') == 1
    # rankings of owners and units, each name links to the filtered overview
    assert "Xếp hạng chủ đầu tư" in text and "Xếp hạng địa bàn" in text
    assert world.traffic_board.name in text and world.commune.name in text
    # projects link to their pages; both are behind the 99.7% target of 31 January
    assert "/quan-tri/dau-tu/du-an/P1/?nam=2025" in text
    assert "/quan-tri/dau-tu/du-an/P2/?nam=2025" in text
    assert text.count("· chậm") == 2
    assert "no-js" not in text and "<script" not in text.split("</header>")[1]


def test_overview_filters_narrow_every_figure(client, world, book):  # noqa: F811
    client = _login(client, world.leader)
    text = _text(client.get(OVERVIEW, {"nam": 2025, "chu-dau-tu": world.traffic_board.pk}))
    # P2 alone: 25 bn own plan, 20 bn PM, 5 bn disbursed
    assert "25,0%" in text and "20,0%" in text
    assert "/du-an/P1/" not in text and "/du-an/P2/" in text
    text = _text(client.get(OVERVIEW, {"nam": 2025, "nguon": FundingSource.CENTRAL_BUDGET}))
    # central budget: 10 bn, 2.5 bn disbursed
    assert "25,0%" in text and "/du-an/P2/" not in text
    text = _text(client.get(OVERVIEW, {"nam": 2025, "cap": "commune"}))
    assert "/du-an/P1/" not in text and "/du-an/P2/" in text
    # an owner id out of the user's scope is ignored, not an error
    response = _login(client, world.other_owner).get(
        OVERVIEW, {"nam": 2025, "chu-dau-tu": world.board.pk}
    )
    assert response.status_code == 200 and "/du-an/P1/" not in _text(response)


def test_overview_rankings_sort_both_ways(client, world, book):  # noqa: F811
    client = _login(client, world.leader)
    text = _text(client.get(OVERVIEW, {"nam": 2025, "xep-cdt": "-giai-ngan"}))
    ranking = text.split('id="xep-hang-cdt"')[1].split('id="xep-hang-dia-ban"')[0]
    # traffic board 5 bn before the construction board 3.5 bn
    assert ranking.index(world.traffic_board.name) < ranking.index(world.board.name)
    assert 'aria-sort="descending"' in ranking
    text = _text(client.get(OVERVIEW, {"nam": 2025, "xep-cdt": "giai-ngan"}))
    ranking = text.split('id="xep-hang-cdt"')[1].split('id="xep-hang-dia-ban"')[0]
    assert ranking.index(world.board.name) < ranking.index(world.traffic_board.name)


def test_overview_query_count_is_bounded(
    client,
    world,
    book,  # noqa: F811
    django_assert_max_num_queries,
):
    client = _login(client, world.leader)
    client.get(OVERVIEW, {"nam": 2025})  # warm the per-process memos
    for extra in range(20):
        project = make_project(world, code=f"X{extra}")
        line = make_line(world, project, BN)
        make_disbursement(world, line, BN // 4, dt.date(2025, 4, 1))
    with django_assert_max_num_queries(24):
        response = client.get(OVERVIEW, {"nam": 2025})
    assert response.status_code == 200


def test_overview_for_an_owner_shows_only_their_projects(client, world, book):  # noqa: F811
    text = _text(_login(client, world.other_owner).get(OVERVIEW, {"nam": 2025}))
    assert "/du-an/P2/" in text and "/du-an/P1/" not in text
    assert world.board.name not in text


def test_overview_refuses_citizens_and_it_admins(client, world):
    assert _login(client, world.it_admin).get(OVERVIEW).status_code == 404
    client.logout()
    assert client.get(OVERVIEW).status_code == 302


# --- project --------------------------------------------------------------------------


def test_project_page_shows_the_whole_record(client, world, book):  # noqa: F811
    p1, _p2 = book
    services.progress_snapshot_add(
        actor=world.owner, project_id=p1.pk, date=dt.date(2025, 6, 1), physical_percent="35.5"
    )
    response = _login(client, world.leader).get(f"/quan-tri/dau-tu/du-an/{p1.code}/", {"nam": 2025})
    assert response.status_code == 200
    text = _text(response)
    for heading in (
        "Thông tin dự án",
        "Chủ đầu tư qua các thời kỳ",
        "Quyết định",
        "Tổng mức đầu tư qua các lần phê duyệt",
        "Kế hoạch vốn",
        "Giải ngân (5 lần)",
        "Tiến độ thực hiện",
        "Gói thầu và hợp đồng",
        "Vướng mắc",
        "Cảnh báo",
    ):
        assert heading in text, heading
    assert "35,5%" in text
    assert "Bị từ chối" in text  # the rejected disbursement is listed, marked
    assert "-500.000.000" in text  # the recovery, negative


def test_project_page_pages_disbursements(client, world):
    project = make_project(world, code="NHIEU")
    line = make_line(world, project, 100 * BN)
    for day in range(1, 31):
        make_disbursement(world, line, BN, dt.date(2025, 3, day))
    client = _login(client, world.leader)
    first = _text(client.get("/quan-tri/dau-tu/du-an/NHIEU/", {"nam": 2025}))
    assert "Giải ngân (30 lần)" in first and "Trang sau" in first
    assert "30/03/2025" in first and "01/03/2025" not in first
    second = _text(client.get("/quan-tri/dau-tu/du-an/NHIEU/", {"nam": 2025, "trang": 2}))
    assert "01/03/2025" in second and "Trang trước" in second


def test_another_owners_project_is_missing(client, world, book):  # noqa: F811
    p1, _p2 = book
    response = _login(client, world.other_owner).get(f"/quan-tri/dau-tu/du-an/{p1.code}/")
    assert response.status_code == 404


# --- daily update -----------------------------------------------------------------------


@pytest.fixture
def today_line(world):
    """A project of the construction board with a plan line of this year."""
    project = make_project(world, code="HN-01", name="Đường trục trung tâm xã")
    line = make_line(world, project, 10 * BN, year=timezone.localdate().year)
    return project, line


def _form(project, line, **changes):
    data = {
        "du-an": project.code,
        "version": str(Project.objects.get(pk=project.pk).version),
        "plan_line": str(line.pk),
        "amount": "1.500.000.000",
        "kind": "payment",
        "reference": "KB-2026-001",
        "date": timezone.localdate().isoformat(),
        "percent": "42,5",
        "note": "",
    }
    data.update(changes)
    return data


def test_owner_records_disbursement_and_progress_with_a_photo(client, world, today_line):
    project, line = today_line
    client = _login(client, world.owner)
    page = _text(client.get(UPDATE))
    assert "HN-01" in page  # one project: chosen already
    assert 'name="plan_line"' in page and "còn 10.000.000.000 đ" in page
    data = _form(project, line)
    data["photo"] = SimpleUploadedFile("hien-truong.png", _png(), content_type="image/png")
    response = client.post(UPDATE, data)
    assert response.status_code == 302, _text(response)[-1500:]
    row = Disbursement.objects.get(project=project)
    assert row.amount == 1_500_000_000 and row.treasury_reference == "KB-2026-001"
    snapshot = ProgressSnapshot.objects.get(project=project)
    assert str(snapshot.physical_percent) == "42.50" and snapshot.photos.count() == 1
    followed = _text(client.get(response["Location"]))
    assert "Đã ghi cho dự án HN-01" in followed and "1.500.000.000" in followed
    # the photo is served on the project page to those who reach the project
    photo = snapshot.photos.get()
    url = f"/quan-tri/dau-tu/du-an/HN-01/tep/{photo.pk}/"
    assert client.get(url).status_code == 200
    assert _login(client, world.other_owner).get(url).status_code == 404


def test_update_refusals_write_nothing(client, world, today_line):
    project, line = today_line
    client = _login(client, world.owner)
    cases = [
        ({"amount": "-5"}, "Số tiền phải là số nguyên dương"),
        ({"amount": "99999999999999999999"}, "Số tiền phải là số nguyên dương"),
        ({"amount": "11.000.000.000"}, "Lũy kế giải ngân vượt kế hoạch vốn"),
        ({"percent": "120"}, "Tỷ lệ phải từ 0 đến 100%"),
        ({"date": "2001-01-01"}, "Ngày giải ngân nằm ngoài năm kế hoạch"),
        ({"date": "hôm qua"}, "Ngày không hợp lệ"),
        ({"amount": "", "percent": ""}, "Hãy nhập số tiền giải ngân hoặc tỷ lệ"),
        ({"plan_line": ""}, "Hãy chọn nguồn vốn"),
    ]
    for changes, message in cases:
        response = client.post(UPDATE, _form(project, line, **changes))
        assert response.status_code == 400, changes
        assert message in _text(response), (changes, _text(response)[-800:])
    # the percent was valid in most cases: nothing half-written
    assert not Disbursement.objects.filter(project=project).exists()
    assert not ProgressSnapshot.objects.filter(project=project).exists()


def test_update_of_a_stale_page_is_refused_and_offers_the_new_version(client, world, today_line):
    project, line = today_line
    client = _login(client, world.owner)
    stale = _form(project, line)
    # someone else records first: the version moves on
    services.progress_snapshot_add(
        actor=world.owner, project_id=project.pk, date=timezone.localdate(), physical_percent=40
    )
    response = client.post(UPDATE, stale)
    assert response.status_code == 400
    text = _text(response)
    assert "Dự án vừa được người khác cập nhật" in text
    assert not Disbursement.objects.filter(project=project).exists()
    fresh = Project.objects.get(pk=project.pk).version
    assert f'name="version" value="{fresh}"' in text
    assert client.post(UPDATE, {**stale, "version": str(fresh)}).status_code == 302


def test_owner_cannot_update_another_owners_project(client, world, today_line):
    project, line = today_line
    client = _login(client, world.other_owner)
    assert project.code not in _text(client.get(UPDATE))
    assert client.get(UPDATE, {"du-an": project.code}).status_code == 404
    assert client.post(UPDATE, _form(project, line)).status_code == 404
    # nor through a line of it on a project of their own
    own = make_project(world, code="GT-01", owner=world.traffic_board)
    make_line(world, own, BN, year=timezone.localdate().year)
    response = client.post(UPDATE, _form(own, line))
    assert response.status_code == 400
    assert "Không tìm thấy dòng kế hoạch vốn" in _text(response)
    assert not Disbursement.objects.exists()


def test_leaders_have_no_update_page(client, world):
    assert _login(client, world.leader).get(UPDATE).status_code == 404


# --- alerts -----------------------------------------------------------------------------


@pytest.fixture
def alerts(world, book):  # noqa: F811
    p1, p2 = book
    one = Alert.objects.create(
        project=p1,
        kind=AlertKind.BELOW_MONTH_TARGET,
        period="2025-06",
        severity=AlertSeverity.CRITICAL,
        message="Giải ngân dưới mục tiêu tháng.",
    )
    two = Alert.objects.create(
        project=p2, kind=AlertKind.NO_UPDATE, period="2025-06-01", message="Chưa cập nhật."
    )
    return one, two


def test_alerts_by_scope_kind_and_severity(client, world, alerts):
    text = _text(_login(client, world.leader).get(ALERTS))
    assert "2 cảnh báo." in text
    text = _text(client.get(ALERTS, {"muc-do": AlertSeverity.CRITICAL}))
    assert "1 cảnh báo." in text and "/du-an/P1/" in text
    text = _text(client.get(ALERTS, {"loai": AlertKind.NO_UPDATE}))
    assert "1 cảnh báo." in text and "/du-an/P2/" in text
    text = _text(_login(client, world.owner).get(ALERTS))
    assert "1 cảnh báo." in text and "/du-an/P2/" not in text


def test_acknowledge_with_a_note(client, world, alerts):
    one, _two = alerts
    client = _login(client, world.owner)
    response = client.post(
        f"{ALERTS}{one.pk}/xac-nhan/", {"note": "Đã họp nhà thầu, đẩy nhanh", "next": ALERTS}
    )
    assert response.status_code == 302 and response["Location"] == ALERTS
    one.refresh_from_db()
    assert one.acknowledged_by == world.owner and one.acknowledged_note.startswith("Đã họp")
    text = _text(client.get(ALERTS))
    assert "Đã họp nhà thầu, đẩy nhanh" in text
    # the other owner's alert is missing for them, and GET changes nothing
    assert client.post(f"{ALERTS}{_two.pk}/xac-nhan/", {"note": "x"}).status_code == 404
    assert client.get(f"{ALERTS}{one.pk}/xac-nhan/").status_code == 405
    # an address outside the pages is not followed
    response = client.post(f"{ALERTS}{one.pk}/xac-nhan/", {"next": "https://example.com/"})
    assert response["Location"] == ALERTS


def test_dashboard_card_counts(client, world, alerts):
    text = _text(_login(client, world.leader).get("/quan-tri/"))
    assert "Đầu tư công" in text
    assert re.search(r'figure-value">2</span>\s*<span class="figure-label">dự án trong', text) or (
        "dự án trong phạm vi" in text
    )
    assert "cảnh báo chưa xem" in text
    assert "/quan-tri/dau-tu/canh-bao/?chua-xem=1" in text


def test_overview_figures_kept_until_something_changes(client, world, book, settings):  # noqa: F811
    settings.TINHSO_INVESTMENT_OVERVIEW_CACHE_SECONDS = 60
    client = _login(client, world.leader)
    assert "28,3%" in _text(client.get(OVERVIEW, {"nam": 2025}))
    p1, _p2 = book
    line = p1.plan_lines.get(source=FundingSource.CENTRAL_BUDGET)
    # 3 bn more on P1's central line: 11.5 / 30 = 38.3% against the PM's plan
    make_disbursement(world, line, 3 * BN, dt.date(2025, 9, 1))
    assert "38,3%" in _text(client.get(OVERVIEW, {"nam": 2025}))
    # another leader's figures are their own (the commune's leader: P2 only, 5 / 20)
    text = _text(_login(client, world.commune_leader).get(OVERVIEW, {"nam": 2025}))
    assert "25,0%" in text and "/du-an/P1/" not in text
