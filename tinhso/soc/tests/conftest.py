import pytest
from django.core.cache import cache

from tinhso.soc.enforcement import DECISIONS
from tinhso.soc.engine import EVENTS


@pytest.fixture(autouse=True)
def _fresh_soc_state():
    """Each test starts with empty buckets, an empty decision cache and no shared stamp."""
    EVENTS.reset()
    DECISIONS.__init__()
    cache.clear()
    yield
    EVENTS.reset()
    DECISIONS.__init__()
    cache.clear()
