"""The tenant-isolation walk (ASVS 4.1.1/4.2.1): every URL rule x method, pages and API, called by
the owner of tenant A with the ids of tenant B, answers 404 (or 403) and changes nothing.

Tenant B has one object of every kind (tests/walker.py builds both tenants through the
services). For each rule that names an object, the walk asks as A's owner, with a valid CSRF
token (pages) or A's API token (/api/):

- A's tenant in the URL with every other id B's (the classic "change the number" attack);
- when the rule names several objects, B's for one of them and A's for the rest (a child that
  does not belong to its parent);
- B's tenant and B's ids (someone who is not a member);
- forged tokens in place of emailed or calendar secrets.

Each answer must be 404 or 403 (never 2xx, 3xx, 5xx) and leave every table as it was (row
counts and a digest of the rows of both tenants). Each request then runs again with A's own
objects, the control: it must reach them, proving the walk's URLs are right. Requests run in
savepoints that are rolled back, so a leak found does not disturb the rest of the walk.

A rule whose parameter the walker cannot fill fails the walk: see FILLERS in tests/walker.py.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask_login import login_required
from werkzeug.routing import Rule

from saas import create_app
from saas.extensions import db, limiter
from saas.tenants.models import Membership
from tests.walker import (
    FILLERS,
    WRITE_METHODS,
    ApiDocument,
    Owned,
    Secret,
    World,
    all_rules,
    build_path,
    build_world,
    changes,
    fake_rule,
    fingerprint,
    forged,
    guarded_params,
    is_api,
    rolled_back,
    unfillable,
    values_for,
    walked_methods,
)

REFUSED = {403, 404}
REFUSED_SECRET = {400, 403, 404, 410}
# Form fields that would make most forms valid, so a view that forgot to check ownership would act.
FORM: dict[str, str] = {
    "status": "done",
    "body": "Walker was here",
    "title": "Walker",
    "url": "https://walker.example/x",
    "role": "viewer",
    "email": "walker@example.com",
    "characterisation": "FI",
    "notes": "walker",
    "verdict": "satisfied",
    "note": "walker",
    "reason": "walker",
    "action": "raise",
    "name": "Walker",
    "description": "walker",
    "priority": "medium",
    "password": "a-long-and-unusual-walker-passphrase",
    "confirm": "a-long-and-unusual-walker-passphrase",
}
# Ids a view reads from the query string or the form rather than the path: the service line an
# assessment page shows or saves. B's line with A's roadmap must be refused as well.
QUERY_IDS: dict[str, dict[str, str]] = {
    endpoint: {"line": "service_line_id"}
    for endpoint in (
        "roadmaps.assessment_grid",
        "roadmaps.assessment_practice",
        "roadmaps.assessment_save",
        "roadmaps.goal_judgement",
        "roadmaps.practice_raise",
        "roadmaps.evidence_add",
    )
}
LEAKY_APP_CONFIG = (
    "APP_ENV", "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "REDIS_URL", "RATELIMIT_STORAGE_URI",
    "MAIL_URL", "MAIL_DIR", "UPLOAD_DIR", "BASE_URL", "SERVER_NAME",
)  # fmt: skip
# Controls that cannot succeed for the owner, and why; every other control must reach its object.
CONTROL_REFUSED: dict[tuple[str, str], str] = {
    ("tenants.invitation", "POST"): "the owner is not the invited person: the link is bound to its address",
}


@pytest.fixture
def worlds(app: Flask) -> tuple[World, World]:
    """Tenant A (the caller's) and tenant B (the target), B with one item more, so its latest key is B's alone."""
    other = build_world("Beta Foreign", extra_items=1)
    home = build_world("Alpha Home")
    return home, other


def test_every_parameter_of_every_rule_can_be_filled(app: Flask):
    assert unfillable(all_rules(app)) == []


def test_the_coverage_check_names_a_new_rule_it_cannot_fill():
    widget = fake_rule("/t/<tenant_slug>/widgets/<int:widget_id>", "roadmaps.widget")
    unknown_token = fake_rule("/shares/<token>", "sharing.open")
    known = fake_rule("/t/<tenant_slug>/items/<int:item_id>/pin", "roadmaps.pin", ["POST"])

    assert unfillable([widget, known]) == [
        "rule /t/<tenant_slug>/widgets/<int:widget_id> (roadmaps.widget) has parameter widget_id "
        "the walker can't fill"
    ]
    assert unfillable([unknown_token])[0].startswith(
        "rule /shares/<token> (sharing.open) has parameter token the walker can't fill"
    )
    assert guarded_params(known) == ["item_id", "tenant_slug"]


def variants(rule: Rule, home: World, other: World) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """The foreign fillings of `rule`: (what is foreign, URL values, query and form values)."""
    guarded = guarded_params(rule)
    own = values_for(rule, home)

    def foreign(name: str) -> Any:
        return forged(own[name]) if isinstance(FILLERS[name], Secret) else other.value(rule, name)

    ids = [name for name in guarded if name != "tenant_slug"]
    found: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    if ids:
        found.append((f"B's {', '.join(ids)}", {**own, **{name: foreign(name) for name in ids}}, {}))
    if len(ids) > 1:
        found += [(f"B's {name} only", {**own, name: foreign(name)}, {}) for name in ids]
    if "tenant_slug" in guarded:
        found.append(("B's tenant and ids", {**own, **{name: foreign(name) for name in guarded}}, {}))
    for field_name, key in QUERY_IDS.get(rule.endpoint, {}).items():
        found.append((f"B's {key} in ?{field_name}", own, {field_name: other.values[key]}))
    return found


class Caller:
    """Tenant A's owner: signed in for pages (with the page's CSRF token), bearer token for the API."""

    def __init__(self, client, home: World) -> None:
        self.client = client.login(home.owner)
        self.csrf = client.csrf_token("/account")
        self.home = home
        self.api = ApiDocument.fetch(client)

    def call(self, rule: Rule, method: str, path: str, extra: dict[str, Any] | None = None):
        kwargs: dict[str, Any] = {}
        if is_api(rule):
            kwargs["headers"] = {"Authorization": f"Bearer {self.home.api_token}"}
            body = self.api.body(rule, method, self.home) if method in WRITE_METHODS else None
            if body is not None:
                kwargs["json"] = body
        else:
            kwargs["headers"] = {"X-CSRFToken": self.csrf}
            if method in WRITE_METHODS:
                kwargs["data"] = {**FORM, **(extra or {}), "csrf_token": self.csrf}
        return self.client.open(path, method=method, **kwargs)


@dataclass
class Walk:
    failures: list[str] = field(default_factory=list)
    walked: set[str] = field(default_factory=set)
    requests: int = 0


def walk(app: Flask, caller: Caller, home: World, other: World) -> Walk:
    """Every rule that names an object, every method, every foreign filling; then the controls."""
    scope = [home.tenant.id, other.tenant.id]
    baseline = fingerprint(scope)
    result = Walk()
    pairs = [
        (rule, method) for rule in all_rules(app) if guarded_params(rule) for method in walked_methods(rule)
    ]
    for rule, method in pairs:
        for what, values, extra in variants(rule, home, other):
            path = build_path(app, rule, values, method)
            if extra:
                path += "?" + urlencode(extra)
            allowed = REFUSED_SECRET if _has_secret(rule) else REFUSED
            with rolled_back():
                response = caller.call(rule, method, path, extra)
                changed = changes(baseline, fingerprint(scope))
            result.requests += 1
            if response.status_code not in allowed:
                result.failures.append(f"{method} {path} ({rule.endpoint}, {what}): {response.status_code}")
            if changed:
                result.failures.append(f"{method} {path} ({rule.endpoint}, {what}) changed {changed}")
        result.walked.add(rule.endpoint)
    # Reads before writes: a control's side effects outside the database (a deleted evidence
    # file) are not rolled back with it.
    for rule, method in sorted(pairs, key=lambda pair: pair[1] != "GET"):
        result.failures += _control(app, caller, rule, method, home)
        result.requests += 1
    return result


def test_another_tenants_ids_give_404_and_change_nothing(app, client, worlds, monkeypatch):
    home, other = worlds
    monkeypatch.setattr(limiter, "enabled", False)  # hundreds of calls in a few seconds, by design

    result = walk(app, Caller(client, home), home, other)

    assert not result.failures, (
        f"{len(result.failures)} problem(s) in {result.requests} requests:\n" + "\n".join(result.failures)
    )
    assert len(result.walked) >= 40, sorted(result.walked)
    assert set(QUERY_IDS) <= result.walked, "QUERY_IDS names endpoints that no longer exist"
    assert client.get("/account").status_code == 200  # still signed in: the walk measured what it meant to


def test_the_walk_catches_a_view_that_forgets_whose_object_it_is(app, worlds, monkeypatch):
    """The walk is not vacuous: a view that loads a membership by id alone is caught, by status and by change."""
    home, other = worlds
    monkeypatch.setattr(limiter, "enabled", False)
    leaky = create_app({key: app.config[key] for key in LEAKY_APP_CONFIG})
    leaky.test_client_class = app.test_client_class

    @leaky.post("/leak/members/<int:membership_id>/remove", endpoint="leak.remove_member")
    @login_required
    def remove_member(membership_id: int):
        db.session.delete(db.session.get(Membership, membership_id))  # no tenant check: the bug
        db.session.commit()
        return "removed"

    only_the_leak = [rule for rule in leaky.url_map.iter_rules() if rule.endpoint == "leak.remove_member"]
    monkeypatch.setattr(sys.modules[__name__], "all_rules", lambda _app: only_the_leak)

    result = walk(leaky, Caller(leaky.test_client(), home), home, other)

    path = f"/leak/members/{other.values['membership_id']}/remove"
    assert f"POST {path} (leak.remove_member, B's membership_id): 200" in result.failures
    assert any(
        failure.startswith(f"POST {path}") and "memberships:" in failure for failure in result.failures
    )
    assert len(result.failures) == 2, result.failures  # the control, with A's own membership, passes


def _has_secret(rule: Rule) -> bool:
    return any(isinstance(FILLERS[name], Secret) for name in rule.arguments)


def _control(app: Flask, caller: Caller, rule: Rule, method: str, home: World) -> list[str]:
    """The same call with A's own objects must reach them (else the walk's 404s prove nothing)."""
    path = build_path(app, rule, values_for(rule, home), method)
    with rolled_back():
        response = caller.call(rule, method, path)
    status = response.status_code
    if (rule.endpoint, method) in CONTROL_REFUSED:
        return [] if status in REFUSED else [f"control {method} {path}: {status}, expected a refusal"]
    if status < 400 or (status in {409, 422} and not is_api(rule)):
        return []  # a page's form refused after the view found the object; the API parses bodies first
    return [f"control {method} {path} ({rule.endpoint}) with A's own objects: {status}; fix its filler"]


def test_the_walk_covers_every_rule_that_names_an_object(app: Flask):
    """The walk's selection, spelled out: every rule naming an owned object or a secret is walked."""
    named = {
        rule.endpoint
        for rule in all_rules(app)
        if any(
            isinstance(FILLERS.get(name), Owned | Secret) and name != "tenant_slug" for name in rule.arguments
        )
    }
    walked = {rule.endpoint for rule in all_rules(app) if guarded_params(rule)}
    assert named <= walked
    assert {
        "roadmaps.item_show",
        "roadmaps.evidence_download",
        "tenant.members_remove",
        "tenants.invitation",
    } <= named
