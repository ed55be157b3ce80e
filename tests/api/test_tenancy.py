"""Tokens reach only the tenants their user belongs to (ASVS 4.1.1/4.2.1), with the pages' own entry rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from werkzeug.routing import Rule

from saas.database import utcnow
from saas.extensions import db
from saas.roadmaps.items.models import ActionItem
from saas.roadmaps.planning.models import RoadmapStatus
from saas.tenants import services as tenants
from saas.tenants.models import Membership
from saas.tenants.permissions import Role
from tests.api.conftest import ApiClient, audit_count, token_for
from tests.roadmaps.assessing import enter, roadmap_with_lines
from tests.roadmaps.conftest import make_item
from tests.support import make_tenant, owner_of

API_TENANT_PREFIX = "/api/v1/t/<slug:tenant_slug>"


def api_tenant_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(API_TENANT_PREFIX)]


def build(app: Flask, rule: Rule, slug: str, method: str, ids: int = 1) -> str:
    values = {name: slug if name == "tenant_slug" else ids for name in rule.arguments}
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


@pytest.fixture
def elsewhere(catalog_model):
    """Another organisation with a roadmap and an item; its owner holds a token."""
    other = make_tenant("Elsewhere Ltd")
    roadmap = roadmap_with_lines(other, catalog_model, ["WP"], name="Their plan")
    item = make_item(other, roadmap, title="Their secret plan")
    db.session.commit()
    return other, roadmap, item


def test_there_are_api_tenant_urls_to_walk(app):
    assert len(api_tenant_rules(app)) >= 12


def test_a_token_of_tenant_a_gets_404_on_every_url_and_method_of_tenant_b(
    app, client, tenant, people, elsewhere
):
    other, roadmap, item = elsewhere
    outsider = ApiClient(client, token_for(people[Role.OWNER]))  # owner of Acme, stranger to Elsewhere
    before = audit_count(other)

    for rule in api_tenant_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for ids in (1, roadmap.id, item.id):
                path = build(app, rule, other.slug, method, ids).removeprefix("/api/v1")
                response = outsider.call(method, path, json={})
                assert response.status_code == 404, (method, path, response.status_code)
                assert response.json["status"] == 404
            nowhere = build(app, rule, "no-such-tenant", method).removeprefix("/api/v1")
            assert outsider.call(method, nowhere, json={}).status_code == 404

    assert audit_count(other) == before
    enter(other)
    assert db.session.get(ActionItem, item.id).title == "Their secret plan"


def test_ids_of_another_tenant_are_not_found_through_ones_own_tenant(client, tenant, people, elsewhere):
    other, roadmap, item = elsewhere
    api = ApiClient(client, token_for(people[Role.OWNER]))
    mine = f"/t/{tenant.slug}"

    assert api.get(f"{mine}/items/{item.id}").status_code == 404
    assert api.patch(f"{mine}/items/{item.id}", json={"title": "Mine now"}).status_code == 404
    assert api.delete(f"{mine}/items/{item.id}").status_code == 404
    assert api.get(f"{mine}/roadmaps/{roadmap.id}").status_code == 404
    assert api.post(f"{mine}/roadmaps/{roadmap.id}/archive").status_code == 404
    assert api.get(f"{mine}/roadmaps/{roadmap.id}/assessments").status_code == 404
    created = api.post(f"{mine}/items", json={"roadmap_id": roadmap.id, "title": "Into their roadmap"})
    assert created.status_code == 422
    assert "roadmap_id" in created.json["errors"]
    assert api.get(f"{mine}/items").json["total"] == 0
    enter(other)
    assert db.session.get(ActionItem, item.id).title == "Their secret plan"


def test_a_member_of_both_tenants_reaches_both_with_one_token(client, tenant, people, elsewhere):
    other, _roadmap, _item = elsewhere
    consultant = people[Role.CONSULTANT]
    db.session.add(Membership(tenant=other, user=consultant, role=Role.CONSULTANT))
    db.session.commit()
    api = ApiClient(client, token_for(consultant))

    assert api.get(f"/t/{tenant.slug}/items").status_code == 200
    assert api.get(f"/t/{other.slug}/items").json["total"] == 1
    assert {t["slug"] for t in api.get("/me").json["tenants"]} == {tenant.slug, other.slug}


def test_removing_the_membership_closes_the_tenant_to_the_token(client, tenant, people):
    staff = people[Role.STAFF]
    api = ApiClient(client, token_for(staff))
    assert api.get(f"/t/{tenant.slug}/members").status_code == 200

    membership = tenants.membership_get(tenant=tenant, user=staff)
    db.session.delete(membership)
    db.session.commit()

    assert api.get(f"/t/{tenant.slug}/members").status_code == 404
    assert api.get("/me").json["tenants"] == []


def test_a_read_only_tenant_refuses_api_writes_but_answers_reads(
    app, client, tenant, people, roadmap, monkeypatch
):
    """Billing's read-only mode is a tenant entry check, so the API honours it like the pages."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_read_only")
    enter(tenant)
    tenant.trial_ends_at = utcnow() - timedelta(days=1)
    db.session.commit()
    api = ApiClient(client, token_for(owner_of(tenant)))

    refused = api.post(f"/t/{tenant.slug}/roadmaps/{roadmap.id}/archive")
    created = api.post(f"/t/{tenant.slug}/items", json={"roadmap_id": roadmap.id, "title": "Late"})

    assert refused.status_code == 403
    assert created.status_code == 403
    assert "The free trial ended" in refused.json["message"]
    assert refused.json["upgrade_url"].endswith(f"/t/{tenant.slug}/billing")
    assert refused.json["errors"] == {}
    assert api.get(f"/t/{tenant.slug}/roadmaps/{roadmap.id}").json["status"] == RoadmapStatus.ACTIVE
