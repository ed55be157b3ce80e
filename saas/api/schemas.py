"""The API's allow-list schemas: what each endpoint reads (nothing more is accepted: an unknown
field is a 422) and what it writes. Input schemas end in `In` or `Query`, outputs in `Out`.

Ids that arrive here are only shapes; the services resolve them within the tenant (404/422).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from saas.api.fields import area_code, level, one_of, practice_code, ref_list, row_id, text
from saas.catalog import schemas as catalog_schemas
from saas.database import MAX_ROW_ID
from saas.roadmaps.adoption.models import CHARACTERISATIONS
from saas.roadmaps.items.models import ItemPriority, ItemStatus
from saas.roadmaps.items.services.lists import DUE_FILTERS, SORT_LABELS
from saas.roadmaps.planning.models import RoadmapStatus, TargetKind

MAX_PAGE = 100_000  # further pages are empty anyway; a bigger offset would overflow the database
MAX_PER_PAGE = 100
DESCRIPTION_LENGTH = 20_000
NOTES_LENGTH = 4_000  # as the assessment rules allow


class Annotated:
    """An object seen through a schema with a few extra attributes (counts, derived ids)."""

    def __init__(self, obj: Any, **extra: Any) -> None:
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)


# --- errors and pages ----------------------------------------------------------------------------


class ErrorOut(Schema):
    """Every error: the HTTP status, a message for people, and field -> messages when fields are at fault."""

    status = fields.Integer(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    upgrade_url = fields.String(
        metadata={"description": "Where an owner can change the plan (plan limits only)."}
    )


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_of(schema: type[Schema], name: str) -> type[Schema]:
    """The envelope of every list: `items` plus where this page is (page, per_page, total, pages)."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
            "pages": fields.Integer(required=True),
        },
        name=name,
    )


# --- small references ----------------------------------------------------------------------------


class UserRefOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ServiceLineRefOut(Schema):
    id = fields.Integer(required=True, attribute="service_line_id")
    name = fields.String(required=True, attribute="service_line.name")
    is_default = fields.Boolean(attribute="service_line.is_default")


# --- me and members ------------------------------------------------------------------------------


class MembershipOut(Schema):
    slug = fields.String(required=True, attribute="tenant.slug")
    name = fields.String(required=True, attribute="tenant.name")
    role = fields.String(required=True)


class TokenOut(Schema):
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    expires_at = fields.DateTime(allow_none=True)


class MeOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    token = fields.Nested(TokenOut, required=True)
    tenants = fields.List(fields.Nested(MembershipOut), required=True)


class MemberOut(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True, attribute="user.name")
    email = fields.String(required=True, attribute="user.email")
    role = fields.String(required=True)
    joined_at = fields.DateTime(required=True, attribute="created_at")


# --- catalog -------------------------------------------------------------------------------------


class CatalogModelOut(Schema):
    key = fields.String(required=True)
    version = fields.String(required=True)
    name = fields.String(required=True)
    summary = fields.String()


class CatalogModelDetailOut(CatalogModelOut):
    """A model with its scales; `generic_goals` are given beside it, already loaded."""

    maturity_levels = fields.List(
        fields.Nested(catalog_schemas.LevelSchema), attribute="scales.maturity_levels"
    )
    capability_levels = fields.List(
        fields.Nested(catalog_schemas.LevelSchema), attribute="scales.capability_levels"
    )
    characterisations = fields.List(
        fields.Nested(catalog_schemas.CharacterisationSchema), attribute="scales.characterisations"
    )
    categories = fields.List(fields.Nested(catalog_schemas.CategorySchema), attribute="scales.categories")
    themes = fields.List(fields.Nested(catalog_schemas.ThemeSchema), attribute="scales.themes")
    generic_goals = fields.List(fields.Nested(catalog_schemas.GoalSchema))


class CatalogAreaOut(catalog_schemas.AreaSchema):
    """A process area as the catalog's own JSON gives it (goals only in the detail)."""

    category = fields.Function(
        lambda area: {"key": area.category_key, "name": area.category_name},
        metadata={
            "type": "object",
            "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
        },
    )

    class Meta:
        exclude = ("goals",)


class CatalogAreaDetailOut(CatalogAreaOut):
    """One area with its specific goals and their practices."""

    model = fields.String(attribute="model.key")
    goals = fields.List(fields.Nested(catalog_schemas.GoalSchema))

    class Meta:
        exclude = ()


# --- roadmaps ------------------------------------------------------------------------------------


class RoadmapOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String()
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in RoadmapStatus]))
    model = fields.String(attribute="model.key")
    target_kind = fields.String(required=True)
    target_maturity_level = fields.Integer(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    area_count = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RoadmapDetailOut(RoadmapOut):
    service_lines = fields.List(fields.Nested(ServiceLineRefOut), attribute="service_line_links")


class RoadmapListQuery(PageQuery):
    status = one_of([s.value for s in RoadmapStatus], load_default=RoadmapStatus.ACTIVE.value)


class RoadmapCreateIn(Schema):
    """A roadmap from a target maturity level, a capability profile or a free choice of areas."""

    name = text(120, required=True)
    description = text(DESCRIPTION_LENGTH, multiline=True, load_default="")
    target_kind = one_of([kind.value for kind in TargetKind], required=True)
    target_maturity_level = level(
        2, 5, allow_none=True, load_default=None, metadata={"description": "For target_kind maturity_level."}
    )
    profile = fields.Dict(
        keys=area_code(),
        values=level(1, 3),
        validate=validate.Length(max=50),
        load_default=None,
        allow_none=True,
        metadata={"description": "Area code -> target capability level, for target_kind capability_profile."},
    )
    area_codes = fields.List(
        area_code(),
        validate=validate.Length(max=50),
        load_default=None,
        allow_none=True,
        metadata={"description": "For target_kind free."},
    )
    include_ssd = fields.Boolean(load_default=False)
    starts_on = fields.Date(allow_none=True, load_default=None)
    ends_on = fields.Date(allow_none=True, load_default=None)
    service_line_ids = ref_list(allow_none=True, load_default=None)


class RoadmapUpdateIn(Schema):
    """Only the fields sent change; `service_line_ids` replaces the lines covered."""

    name = text(120)
    description = text(DESCRIPTION_LENGTH, multiline=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    service_line_ids = ref_list(min_items=1)


# --- selected areas ------------------------------------------------------------------------------


class RoadmapAreaOut(Schema):
    id = fields.Integer(required=True)
    roadmap_id = fields.Integer(required=True)
    area_code = fields.String(required=True, attribute="area.code")
    area_name = fields.String(attribute="area.name")
    target_capability_level = fields.Integer(required=True)
    priority = fields.Integer(required=True)
    phase_id = fields.Integer(allow_none=True)
    owner = fields.Nested(UserRefOut, allow_none=True)
    rationale = fields.String()
    not_applicable = fields.Boolean()
    position = fields.Integer()


class RoadmapAreaAddIn(Schema):
    area_code = area_code(required=True)
    target_capability_level = level(1, 3, load_default=2)


class RoadmapAreaUpdateIn(Schema):
    """Only the fields sent change; null unsets the phase or the owner."""

    target_capability_level = level(1, 3)
    priority = level(1, 3, metadata={"description": "1 high, 2 medium, 3 low."})
    phase_id = row_id(allow_none=True)
    owner_id = row_id(allow_none=True, metadata={"description": "A member's user id."})
    rationale = text(DESCRIPTION_LENGTH, multiline=True)
    not_applicable = fields.Boolean()


# --- phases --------------------------------------------------------------------------------------


class PhaseOut(Schema):
    id = fields.Integer(required=True)
    roadmap_id = fields.Integer(required=True)
    name = fields.String(required=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    position = fields.Integer()
    area_ids = fields.List(fields.Integer(), metadata={"description": "Selected areas placed in the phase."})


class PhaseCreateIn(Schema):
    name = text(120, required=True)
    starts_on = fields.Date(allow_none=True, load_default=None)
    ends_on = fields.Date(allow_none=True, load_default=None)
    area_ids = ref_list(load_default=None, metadata={"description": "Selected areas to move into it."})


class PhaseUpdateIn(Schema):
    """Only the fields sent change; `area_ids` becomes exactly the areas placed in the phase."""

    name = text(120)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    area_ids = ref_list()


# --- action items --------------------------------------------------------------------------------


class ItemAreaOut(Schema):
    id = fields.Integer(required=True, metadata={"description": "The selected area's id in the roadmap."})
    code = fields.String(required=True, attribute="area.code")


class PracticeRefOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String()


class ItemOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True, metadata={"description": "The tenant's human key, e.g. AI-42."})
    roadmap_id = fields.Integer(required=True)
    area = fields.Nested(ItemAreaOut, allow_none=True, attribute="roadmap_area")
    practice = fields.Nested(PracticeRefOut, allow_none=True)
    title = fields.String(required=True)
    description = fields.String()
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ItemStatus]))
    priority = fields.String(required=True, validate=validate.OneOf([p.value for p in ItemPriority]))
    assignee = fields.Nested(UserRefOut, allow_none=True)
    due_on = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


def _row_id_or_word(value: str) -> None:
    if value.isdigit() and int(value) > MAX_ROW_ID:
        raise ValidationError("Not a user id.")


class ItemListQuery(PageQuery):
    roadmap_id = row_id(strict=False)
    status = one_of(["open", *(s.value for s in ItemStatus)], metadata={"description": "open: not done."})
    assignee = fields.String(
        validate=[validate.Regexp(r"^(none|me|[1-9][0-9]{0,9})$"), _row_id_or_word],
        metadata={"description": "A member's user id, `me`, or `none` for unassigned items."},
    )
    area = area_code()
    practice = practice_code()
    due = one_of(list(DUE_FILTERS), metadata={"description": "overdue: due before today and not done."})
    sort = one_of([*SORT_LABELS, *(f"-{key}" for key in SORT_LABELS)], load_default="key")


class ItemCreateIn(Schema):
    roadmap_id = row_id(required=True)
    title = text(200, required=True)
    description = text(DESCRIPTION_LENGTH, multiline=True, load_default="")
    area_code = area_code(allow_none=True, load_default=None)
    practice_code = practice_code(allow_none=True, load_default=None)
    assignee_id = row_id(allow_none=True, load_default=None)
    due_on = fields.Date(allow_none=True, load_default=None)
    priority = one_of([p.value for p in ItemPriority], load_default=ItemPriority.MEDIUM.value)


class ItemUpdateIn(Schema):
    """Only the fields sent change; status and assignee have their own endpoints and rules."""

    title = text(200)
    description = text(DESCRIPTION_LENGTH, multiline=True)
    area_code = area_code(allow_none=True)
    practice_code = practice_code(allow_none=True)
    due_on = fields.Date(allow_none=True)
    priority = one_of([p.value for p in ItemPriority])


class ItemStatusIn(Schema):
    status = one_of([s.value for s in ItemStatus], required=True)


class ItemAssigneeIn(Schema):
    assignee_id = row_id(required=True, allow_none=True, metadata={"description": "null: nobody."})


# --- practice assessments ------------------------------------------------------------------------


class AssessmentOut(Schema):
    """One practice of one selected area in one covered service line; id null: never assessed."""

    id = fields.Integer(allow_none=True)
    roadmap_id = fields.Integer(required=True)
    service_line_id = fields.Integer(required=True)
    service_line_name = fields.String()
    area_code = fields.String(required=True)
    goal_code = fields.String()
    practice_code = fields.String(required=True)
    practice_title = fields.String()
    characterisation = fields.String(
        allow_none=True,
        validate=validate.OneOf(CHARACTERISATIONS),
        metadata={"description": "FI, LI, PI, NI, NY; null: not assessed."},
    )
    notes = fields.String()
    updated_at = fields.DateTime(allow_none=True)
    updated_by = fields.Nested(UserRefOut, allow_none=True)


class AssessmentListQuery(PageQuery):
    service_line_id = row_id(strict=False)
    area = area_code()


class AssessmentSetIn(Schema):
    """Characterise a practice in a covered line; notes left out are kept."""

    area_code = area_code(required=True)
    practice_code = practice_code(required=True)
    service_line_id = row_id(
        load_default=None, metadata={"description": "A line the roadmap covers; default: its default line."}
    )
    characterisation = one_of(list(CHARACTERISATIONS), required=True, allow_none=True)
    notes = text(NOTES_LENGTH, multiline=True)
