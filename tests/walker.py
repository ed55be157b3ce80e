"""Walking every URL rule of the app: what fills each parameter, a world of objects to fill them
with, and a fingerprint of the database to prove a request changed nothing.

Used by the tenant-isolation walk (tests/test_isolation_walk.py) and the security walks
(tests/test_security_headers.py, tests/test_security_csrf.py).

Every parameter of every rule must have an entry in FILLERS, saying what it names:

- `Owned`: an object of a tenant (or of a user) that nobody else may reach. The walk fills it
  with another tenant's object and expects 404/403, then with the caller's own object and
  expects the page to work (the control, which proves the URL reaches the object).
- `Secret`: a capability in the URL (emailed links, calendar feeds). Holding it is the
  permission, so another tenant's real one would open by design; the walk fills in a forged one,
  which must open nothing, and the caller's own for the control.
- `Shared`: a value that means the same in every tenant (a catalog code, a kind of evidence).
- `Public`: not tenant data at all (the catalog, static files); rules with nothing but these
  are out of the isolation walk's scope.

A rule whose parameter has no entry makes the walk fail ("rule X has parameter Y the walker
can't fill"): whoever adds the rule says what the parameter names.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Map, RequestRedirect, Rule

from saas.accounts import credentials
from saas.accounts import services as accounts
from saas.accounts.models import ApiToken, User
from saas.extensions import db
from saas.mail.models import OutboxMessage
from saas.roadmaps.adoption.services import assessments, evidence
from saas.roadmaps.items.services import calendar, items
from saas.roadmaps.planning.models import ServiceLine
from saas.roadmaps.planning.services import phases, service_lines
from saas.roadmaps.planning.services import roadmaps as roadmap_services
from saas.tenants import invitations
from saas.tenants import services as tenants
from saas.tenants.models import Tenant
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session
from tests.support import add_member, make_tenant, make_user

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
WALKED_METHODS = ("GET", *WRITE_METHODS)
API_PREFIX = "/api/"
CATALOG_MODULE = "saas.catalog."
# Touched by every signed-in request (last seen, last used): their rows count, their values not.
VOLATILE_COLUMNS = {("login_sessions", "last_seen_at"), ("api_tokens", "last_used_at")}


# --- what fills a parameter ------------------------------------------------------------------


@dataclass(frozen=True)
class Owned:
    """An object only its tenant (or user) may reach; `key` names it in a World's values."""

    key: str


@dataclass(frozen=True)
class Secret:
    """A capability token; `kinds` says which kind of token each endpoint takes."""

    kinds: dict[str, str]


@dataclass(frozen=True)
class Shared:
    value: str


@dataclass(frozen=True)
class Public:
    value: str


Filler = Owned | Secret | Shared | Public

FILLERS: dict[str, Filler] = {
    # Tenants and what they own
    "tenant_slug": Owned("tenant_slug"),
    "tenant_id": Owned("tenant_id"),
    "client_slug": Owned("tenant_slug"),
    "membership_id": Owned("membership_id"),
    "invitation_id": Owned("invitation_id"),
    "roadmap_id": Owned("roadmap_id"),
    "roadmap_area_id": Owned("roadmap_area_id"),
    "phase_id": Owned("phase_id"),
    "service_line_id": Owned("service_line_id"),
    "line_id": Owned("service_line_id"),
    "item_id": Owned("item_id"),
    "item_key": Owned("item_key"),
    "comment_id": Owned("comment_id"),
    "evidence_id": Owned("evidence_id"),
    "assessment_id": Owned("assessment_id"),
    "judgement_id": Owned("judgement_id"),
    # A user's own things
    "token_id": Owned("api_token_id"),
    "api_token_id": Owned("api_token_id"),
    # Emailed links and feeds
    "token": Secret(
        {
            "accounts.reset": "password_reset",
            "accounts.verify_email": "email_verification",
            "tenants.invitation": "invitation",
            "my.calendar_feed": "calendar",
            "accounts.unsubscribe": "unsubscribe",
        }
    ),
    # The same in every tenant
    "area_code": Shared("REQM"),
    "practice_code": Shared("SP 1.1"),
    "goal_code": Shared("SG 1"),
    "kind": Shared("link"),
    # Not tenant data
    "model_key": Public("cmmi-svc"),
    "code": Public("REQM"),
    "filename": Public("dist/manifest.json"),
}


def unfillable(rules: Iterable[Rule]) -> list[str]:
    """Why the walker cannot fill some rules (empty when it can fill them all)."""
    problems = []
    for rule in rules:
        for name in sorted(rule.arguments):
            filler = FILLERS.get(name)
            if filler is None:
                problems.append(
                    f"rule {rule.rule} ({rule.endpoint}) has parameter {name} the walker can't fill"
                )
            elif isinstance(filler, Secret) and rule.endpoint not in filler.kinds:
                problems.append(
                    f"rule {rule.rule} ({rule.endpoint}) has parameter {name} the walker can't fill: "
                    f"say which kind of token it takes in FILLERS[{name!r}]"
                )
    return problems


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith(API_PREFIX)


def walked_methods(rule: Rule) -> list[str]:
    return [method for method in WALKED_METHODS if method in (rule.methods or ())]


def guarded_params(rule: Rule) -> list[str]:
    """The parameters that name something not everyone may reach (owned objects, secrets)."""
    return sorted(name for name in rule.arguments if isinstance(FILLERS.get(name), Owned | Secret))


def all_rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


# --- a world of objects ------------------------------------------------------------------------


@dataclass
class World:
    """One tenant with one object of every kind, and the values that name them in URLs."""

    tenant: Tenant
    owner: User
    values: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    api_token: str = ""

    def value(self, rule: Rule, name: str) -> Any:
        filler = FILLERS[name]
        if isinstance(filler, Owned):
            return self.values[filler.key]
        if isinstance(filler, Secret):
            return self.secrets[filler.kinds[rule.endpoint]]
        return filler.value


def enter(tenant: Tenant) -> None:
    """Scope the session to `tenant` (through a wider scope, so the database setting is set again)."""
    scope_session(db.session, [tenant.id, -1])
    scope_session(db.session, [tenant.id])


def build_world(name: str, *, extra_items: int = 0) -> World:
    """A tenant, its owner and a staff member, and one of everything the URLs name, through the services.

    `extra_items` more action items make this tenant's latest item key one the other tenant lacks.
    """
    owner = make_user(f"owner@{tenants.slugify(name)}.example", f"{name} Owner")
    tenant = make_tenant(name, owner=owner)
    enter(tenant)
    staff = add_member(tenant, Role.STAFF, f"staff@{tenant.slug}.example")
    roadmap = roadmap_services.roadmap_create(
        tenant=tenant,
        actor=owner,
        name=f"{name} ML2",
        target_kind="maturity_level",
        target_maturity_level=2,
        starts_on=None,
        ends_on=None,
    )
    reqm = assessments.roadmap_area_by_code(roadmap=roadmap, area_code="REQM")
    phase = phases.phase_create(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        name="First phase",
        starts_on=None,
        ends_on=None,
        area_ids=[reqm.id],
    )
    line = service_lines.roadmap_service_lines(roadmap=roadmap)[0]
    db.session.add(ServiceLine(tenant=tenant, name="Field services"))  # a second line, not covered
    item = items.item_create(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        title=f"{name}'s secret plan",
        area_code="REQM",
        practice_code="SP 1.1",
        assignee=staff,
    )
    latest = item
    for number in range(extra_items):
        latest = items.item_create(tenant=tenant, actor=owner, roadmap=roadmap, title=f"More {number}")
    comment = items.comment_add(tenant=tenant, actor=owner, item=item, body=f"{name} only")
    items.evidence_link_add(tenant=tenant, actor=owner, item=item, title="Plan", url="https://example.com/p")
    assessment = assessments.assessment_set(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        service_line=line,
        area_code="REQM",
        practice_code="SP 1.1",
        characterisation="PI",
        notes=f"{name} notes",
    )
    stored = evidence.evidence_file_add(
        tenant=tenant,
        actor=owner,
        assessment=assessment,
        filename="baseline.txt",
        stream=io.BytesIO(f"{name} baseline\n".encode()),
        title="Baseline",
    )
    evidence.evidence_link_add(tenant=tenant, actor=owner, assessment=assessment, url="https://example.com/e")
    judgement = assessments.goal_judgement_set(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        area_code="REQM",
        goal_code="SG 1",
        satisfied=True,
        note="Judged on interviews",
    )
    invitation = invitations.invitation_send(
        tenant=tenant, actor=owner, email=f"invitee@{tenant.slug}.example", role=Role.VIEWER
    )
    membership = tenants.membership_get(tenant=tenant, user=staff)
    api_token_id, api_token = _api_token(owner)
    world = World(
        tenant=tenant,
        owner=owner,
        api_token=api_token,
        values={
            "tenant_slug": tenant.slug,
            "tenant_id": tenant.id,
            "membership_id": membership.id,
            "invitation_id": invitation.id,
            "roadmap_id": roadmap.id,
            "roadmap_area_id": reqm.id,
            "phase_id": phase.id,
            "service_line_id": line.id,
            "item_id": item.id,
            "item_key": latest.key,
            "comment_id": comment.id,
            "evidence_id": stored.id,
            "assessment_id": assessment.id,
            "judgement_id": judgement.id if judgement else 0,
            "api_token_id": api_token_id,
            "staff_user_id": staff.id,
        },
        secrets=_secrets(owner, invitation_email=f"invitee@{tenant.slug}.example"),
    )
    db.session.commit()
    return world


def _api_token(user: User) -> tuple[int, str]:
    """A personal API token for `user` (the accounts service when it exists, else a row like it)."""
    try:
        from saas.accounts.api_tokens import api_token_create
    except ImportError:
        secret = "walk_" + secrets.token_urlsafe(24)
        token = ApiToken(
            user=user, name="walker", token_hash=accounts.token_digest(secret), prefix=secret[:8]
        )
        db.session.add(token)
        db.session.flush()
        return token.id, secret
    created = api_token_create(user=user, name="walker", expires_in_days=None)
    return created.token.id, created.secret


def _secrets(owner: User, *, invitation_email: str) -> dict[str, str]:
    """The owner's own live tokens of every kind (for controls); the invitation's is read back from its mail."""
    made = {
        "password_reset": credentials.password_reset_token(owner),
        "email_verification": accounts.email_verification_token(owner),
        "calendar": calendar.feed_rotate(user=owner),
        "invitation": _invitation_token(invitation_email),
    }
    if hasattr(accounts, "unsubscribe_token"):
        made["unsubscribe"] = accounts.unsubscribe_token(owner, "digest")
    return made


def _invitation_token(email: str) -> str:
    """The token of the invitation just mailed to `email`, from the outbox row's rendered body."""
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_email == email).order_by(OutboxMessage.id.desc())
    )
    match = re.search(r"/invitations/([A-Za-z0-9_\-]+)", message.text_body if message else "")
    assert match, f"no invitation link in the outbox for {email}"
    return match.group(1)


# --- API request bodies ---------------------------------------------------------------------------

# What a property of a JSON body is set to, when the API document gives no example.
BODY_VALUES: dict[str, Any] = {
    "status": "done",
    "characterisation": "FI",
    "area_code": "REQM",
    "practice_code": "SP 1.1",
    "name": "Walker",
    "title": "Walker",
    "notes": "walker",
    "description": "walker",
    "role": "viewer",
    "email": "walker@example.com",
    "priority": "medium",
}
# Ids in a body name the caller's own objects: the URL's id is the only foreign thing in a request.
BODY_IDS = {
    "assignee_id": "staff_user_id",
    "user_id": "staff_user_id",
    "owner_id": "staff_user_id",
    "phase_id": "phase_id",
    "roadmap_id": "roadmap_id",
    "service_line_id": "service_line_id",
}
_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool}


class ApiDocument:
    """The API's OpenAPI document, to send each write a body it would accept (flask-smorest parses
    the body before the view looks anything up, so an invalid body would hide what the walk is after)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    @classmethod
    def fetch(cls, client) -> ApiDocument:
        response = client.get("/api/v1/openapi.json")
        return cls(response.get_json() if response.status_code == 200 and response.is_json else {})

    def body(self, rule: Rule, method: str, world: World) -> dict[str, Any] | None:
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        operation = self.spec.get("paths", {}).get(path, {}).get(method.lower(), {})
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            return None
        if "example" in content:
            return dict(content["example"])
        return self._object(self._resolve(content.get("schema", {})), world)

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def _object(self, schema: dict[str, Any], world: World) -> dict[str, Any]:
        properties = schema.get("properties", {})
        wanted = set(schema.get("required", [])) | (set(properties) & (set(BODY_VALUES) | set(BODY_IDS)))
        return {
            name: self._value(name, self._resolve(properties.get(name, {})), world) for name in sorted(wanted)
        }

    def _value(self, name: str, schema: dict[str, Any], world: World) -> Any:
        kind = schema.get("type", "string")
        if name in BODY_IDS and kind == "integer":
            return world.values[BODY_IDS[name]]
        preset = BODY_VALUES.get(name)
        fits = preset is not None and isinstance(preset, _JSON_TYPES.get(kind, object))
        if fits and ("enum" not in schema or preset in schema["enum"]):
            return preset
        if "enum" in schema:
            return next(value for value in schema["enum"] if value is not None)
        if kind == "string":
            return {
                "date": "2027-01-31",
                "date-time": "2027-01-31T09:00:00Z",
                "email": "walker@example.com",
            }.get(schema.get("format", ""), "Walker")
        if kind in ("integer", "number"):
            return schema.get("minimum", 1)
        if kind == "boolean":
            return False
        if kind == "array":
            item = self._value(name, self._resolve(schema.get("items", {})), world)
            return [item] * schema.get("minItems", 0)
        return self._object(schema, world) if kind == "object" else None


def forged(value: Any) -> str:
    """A token of the same shape as `value` that was never issued."""
    return secrets.token_urlsafe(max(len(str(value)) * 3 // 4, 16))[: max(len(str(value)), 16)]


# --- building URLs -----------------------------------------------------------------------------


def build_path(app: Flask, rule: Rule, values: dict[str, Any], method: str) -> str:
    """The path `rule` answers for these values; checked to route back to the same rule."""
    _domain, path = rule.build(values, append_unknown=False)
    adapter = app.url_map.bind("localhost")
    try:
        matched, _args = adapter.match(path, method=method, return_rule=True)
    except RequestRedirect as redirect:  # a rule with defaults: /catalog/cmmi-svc/ -> /catalog/
        matched, _args = adapter.match(
            redirect.new_url.split("localhost", 1)[1], method=method, return_rule=True
        )
    assert matched.endpoint == rule.endpoint, f"{path} routes to {matched.endpoint}, not {rule.endpoint}"
    return path


def values_for(rule: Rule, world: World) -> dict[str, Any]:
    return {name: world.value(rule, name) for name in rule.arguments}


# --- did anything change? ------------------------------------------------------------------------


def data_tables() -> list:
    """Every table but the catalog's (global, read-only)."""
    catalog = {
        table
        for mapper in db.Model.registry.mappers
        if mapper.class_.__module__.startswith(CATALOG_MODULE)
        for table in mapper.tables
    }
    return [table for table in db.metadata.sorted_tables if table not in catalog]


def fingerprint(tenant_ids: Iterable[int]) -> dict[str, tuple[int, str]]:
    """Row count and a digest of the rows of every table, as these tenants' scope sees them."""
    scope_session(db.session, list(tenant_ids))
    result = {}
    for table in data_tables():
        columns = [column for column in table.columns if (table.name, column.name) not in VOLATILE_COLUMNS]
        rows = db.session.execute(select(*columns)).all()
        digest = hashlib.sha256("\n".join(sorted(repr(tuple(row)) for row in rows)).encode()).hexdigest()
        result[table.name] = (len(rows), digest[:16])
    count = db.session.scalar(select(func.count()).select_from(Tenant))
    result["tenants (all)"] = (count, "")
    return result


def changes(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return [
        f"{name}: {before.get(name)} -> {after.get(name)}"
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]


@contextmanager
def rolled_back():
    """Whatever the block's requests change is undone afterwards (a savepoint on the test's connection)."""
    db.session.commit()
    connection = db.session.get_bind()
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        db.session.close()
        savepoint.rollback()


def fake_rule(path: str, endpoint: str = "fake.widget", methods: Iterable[str] = ("GET",)) -> Rule:
    """A rule bound to a map of its own, as if a wing had just added it."""
    rule = Rule(path, endpoint=endpoint, methods=list(methods))
    Map([rule])
    return rule


def describe(rule: Rule, method: str, path: str) -> str:
    return f"{method} {path} ({rule.endpoint})"


Check = Callable[[Any], str | None]
