"""The jobs tests reuse the roadmap fixtures (a tenant with one member per role, a roadmap for items)
and may run a Redis server of their own."""

from collections.abc import Iterator

import pytest

from tests.redis_server import RedisServer
from tests.roadmaps.conftest import catalog_model, items_roadmap, members, tenant  # noqa: F401


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    """A Redis server of this test's own, which it may stop, restart and flush."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
