"""CSRF on every state-changing request (ASVS 4.2.2): every POST/PUT/PATCH/DELETE rule of the app,
signed in as the owner with the owner's own objects in the URL, without a token (a form post
from another site) or with a wrong one (a forged htmx header), gets 400 and changes nothing.

Out of scope, by design: the Stripe webhook (Stripe signs it; no browser is involved) and the
API under /api/ (bearer tokens only; it never reads the session cookie, so there is no ambient
credential to ride on).
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import Rule

from saas.extensions import limiter
from tests.walker import (
    WRITE_METHODS,
    World,
    all_rules,
    build_path,
    build_world,
    changes,
    fingerprint,
    is_api,
    rolled_back,
    values_for,
)

NOT_CSRF_PROTECTED = {
    "billing_public.webhook": "signed by Stripe (Stripe-Signature), called by Stripe's servers"
}
FORM = {"name": "Forged", "role": "viewer", "status": "done", "body": "forged", "email": "x@example.com"}


def state_changing_rules(app: Flask) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in all_rules(app)
        if not is_api(rule) and rule.endpoint not in NOT_CSRF_PROTECTED
        for method in WRITE_METHODS
        if method in (rule.methods or ())
    ]


@pytest.fixture
def home(app: Flask) -> World:
    return build_world("Alpha Home")


def test_there_are_state_changing_rules_to_walk(app: Flask):
    endpoints = {rule.endpoint for rule, _method in state_changing_rules(app)}
    assert len(endpoints) >= 30
    assert {"accounts.login", "tenants.signup", "roadmaps.assessment_save", "roadmaps.item_move"} <= endpoints
    assert set(NOT_CSRF_PROTECTED) <= {rule.endpoint for rule in app.url_map.iter_rules()}


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("no token", {}),
        ("a wrong token in the htmx header", {"X-CSRFToken": "forged-token", "HX-Request": "true"}),
    ],
)
def test_every_state_changing_request_without_a_valid_token_gets_400(
    app, client, home, monkeypatch, name, headers
):
    monkeypatch.setattr(limiter, "enabled", False)
    client.login(home.owner)
    baseline = fingerprint([home.tenant.id])
    failures = []

    for rule, method in state_changing_rules(app):
        path = build_path(app, rule, values_for(rule, home), method)
        with rolled_back():
            response = client.open(path, method=method, data=FORM, headers=headers)
            changed = changes(baseline, fingerprint([home.tenant.id]))
        if response.status_code != 400 or "security token" not in response.get_data(as_text=True):
            failures.append(f"{method} {path} ({rule.endpoint}) with {name}: {response.status_code}")
        if changed:
            failures.append(f"{method} {path} ({rule.endpoint}) with {name} changed {changed}")

    assert not failures, "\n".join(failures)
    assert (
        client.get("/account").status_code == 200
    )  # still signed in: nothing was refused for another reason
