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
