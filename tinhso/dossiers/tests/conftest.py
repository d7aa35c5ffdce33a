import pytest

from tinhso.dossiers.tests.factories import make_world


@pytest.fixture
def world(db):
    return make_world()


class Clock:
    """``tinhso.core.calendar.now`` under the test's control."""

    def __init__(self, monkeypatch):
        self.moment = None
        monkeypatch.setattr("tinhso.core.calendar.now", lambda: self.moment)

    def set(self, moment):
        self.moment = moment
        return moment


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def api():
    """Call the API as a user (bearer token) or anonymously."""
    from django.test import Client

    from tinhso.core.auth import api_token_issue

    class Api:
        def __init__(self):
            self.keys = {}

        def client(self, user=None):
            headers = {}
            if user is not None:
                if user.pk not in self.keys:
                    _token, self.keys[user.pk] = api_token_issue(user=user)
                headers["HTTP_AUTHORIZATION"] = f"Bearer {self.keys[user.pk]}"
            client = Client(**headers)
            return client

        def get(self, user, path, **params):
            return self.client(user).get(f"/api/v1/dossiers{path}", params)

        def act(self, user, code, action, **body):
            return self.client(user).post(
                f"/api/v1/dossiers/{code}/actions/{action}", body, content_type="application/json"
            )

        def submit(self, user, data, files=None, key="api-key-0001"):
            payload = dict(data)
            for code, items in (files or {}).items():
                payload[code] = items
            extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
            return self.client(user).post("/api/v1/dossiers/", payload, **extra)

    return Api()
