from saas.extensions import limiter
from tests.test_isolation_walk import Caller, walk, worlds  # noqa: F401


def test_count(app, client, worlds, monkeypatch):
    monkeypatch.setattr(limiter, "enabled", False)
    home, other = worlds
    result = walk(app, Caller(client, home), home, other)
    api = {e for e in result.walked if e.startswith("api")}
    print(f"\nWALK rules={len(result.walked)} api={len(api)} requests={result.requests} failures={len(result.failures)} total_rules={len(list(app.url_map.iter_rules()))}")
