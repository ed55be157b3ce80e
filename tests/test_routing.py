"""Ids in URLs beyond what an id column holds are simply not found."""

from __future__ import annotations

import pytest

from tests.support import make_tenant, owner_of


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_an_id_too_large_for_the_database_gives_404(client, db_session, huge):
    tenant = make_tenant("Acme")
    client.login(owner_of(tenant))
    response = client.get(f"/t/{tenant.slug}/roadmaps/{huge}")
    assert response.status_code == 404


def test_the_largest_real_id_still_routes(app):
    adapter = app.url_map.bind("localhost")
    endpoint, values = adapter.match(f"/t/acme/roadmaps/{2**31 - 1}")
    assert values["roadmap_id"] == 2**31 - 1
    assert endpoint.startswith("roadmaps.")
