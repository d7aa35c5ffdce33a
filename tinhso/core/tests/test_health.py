import pytest


@pytest.mark.django_db
def test_healthz_reports_database_migrations_and_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["migrations"] == "ok"
    assert body["version"]


@pytest.mark.django_db
def test_openapi_schema_is_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")
