"""The jobs tests reuse the roadmap fixtures: a tenant with one member per role, a roadmap for items."""

from tests.roadmaps.conftest import catalog_model, items_roadmap, members, tenant  # noqa: F401
