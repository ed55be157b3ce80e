"""A read-only tenant can view and export everything, but every write is refused clearly."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask

from saas.database import utcnow
from saas.extensions import db
from saas.tenants.permissions import Role
from tests.billing.conftest import end_trial, subscribe
from tests.support import add_member, owner_of


def tenant_write_urls(app: Flask, slug: str) -> list[str]:
    """Every POST rule under /t/<slug>/ outside billing, with 1 for each id."""
    urls = []
    for rule in app.url_map.iter_rules():
        if (
            rule.rule.startswith("/t/<tenant_slug>")
            and "POST" in rule.methods
            and not rule.endpoint.startswith("billing.")
        ):
            urls.append(
                re.sub(r"<(?:int:)?(\w+)>", lambda m: slug if m[1] == "tenant_slug" else "1", rule.rule)
            )
    return sorted(set(urls))


@pytest.fixture
def read_only(stripe, tenant):
    end_trial(tenant)
    return tenant


def test_every_tenant_write_of_a_read_only_tenant_is_refused_with_a_reason_and_a_billing_link(
    app, client, read_only
):
    client.login(owner_of(read_only))
    token = client.csrf_token(f"/t/{read_only.slug}/")
    urls = tenant_write_urls(app, read_only.slug)
    assert f"/t/{read_only.slug}/settings" in urls  # the tenants wing's own forms are among them

    for url in urls:
        response = client.post(url, data={"csrf_token": token})
        html = response.get_data(as_text=True)
        assert response.status_code == 403, url
        assert "The free trial ended" in html, url
        assert f'href="/t/{read_only.slug}/billing"' in html, url


def test_a_refused_write_changes_nothing(client, read_only):
    client.login(owner_of(read_only))

    response = client.submit(
        f"/t/{read_only.slug}/settings",
        {"name": "Renamed", "timezone": "UTC"},
        token_page=f"/t/{read_only.slug}/",
    )

    db.session.refresh(read_only)
    assert response.status_code == 403
    assert read_only.name == "Acme Services"


def test_a_read_only_tenant_can_still_view_and_export(client, read_only):
    client.login(owner_of(read_only))

    for page in (
        "/",
        "/settings",
        "/members",
        "/audit",
        "/roadmaps",
        "/items",
        "/items/export.csv",
        "/billing",
    ):
        assert client.get(f"/t/{read_only.slug}{page}").status_code == 200, page


def test_a_read_only_tenant_can_still_pay(client, read_only, stripe):
    client.login(owner_of(read_only))

    response = client.submit(
        f"/t/{read_only.slug}/billing/checkout",
        {"plan": "team", "seats": 1, "operation_id": "pay-to-unlock-000001"},
        token_page=f"/t/{read_only.slug}/",
    )

    assert response.status_code == 303
    assert response.location.startswith("https://checkout.stripe.com/")


def test_views_marked_allowed_when_read_only_pass(app, client, read_only, monkeypatch):
    monkeypatch.setattr(app.view_functions["tenant.settings"], "allowed_when_read_only", True, raising=False)
    client.login(owner_of(read_only))

    response = client.submit(
        f"/t/{read_only.slug}/settings",
        {"name": "Renamed", "timezone": "UTC"},
        token_page=f"/t/{read_only.slug}/",
    )

    assert response.status_code == 302


def test_json_clients_get_the_refusal_as_json(client, read_only):
    client.login(owner_of(read_only))
    token = client.csrf_token(f"/t/{read_only.slug}/")

    response = client.post(
        f"/t/{read_only.slug}/settings", data={"csrf_token": token}, headers={"Accept": "application/json"}
    )

    assert response.status_code == 403
    assert response.json["upgrade_url"].endswith(f"/t/{read_only.slug}/billing")
    assert "trial ended" in response.json["message"]


def test_non_owners_are_told_to_ask_an_owner(client, read_only):
    client.login(add_member(read_only, Role.PROGRAM_MANAGER))

    response = client.submit(f"/t/{read_only.slug}/settings", {}, token_page=f"/t/{read_only.slug}/")

    assert response.status_code == 403
    assert "Ask an owner" in response.get_data(as_text=True)


@pytest.mark.parametrize("standing", ["grace period", "billing off"])
def test_writes_pass_in_the_grace_period_and_when_billing_is_off(
    client, tenant, stripe_server, monkeypatch, standing
):
    end_trial(tenant)
    if standing == "grace period":
        monkeypatch.setitem(client.application.config, "STRIPE_SECRET_KEY", "sk_test_standin")
        subscribe(tenant, status="past_due", grace_until=utcnow() + timedelta(days=1))
    client.login(owner_of(tenant))

    response = client.submit(
        f"/t/{tenant.slug}/settings", {"name": "Renamed", "timezone": "UTC"}, token_page=f"/t/{tenant.slug}/"
    )

    assert response.status_code == 302
