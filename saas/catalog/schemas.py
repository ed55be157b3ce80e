"""JSON of the catalog: dump-only allow-lists shared by the catalog's JSON views and the API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from saas.catalog.models import CatalogModel, Goal, ProcessArea


class LevelSchema(Schema):
    level = fields.Integer()
    name = fields.String()
    summary = fields.String()


class CharacterisationSchema(Schema):
    code = fields.String()
    name = fields.String()
    summary = fields.String()


class CategorySchema(Schema):
    key = fields.String()
    name = fields.String()


class ThemeSchema(Schema):
    key = fields.String()
    name = fields.String()
    summary = fields.String()
    areas = fields.List(fields.String())
    related_areas = fields.List(fields.String())


class PracticeSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    code = fields.String()
    title = fields.String()
    summary = fields.String()
    kind = fields.String()


class GoalSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    code = fields.String()
    title = fields.String()
    summary = fields.String()
    kind = fields.String()
    capability_level = fields.Integer(allow_none=True)
    practices = fields.List(fields.Nested(PracticeSchema))


class AreaSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    category = fields.Function(lambda area: {"key": area.category_key, "name": area.category_name})
    maturity_level = fields.Integer()
    purpose = fields.String()
    suggested_order = fields.Integer()
    optional_in_staging = fields.Boolean()
    themes = fields.List(fields.String())
    goals = fields.List(fields.Nested(GoalSchema))


class ModelSchema(Schema):
    """A model with its scales; `areas` and `generic_goals` are given beside it, already loaded."""

    key = fields.String(attribute="model.key")
    version = fields.String(attribute="model.version")
    name = fields.String(attribute="model.name")
    summary = fields.String(attribute="model.summary")
    license = fields.String(attribute="model.scales.license", allow_none=True)
    maturity_levels = fields.List(fields.Nested(LevelSchema), attribute="model.scales.maturity_levels")
    capability_levels = fields.List(fields.Nested(LevelSchema), attribute="model.scales.capability_levels")
    characterisations = fields.List(
        fields.Nested(CharacterisationSchema), attribute="model.scales.characterisations"
    )
    categories = fields.List(fields.Nested(CategorySchema), attribute="model.scales.categories")
    themes = fields.List(fields.Nested(ThemeSchema), attribute="model.scales.themes")
    generic_goals = fields.List(fields.Nested(GoalSchema))
    areas = fields.List(fields.Nested(AreaSchema))


def model_document(
    model: CatalogModel, *, areas: list[ProcessArea], generic_goals: list[Goal]
) -> dict[str, Any]:
    """The whole model as JSON; pass areas with goals loaded (services.areas_with_goals)."""
    return ModelSchema().dump({"model": model, "areas": areas, "generic_goals": generic_goals})


def area_document(model: CatalogModel, area: ProcessArea, *, goals: list[Goal]) -> dict[str, Any]:
    """One area as JSON with its specific goals and practices (services.goals_with_practices)."""
    document = AreaSchema(exclude=("goals",)).dump(area)
    return {"model": model.key, **document, "goals": GoalSchema(many=True).dump(goals)}
