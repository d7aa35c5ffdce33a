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


@pytest.mark.django_db
def test_healthz_is_unavailable_while_a_migration_is_not_applied(client):
    # Given the database forgot one of the migrations the code ships
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder.Migration.objects.filter(app="core", name="0001_initial").delete()

    # When the load balancer asks
    response = client.get("/healthz")

    # Then the platform says it is not ready, and why
    assert response.status_code == 503
    assert response.json()["migrations"] == "1 pending"
    assert response.json()["status"] == "unavailable"
