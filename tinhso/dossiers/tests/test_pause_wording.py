"""The paused clock is explained by its cause: a supplement or a financial obligation."""

import re

import pytest

from tinhso.dossiers.actions import dossier_act
from tinhso.dossiers.tests.factories import at
from tinhso.dossiers.tests.test_payment_actions import fees, processing_dossier

pytestmark = pytest.mark.django_db


def _hint(html: str) -> str:
    match = re.search(r'<span class="hint" data-pause="[^"]*">\((.*?)\)</span>', html)
    assert match, "no pause hint on the page"
    return match.group(1)


def test_waiting_for_payment_says_so_to_the_citizen_and_the_officer(client, world, clock):
    # given a dossier waiting for the applicant's fees (its clock paused)
    fees(world.procedure, 200_000)
    dossier = processing_dossier(world, clock)
    clock.set(at(2026, 3, 9, 9))
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    assert dossier.paused_since is not None
    # when the citizen opens it, the pause is explained by the payment, not a supplement
    client.force_login(world.citizen_user)
    html = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert _hint(html) == "tạm dừng tính thời gian trong khi chờ thực hiện nghĩa vụ tài chính"
    assert "chờ bổ sung" not in html
    # and the officer's page says the same
    client.force_login(world.specialist)
    html = client.get(f"/quan-tri/ho-so/{dossier.code}/").content.decode()
    assert "Tạm dừng, chờ nghĩa vụ tài chính" in html
    assert "Tạm dừng, chờ bổ sung" not in html


def test_waiting_for_a_supplement_says_so(client, world, clock):
    # given a dossier whose applicant was asked for a supplement
    dossier = processing_dossier(world, clock)
    clock.set(at(2026, 3, 9, 9))
    dossier = dossier_act(
        actor=world.specialist,
        dossier=dossier,
        action="request_supplement",
        reason="Tờ khai thiếu chữ ký",
        items=["Tờ khai có chữ ký"],
    )
    assert dossier.paused_since is not None
    client.force_login(world.citizen_user)
    html = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert _hint(html) == "tạm dừng tính thời gian trong khi chờ bổ sung"
    assert "nghĩa vụ tài chính" not in _hint(html)
    client.force_login(world.specialist)
    html = client.get(f"/quan-tri/ho-so/{dossier.code}/").content.decode()
    assert "Tạm dừng, chờ bổ sung" in html


def test_the_english_page_names_the_cause_too(client, world, clock):
    fees(world.procedure, 200_000)
    dossier = processing_dossier(world, clock)
    clock.set(at(2026, 3, 9, 9))
    dossier = dossier_act(actor=world.specialist, dossier=dossier, action="request_payment")
    client.force_login(world.citizen_user)
    client.cookies["django_language"] = "en"
    html = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert _hint(html) == "the clock is paused while waiting for the fees to be paid"
