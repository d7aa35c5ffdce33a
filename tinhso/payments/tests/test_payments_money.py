"""Amounts on the dossier, payment, gateway simulator and receipt pages, in both languages."""

from __future__ import annotations

import urllib.parse

import pytest
from django.conf import settings
from django.test import Client

from tinhso.dossiers.models import DossierEvent
from tinhso.dossiers.tests.factories import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def vietnamese():
    """Each test starts in Vietnamese (a page asked in English leaves English active)."""
    from django.utils import translation

    with translation.override("vi"):
        yield


def signed_in(user, language="vi"):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_citizen_dossier_page_writes_the_amounts_in_vietnamese(world, requested):
    page = signed_in(world.citizen_user).get(f"/ca-nhan/ho-so/{requested.dossier.code}/")
    text = page.content.decode()
    # the fee lines (200,000 and 50,000) and the total
    assert "200.000 đồng" in text and "50.000 đồng" in text
    assert "Tổng số tiền: 250.000 đồng" in text
    assert "250,000" not in text and " đ<" not in text


def test_the_citizen_dossier_page_writes_the_amounts_in_english(world, requested):
    page = signed_in(world.citizen_user, "en").get(f"/ca-nhan/ho-so/{requested.dossier.code}/")
    text = page.content.decode()
    assert "Total: 250,000 VND" in text
    assert "200,000 VND" in text
    assert "Total: 250.000" not in text and "200.000 đồng" not in text


def test_the_simulator_and_the_return_page_write_the_amount(world, clock, requested):
    clock.set(at(2026, 3, 10, 9))
    client = signed_in(world.citizen_user)
    start = client.post(f"/ca-nhan/thanh-toan/{requested.reference}/")
    simulator = client.get(start["Location"]).content.decode()
    assert "Số tiền: 250.000 đồng" in simulator
    query = urllib.parse.urlsplit(start["Location"]).query
    done = client.post("/gia-lap-cong-thanh-toan/", {"query": query, "action": "pay"})
    back = client.get(done["Location"]).content.decode()
    assert "Số tiền: 250.000 đồng" in back
    # and in English
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Amount: 250,000 VND" in client.get(done["Location"]).content.decode()


def test_the_history_notes_the_amount_the_vietnamese_way(world, requested):
    note = DossierEvent.objects.get(dossier=requested.dossier, action="request_payment").note
    assert note.startswith("Số tiền phải nộp: 250.000 đồng.")
