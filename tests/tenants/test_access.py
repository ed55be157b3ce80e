"""Who may do what: the role x action table, strangers get 404, every POST needs its CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from saas.extensions import db
from saas.tenants import services as tenants
from saas.tenants.context import TENANT_PREFIX
from saas.tenants.models import AuditEvent, Tenant
from saas.tenants.permissions import ROLE_PERMISSIONS, Permission, Role, can
from tests.support import add_member, make_tenant, make_user


@dataclass(frozen=True)
class Action:
    name: str
    endpoint: str
    method: str = "GET"
    data: dict[str, str] = field(default_factory=dict)

    def path(self, tenant: Tenant, target_membership_id: int) -> str:
        suffix = {
            "tenant.dashboard": "/",
            "tenant.members": "/members",
            "tenant.members_invite": "/members/invitations",
            "tenant.members_change_role": f"/members/{target_membership_id}/role",
            "tenant.members_remove": f"/members/{target_membership_id}/remove",
            "tenant.settings": "/settings",
            "tenant.audit_log": "/audit",
        }[self.endpoint]
        return f"/t/{tenant.slug}{suffix}"


ACTIONS = {
    action.name: action
    for action in [
        Action("dashboard", "tenant.dashboard"),
        Action("view members", "tenant.members"),
        Action("invite", "tenant.members_invite", "POST", {"email": "new@example.com", "role": "viewer"}),
        Action("change role", "tenant.members_change_role", "POST", {"role": "viewer"}),
        Action("remove member", "tenant.members_remove", "POST"),
        Action("view settings", "tenant.settings"),
        Action("save settings", "tenant.settings", "POST", {"name": "Renamed", "timezone": "Europe/Paris"}),
        Action("audit log", "tenant.audit_log"),
    ]
}
EVERYONE = {"dashboard", "view members"}
MANAGERS = set(ACTIONS)
# The table the product promises, written out; the test below checks it against ROLE_PERMISSIONS.
ALLOWED: dict[Role, set[str]] = {
    Role.OWNER: MANAGERS,
    Role.PROGRAM_MANAGER: MANAGERS,
    Role.CONSULTANT: EVERYONE | {"audit log"},
    Role.CONSULTANT_VIEWER: EVERYONE,
    Role.STAFF: EVERYONE,
    Role.VIEWER: EVERYONE,
}


def test_the_written_table_is_the_permission_table(app: Flask):
    for role, allowed in ALLOWED.items():
        for action in ACTIONS.values():
            permission = app.view_functions[action.endpoint].required_permission
            assert (action.name in allowed) == can(role, permission), (role, action.name)
    assert set(ALLOWED) == set(ROLE_PERMISSIONS)


def audit_count(tenant: Tenant) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.tenant_id == tenant.id))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action_name", list(ACTIONS))
def test_each_role_can_do_exactly_what_the_table_says(client, acme, role, action_name):
    action = ACTIONS[action_name]
    actor = add_member(acme, role, "actor@example.com") if role is not Role.OWNER else None
    actor = actor or tenants.membership_list(tenant=acme)[0].user
    target = add_member(acme, Role.STAFF, "target@example.com")
    target_id = tenants.membership_get(tenant=acme, user=target).id
    client.login(actor)
    before = audit_count(acme)

    path = action.path(acme, target_id)
    if action.method == "GET":
        response = client.get(path)
    else:
        response = client.submit(path, action.data, token_page="/account")

    allowed = action_name in ALLOWED[role]
    expected = (200 if action.method == "GET" else 302) if allowed else 403
    assert response.status_code == expected, response.get_data(as_text=True)[-600:]
    changed = audit_count(acme) - before
    assert changed == (1 if allowed and action.method == "POST" else 0)  # every change is audited
    if not allowed:
        assert "Your role does not allow this" in response.get_data(as_text=True)


def test_every_page_of_the_tenants_wing_declares_its_permission(app: Flask):
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("tenant."):
            assert isinstance(getattr(view, "required_permission", None), Permission), endpoint


def tenant_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(TENANT_PREFIX)]


def build(app: Flask, rule: Rule, slug: str, method: str) -> str:
    """A URL that `rule` matches, with `slug` as tenant and 1 for every other argument."""
    values = {name: slug if name == "tenant_slug" else 1 for name in rule.arguments}
    adapter = app.url_map.bind("localhost")
    path = adapter.build(rule.endpoint, values, method=method)
    assert adapter.match(path, method=method)[0] == rule.endpoint, path
    return path


def test_there_are_tenant_urls_to_walk(app):
    assert len(tenant_rules(app)) >= 8


def test_a_non_member_gets_404_on_every_tenant_url_and_method(app, client, acme):
    """Every wing's tenant URLs, not only this one's: membership is checked before any view."""
    stranger = make_user("stranger@example.com", "Stranger")
    make_tenant("Elsewhere", owner=stranger)  # a member somewhere, just not here
    client.login(stranger)
    token = client.csrf_token("/account")
    before = audit_count(acme)

    for rule in tenant_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for slug in ("acme", "no-such-tenant"):
                path = build(app, rule, slug, method)
                response = client.open(path, method=method, headers={"X-CSRFToken": token})
                assert response.status_code == 404, (method, path, response.status_code)
    assert audit_count(acme) == before


def test_a_read_only_consultant_may_look_but_every_post_of_every_wing_is_refused(app, client, acme):
    """consultant_viewer: view and export only. Every tenant POST gets 403 before any lookup."""
    viewer = add_member(acme, Role.CONSULTANT_VIEWER, "reader@consulting.example")
    client.login(viewer)
    token = client.csrf_token("/account")
    before = audit_count(acme)

    posts = [rule for rule in tenant_rules(app) if "POST" in rule.methods]
    assert len(posts) >= 10
    for rule in posts:
        path = build(app, rule, "acme", "POST")
        response = client.post(path, data={"name": "X", "role": "viewer"}, headers={"X-CSRFToken": token})
        assert response.status_code == 403, (path, response.status_code)
    for path in (
        "/t/acme/",
        "/t/acme/members",
        "/t/acme/roadmaps",
        "/t/acme/items",
        "/t/acme/items/export.csv",
    ):
        assert client.get(path).status_code == 200, path
    assert audit_count(acme) == before


def test_the_read_only_consultant_role_reads_as_such(client, acme, owner):
    reader = add_member(acme, Role.CONSULTANT_VIEWER, "reader@consulting.example")

    managed = client.login(owner).get("/t/acme/members").get_data(as_text=True)
    own = client.login(reader).get("/t/acme/").get_data(as_text=True)

    assert '<option value="consultant_viewer">Consultant (read-only)</option>' in managed  # may be invited
    assert '<option value="consultant_viewer" selected>Consultant (read-only)</option>' in managed
    assert "Your role: Consultant (read-only)" in own
    assert "· Consultant (read-only)</small>" in own  # the organisation switcher


def test_signed_out_visitors_are_sent_to_sign_in_from_tenant_urls(app, client, acme):
    response = client.get("/t/acme/members")

    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def post_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint.split(".")[0] in {"accounts", "tenants", "tenant"}
    ]


def test_every_post_of_accounts_and_tenants_without_csrf_token_gets_400(app, client, acme, owner):
    """ASVS 4.2.2. Signed in as the owner, so only the missing token can be the reason."""
    sam = add_member(acme, Role.STAFF, "sam@example.com")
    client.login(owner)
    before = audit_count(acme)
    rules = post_rules(app)
    assert {"accounts.login", "accounts.logout", "tenants.signup", "tenant.members_remove"} <= {
        rule.endpoint for rule in rules
    }

    for rule in rules:
        path = build(app, rule, "acme", "POST")
        response = client.post(path, data={"role": "viewer", "name": "X", "timezone": "UTC"})
        assert response.status_code == 400, path
        assert "security token" in response.get_data(as_text=True)

    assert audit_count(acme) == before
    assert tenants.membership_get(tenant=acme, user=sam).role == Role.STAFF
    assert client.get("/account").status_code == 200  # not even signed out


def test_htmx_requests_may_send_the_csrf_token_as_a_header(client, acme, owner):
    sam = add_member(acme, Role.STAFF, "sam@example.com")
    client.login(owner)
    membership_id = tenants.membership_get(tenant=acme, user=sam).id

    response = client.post(
        f"/t/acme/members/{membership_id}/remove",
        headers={"X-CSRFToken": client.csrf_token("/account"), "HX-Request": "true"},
    )

    assert response.status_code == 302
    assert tenants.membership_get(tenant=acme, user=sam) is None


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.OWNER, {"Members", "Audit log", "Settings"}),
        (Role.PROGRAM_MANAGER, {"Members", "Audit log", "Settings"}),
        (Role.CONSULTANT, {"Members", "Audit log"}),
        (Role.CONSULTANT_VIEWER, {"Members"}),
        (Role.STAFF, {"Members"}),
        (Role.VIEWER, {"Members"}),
    ],
)
def test_navigation_offers_only_the_pages_the_role_may_open(client, acme, role, shown):
    member = add_member(acme, role, "nav@example.com")
    page = client.login(member).get("/t/acme/members").get_data(as_text=True)

    links = {
        label: 'class="nav-link active"' in anchor
        for anchor, label in re.findall(r'(<a class="nav-link[^"]*" href="/t/acme/[^"]*">)([^<]+)</a>', page)
    }
    assert {"Members", "Audit log", "Settings"} & set(links) == shown
    assert links["Members"] is True
    assert links["Overview"] is False
