"""The model-pack format of docs/model-packs.md: strict schemas, then cross-reference checks.

`validate_pack(data)` returns the pack with defaults filled in, or raises `PackError` listing
every problem with its path (`process_areas[SD].goals[SG 1].colour: Unknown key ...`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from saas.catalog.errors import PackError

FORMAT_VERSION = 1

MODEL_KEY = validate.Regexp(r"^[a-z0-9-]{1,40}$", error="Use 1 to 40 characters from a-z, 0-9 and '-'.")
# ":" joins an area code and a goal or practice id into a row key ("CAM:SP 1.1"), so ids may not use it.
CODE = validate.Regexp(r"^[^:\s](?:[^:]{0,14}[^:\s])?$", error="Use 1 to 16 characters, no ':'.")
SHORT_TEXT = validate.Length(min=1, max=120)
TITLE = validate.Length(min=1, max=255)


def _text(validator: validate.Validator | None = None) -> fields.String:
    return fields.String(required=True, validate=validator)


def _number(validator: validate.Validator | None = None) -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=validator)


def _list_of(schema: type[Schema], *, min_items: int = 0) -> fields.List:
    return fields.List(fields.Nested(schema), required=True, validate=validate.Length(min=min_items))


class _Strict(Schema):
    """Refuses keys the format does not define, so a typo cannot silently drop data."""

    error_messages = {"unknown": "Unknown key; it is not part of the pack format (docs/model-packs.md)."}

    class Meta:
        unknown = RAISE


class ModelInfoSchema(_Strict):
    key = _text(MODEL_KEY)
    version = _text(validate.Length(min=1, max=20))
    name = _text(SHORT_TEXT)
    summary = _text()
    license = fields.String(load_default=None)


class LevelSchema(_Strict):
    level = _number(validate.Range(min=0))
    name = _text(SHORT_TEXT)
    summary = _text()


class CharacterisationSchema(_Strict):
    code = _text(CODE)
    name = _text(SHORT_TEXT)
    summary = _text()


class CategorySchema(_Strict):
    key = _text(validate.Length(min=1, max=64))
    name = _text(SHORT_TEXT)


class ThemeSchema(_Strict):
    key = _text(validate.Length(min=1, max=64))
    name = _text(SHORT_TEXT)
    summary = _text()
    areas = fields.List(fields.String(), required=True)
    related_areas = fields.List(fields.String(), load_default=list)


class PracticeSchema(_Strict):
    id = _text(CODE)
    title = _text(TITLE)
    summary = _text()


class SpecificGoalSchema(_Strict):
    id = _text(CODE)
    title = _text(TITLE)
    summary = fields.String(load_default="")
    practices = _list_of(PracticeSchema, min_items=1)


class GenericGoalSchema(_Strict):
    id = _text(CODE)
    title = _text(TITLE)
    capability_level = _number(validate.Range(min=0))
    summary = _text()
    practices = _list_of(PracticeSchema, min_items=1)


class AreaSchema(_Strict):
    code = _text(CODE)
    name = _text(SHORT_TEXT)
    category = _text()
    maturity_level = _number(validate.Range(min=0))
    purpose = _text()
    suggested_order = _number(validate.Range(min=1))
    optional_in_staging = fields.Boolean(load_default=False)
    goals = _list_of(SpecificGoalSchema, min_items=1)


class PackSchema(_Strict):
    format = _number(validate.Equal(FORMAT_VERSION, error="Only format {other} is supported."))
    model = fields.Nested(ModelInfoSchema, required=True)
    maturity_levels = _list_of(LevelSchema)
    capability_levels = _list_of(LevelSchema)
    characterisations = _list_of(CharacterisationSchema, min_items=1)
    categories = _list_of(CategorySchema, min_items=1)
    themes = _list_of(ThemeSchema)
    generic_goals = _list_of(GenericGoalSchema)
    process_areas = _list_of(AreaSchema, min_items=1)


def validate_pack(data: Any, *, source: str = "pack") -> dict[str, Any]:
    """The pack with defaults filled in; PackError naming every unknown, missing or bad key."""
    if not isinstance(data, dict):
        raise PackError(f"{source} is not a model pack: expected a mapping of keys at the top level.")
    try:
        pack = PackSchema().load(data)
    except ValidationError as error:
        raise _pack_error(source, _flatten(error.messages, data)) from None
    problems = reference_problems(pack)
    if problems:
        raise _pack_error(source, problems)
    return pack


def _pack_error(source: str, problems: list[str]) -> PackError:
    listing = "\n".join(f"  - {problem}" for problem in problems)
    return PackError(f"{source} is not a valid model pack:\n{listing}")


def _flatten(messages: Any, data: Any, path: str = "") -> list[str]:
    """Marshmallow's nested error dict as "path: message" lines, list items named by their id."""
    if isinstance(messages, list):
        return [f"{path or '(top level)'}: {message}" for message in messages]
    lines = []
    for key, nested in messages.items():
        if isinstance(key, int):
            item = data[key] if isinstance(data, list) and key < len(data) else None
            child_path, child_data = f"{path}[{_label(item, key)}]", item
        elif key == "_schema":
            child_path, child_data = path, data
        else:
            child = data.get(key) if isinstance(data, dict) else None
            child_path, child_data = f"{path}.{key}" if path else str(key), child
        lines.extend(_flatten(nested, child_data, child_path))
    return lines


def _label(item: Any, index: int) -> str:
    """How a list item is named in messages: its code, id or key when it has one."""
    if isinstance(item, dict):
        for name in ("code", "id", "key"):
            if isinstance(item.get(name), str | int):
                return str(item[name])
    return str(index)


def reference_problems(pack: dict[str, Any]) -> list[str]:
    """Broken links and duplicates the schemas cannot see: unknown categories, levels, areas."""
    return [
        *_duplicates("process_areas", (area["code"] for area in pack["process_areas"])),
        *_duplicates("suggested_order", (area["suggested_order"] for area in pack["process_areas"])),
        *_duplicates("categories", (category["key"] for category in pack["categories"])),
        *_duplicates("themes", (theme["key"] for theme in pack["themes"])),
        *_duplicates("characterisations", (scale["code"] for scale in pack["characterisations"])),
        *_generic_goal_problems(pack),
        *_area_problems(pack),
        *_theme_problems(pack),
    ]


def _duplicates(path: str, values: Iterable[Any]) -> list[str]:
    return [
        f"{path}: '{value}' appears {count} times." for value, count in Counter(values).items() if count > 1
    ]


def _generic_goal_problems(pack: dict[str, Any]) -> list[str]:
    levels = {level["level"] for level in pack["capability_levels"]}
    goals = pack["generic_goals"]
    problems = _duplicates("generic_goals", (goal["id"] for goal in goals))
    problems += _duplicates(
        "generic_goals.practices", (practice["id"] for goal in goals for practice in goal["practices"])
    )
    problems += [
        f"generic_goals[{goal['id']}].capability_level: {goal['capability_level']} is not in capability_levels."
        for goal in goals
        if goal["capability_level"] not in levels
    ]
    return problems


def _area_problems(pack: dict[str, Any]) -> list[str]:
    categories = {category["key"] for category in pack["categories"]}
    levels = {level["level"] for level in pack["maturity_levels"]}
    problems = []
    for area in pack["process_areas"]:
        path = f"process_areas[{area['code']}]"
        if area["category"] not in categories:
            problems.append(f"{path}.category: '{area['category']}' is not in categories.")
        if levels and area["maturity_level"] not in levels:
            problems.append(f"{path}.maturity_level: {area['maturity_level']} is not in maturity_levels.")
        problems += _duplicates(f"{path}.goals", (goal["id"] for goal in area["goals"]))
        problems += _duplicates(
            f"{path}.practices", (practice["id"] for goal in area["goals"] for practice in goal["practices"])
        )
    return problems


def _theme_problems(pack: dict[str, Any]) -> list[str]:
    codes = {area["code"] for area in pack["process_areas"]}
    return [
        f"themes[{theme['key']}].{field}: '{code}' is not a process area code."
        for theme in pack["themes"]
        for field in ("areas", "related_areas")
        for code in theme[field]
        if code not in codes
    ]
