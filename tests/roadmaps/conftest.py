"""Roadmap fixtures: a tenant with one member per role, and roadmaps built straight from models."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.catalog.models import CatalogModel, ProcessArea
from saas.extensions import db
from saas.roadmaps.items.models import ActionItem
from saas.roadmaps.items.services import items
from saas.roadmaps.planning.models import Roadmap, RoadmapArea
from saas.tenants.models import Tenant
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session
from tests.support import add_member, make_tenant, owner_of


@pytest.fixture
def catalog_model() -> CatalogModel:
    return db.session.scalar(select(CatalogModel).where(CatalogModel.key == "cmmi-svc"))


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant("Acme Services")


@pytest.fixture
def members(tenant: Tenant) -> dict[Role, object]:
    """One user per role in `tenant` (the owner is the tenant's creator)."""
    people = {role: add_member(tenant, role) for role in Role if role is not Role.OWNER}
    people[Role.OWNER] = owner_of(tenant)
    return people


def build_roadmap(
    tenant: Tenant, model: CatalogModel, codes: list[str], *, name: str = "ML2 programme"
) -> Roadmap:
    """A roadmap selecting the given area codes at CL2, without going through the services."""
    areas = db.session.scalars(
        select(ProcessArea).where(ProcessArea.model_id == model.id, ProcessArea.code.in_(codes))
    ).all()
    roadmap = Roadmap(tenant=tenant, model=model, name=name, target_maturity_level=2)
    roadmap.areas = [
        RoadmapArea(tenant=tenant, area=area, target_capability_level=2, position=i)
        for i, area in enumerate(areas)
    ]
    db.session.add(roadmap)
    db.session.flush()
    return roadmap


@pytest.fixture
def other_tenant() -> Tenant:
    """A second organisation; list it before `tenant` so the session ends in `tenant`'s scope."""
    return make_tenant("Other Org")


@pytest.fixture
def foreign_item_id(other_tenant: Tenant, catalog_model: CatalogModel) -> int:
    """The id of an item of `other_tenant` (list it before `tenant`).

    The commit (a savepoint) expires what the session holds, so entering another tenant's
    scope afterwards only forgets plain rows; hence an id and not the object.
    """
    item = make_item(
        other_tenant, build_roadmap(other_tenant, catalog_model, ["WP"]), title="Their secret plan"
    )
    db.session.commit()
    return item.id


@pytest.fixture
def items_roadmap(tenant: Tenant, catalog_model: CatalogModel) -> Roadmap:
    """A roadmap selecting WP, WMC and SD, for the action item tests."""
    return build_roadmap(tenant, catalog_model, ["WP", "WMC", "SD"], name="Items programme")


def make_item(tenant: Tenant, roadmap: Roadmap, *, actor=None, **fields) -> ActionItem:
    """An action item made through the service, by the tenant's owner unless `actor` is given."""
    scope_session(db.session, [tenant.id])
    fields.setdefault("title", "Write the work plan")
    return items.item_create(tenant=tenant, actor=actor or owner_of(tenant), roadmap=roadmap, **fields)


@pytest.fixture
def foreign_tenant(tenant: Tenant) -> Tenant:
    """A second organisation. The session then sees both tenants (as a consultant's portfolio
    does), so what keeps them apart in a test is the services' own tenant filters."""
    other = make_tenant("Foreign Org")
    scope_session(db.session, [tenant.id, other.id])
    return other
