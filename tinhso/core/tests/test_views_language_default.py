"""Vietnamese by default, whatever the browser asks; English only when chosen."""

import pytest


@pytest.mark.django_db
def test_an_english_browser_still_gets_vietnamese_pages(client):
    # Given a browser whose preferred language is English
    # When it opens the home page without having used the language switch
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    # Then the page is Vietnamese
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi"' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_gives_english_and_back(client):
    # When the person chooses English with the switch
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    # and later Vietnamese again
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    vietnamese = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    # Then each choice holds regardless of the browser
    assert english["Content-Language"] == "en"
    assert vietnamese["Content-Language"] == "vi"


@pytest.mark.django_db
def test_api_errors_are_vietnamese_for_an_english_client(client):
    response = client.get("/api/v1/units/99999", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert "Không tìm thấy" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies["django_language"] = "fr"

    response = client.get("/")

    assert response["Content-Language"] == "vi"
