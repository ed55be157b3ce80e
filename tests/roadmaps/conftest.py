"""Roadmap fixtures: a tenant with one member per role, and roadmaps built straight from models."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.catalog.models import CatalogModel, ProcessArea
from saas.extensions import db
from saas.roadmaps.models import Roadmap, RoadmapArea
from saas.tenants.models import Tenant
from saas.tenants.permissions import Role
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
