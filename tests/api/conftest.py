"""API fixtures: a tenant with one member per role, tokens made through the service, a JSON client."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from saas.accounts import api_tokens
from saas.accounts.models import User
from saas.catalog.models import CatalogModel
from saas.extensions import db
from saas.roadmaps.planning.models import Roadmap
from saas.tenants.models import AuditEvent, Tenant
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import enter, roadmap_with_lines
from tests.support import add_member, make_tenant, owner_of


def token_for(user: User, *, name: str = "Test tool", expires_in_days: int | None = None) -> str:
    """A live token of `user` (committed), as the tokens page makes them."""
    created = api_tokens.api_token_create(user=user, name=name, expires_in_days=expires_in_days)
    db.session.commit()
    return created.secret


class ApiClient:
    """Calls the API as a token's holder: JSON in, JSON out, `Authorization: Bearer`."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def call(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any):
        sent = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return self.client.open(f"/api/v1{path}", method=method, headers=sent | (headers or {}), **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):
        return self.call("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any):
        return self.call("PATCH", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any):
        return self.call("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def catalog_model() -> CatalogModel:
    return db.session.scalar(select(CatalogModel).where(CatalogModel.key == "cmmi-svc"))


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant("Acme Services")


@pytest.fixture
def people(tenant: Tenant) -> dict[Role, User]:
    """One user per role in `tenant` (the owner is the tenant's creator)."""
    found = {role: add_member(tenant, role) for role in Role if role is not Role.OWNER}
    found[Role.OWNER] = owner_of(tenant)
    return found


@pytest.fixture
def api_as(client: FlaskClient, people: dict[Role, User]):
    """api_as(Role.STAFF) -> an ApiClient with a fresh token of that member."""

    def make(role: Role) -> ApiClient:
        return ApiClient(client, token_for(people[role]))

    return make


@pytest.fixture
def owner_api(api_as) -> ApiClient:
    return api_as(Role.OWNER)


@pytest.fixture
def roadmap(tenant: Tenant, catalog_model: CatalogModel) -> Roadmap:
    """A roadmap selecting WP, WMC and SD at CL2, covering the default line and a second one."""
    made = roadmap_with_lines(
        tenant,
        catalog_model,
        ["WP", "WMC", "SD"],
        lines=("Whole organisation", "Help desk"),
        name="Items programme",
    )
    db.session.commit()
    return made


def audit_count(tenant: Tenant) -> int:
    enter(tenant)
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.tenant_id == tenant.id))
