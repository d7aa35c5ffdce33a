"""GET /api/v1/ping: the constant answer benchmarks use as the server's ceiling."""

import pytest


@pytest.mark.django_db
def test_ping_answers_without_signing_in_and_without_any_query(client, django_assert_num_queries):
    # Given an anonymous client
    # When it pings the API
    with django_assert_num_queries(0):
        response = client.get("/api/v1/ping")

    # Then it gets the constant JSON answer, and the database was not touched
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ping_refuses_other_methods_with_the_json_error_format(client):
    # When a client posts to the ping endpoint
    response = client.post("/api/v1/ping", data="{}", content_type="application/json")

    # Then it is told the method is not allowed, in the one error format
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_ping_is_described_in_the_openapi_schema(client):
    schema = client.get("/api/openapi.json").json()

    operation = schema["paths"]["/api/v1/ping"]["get"]

    assert operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert "security" not in operation
