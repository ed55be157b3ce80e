"""The loader: the shipped pack's contents, idempotent re-loads, updates in place, strict validation."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from saas.catalog import services
from saas.catalog.errors import PackError
from saas.catalog.loader import load_pack, load_packs
from saas.catalog.models import CatalogModel, Goal, Practice, PracticeKind, ProcessArea
from saas.extensions import db
from tests.catalog.conftest import SHIPPED_PACK, pack_area, write_pack


def _keys_to_ids(row_type) -> dict[str, int]:
    key = row_type.code if row_type is ProcessArea else row_type.key
    return dict(db.session.execute(select(key, row_type.id)).all())


def _row_counts() -> dict[str, int]:
    return {
        row_type.__tablename__: db.session.scalar(select(func.count()).select_from(row_type))
        for row_type in (CatalogModel, ProcessArea, Goal, Practice)
    }


def test_loaded_catalog_has_the_model_counts(model):
    areas = services.area_list(model)
    goals = db.session.scalars(select(Goal).where(Goal.model_id == model.id)).all()
    practices = db.session.scalars(select(Practice).where(Practice.model_id == model.id)).all()

    assert len(areas) == 24
    assert Counter(area.maturity_level for area in areas) == {2: 8, 3: 12, 4: 2, 5: 2}
    assert sum(goal.kind == PracticeKind.SPECIFIC for goal in goals) == 53
    assert sum(practice.kind == PracticeKind.SPECIFIC for practice in practices) == 181
    assert [goal.code for goal in services.generic_goals(model)] == ["GG 1", "GG 2", "GG 3"]
    assert sum(practice.kind == PracticeKind.GENERIC for practice in practices) == 13


def test_every_name_and_title_equals_the_pack(model, pack):
    expected = {area["code"]: area["name"] for area in pack["process_areas"]}
    for area in pack["process_areas"]:
        for goal in area["goals"]:
            expected[f"{area['code']}:{goal['id']}"] = goal["title"]
            expected.update({f"{area['code']}:{p['id']}": p["title"] for p in goal["practices"]})
    for goal in pack["generic_goals"]:
        expected[goal["id"]] = goal["title"]
        expected.update({p["id"]: p["title"] for p in goal["practices"]})

    stored = {area.code: area.name for area in services.area_list(model)}
    for row_type in (Goal, Practice):
        rows = db.session.scalars(select(row_type).where(row_type.model_id == model.id))
        stored.update({row.key: row.title for row in rows})

    assert stored == expected


@pytest.mark.parametrize(
    ("key", "title"),
    [
        ("RSKM:SP 2.2", "Evaluate, Categorize, and Prioritize Risks"),
        ("GP 2.10", "Review Status with Higher Level Management"),
        ("SD:SP 2.3", "Establish a Request Management System"),
        ("IRP:SP 3.3", "Establish and Apply Solutions to Reduce Incident Occurrence"),
        ("OPD:SP 1.4", "Establish the Organization's Measurement Repository"),
        ("GP 3.2", "Collect Process Related Experiences"),
    ],
)
def test_practice_titles_are_the_reference_titles(model, key, title):
    practice = db.session.scalar(select(Practice).where(Practice.model_id == model.id, Practice.key == key))
    assert practice.title == title


def test_model_wide_scales_and_themes_are_stored(model):
    sd = services.area_get(model, "SD")
    scales = model.scales

    assert [scale["code"] for scale in scales["characterisations"]] == ["FI", "LI", "PI", "NI", "NY"]
    assert [level["name"] for level in scales["maturity_levels"]][1] == "Managed"
    assert [level["level"] for level in scales["capability_levels"]] == [0, 1, 2, 3]
    assert sd.themes == ["ready-to-deliver", "agreements-and-operations"]
    assert next(t for t in scales["themes"] if t["key"] == "incidents")["related_areas"] == ["CAR"]
    assert services.area_get(model, "SSD").optional_in_staging
    assert scales["license"] is None


def test_generic_goals_name_the_capability_level_they_institutionalise(model):
    goals = services.generic_goals(model)
    assert [(goal.code, goal.capability_level) for goal in goals] == [("GG 1", 1), ("GG 2", 2), ("GG 3", 3)]
    assert [len(goal.practices) for goal in goals] == [1, 10, 2]
    assert all(goal.area_id is None for goal in goals)


def test_loading_twice_keeps_the_same_rows_and_ids():
    before = {row_type: _keys_to_ids(row_type) for row_type in (CatalogModel, ProcessArea, Goal, Practice)}
    counts = _row_counts()

    reports = load_packs()
    db.session.commit()

    assert [(r.created, r.updated, r.retired) for r in reports] == [(0, 0, [])]
    assert {row_type: _keys_to_ids(row_type) for row_type in before} == before
    assert _row_counts() == counts


def test_changed_pack_updates_titles_in_place(tmp_path, pack, model):
    practice_id = _keys_to_ids(Practice)["SD:SP 2.3"]
    area_id = services.area_get(model, "SD").id
    goal = pack_area(pack, "SD")["goals"][1]
    goal["practices"][2]["title"] = "Run a Request Desk"
    pack_area(pack, "SD")["purpose"] = "Rewritten purpose."

    report = load_pack(write_pack(tmp_path, pack))

    assert (report.created, report.updated) == (0, 2)
    practice = db.session.get(Practice, practice_id)
    assert practice.title == "Run a Request Desk"
    assert services.area_get(model, "SD").id == area_id
    assert services.area_get(model, "SD").purpose == "Rewritten purpose."


def test_rows_dropped_from_the_pack_are_kept_and_reported_retired(tmp_path, pack, model):
    pack["process_areas"] = [area for area in pack["process_areas"] if area["code"] != "SCON"]
    for theme in pack["themes"]:
        theme["areas"] = [code for code in theme["areas"] if code != "SCON"]
    counts = _row_counts()

    report = load_pack(write_pack(tmp_path, pack))

    assert "SCON" in report.retired
    assert "SCON:SP 1.1" in report.retired
    assert services.area_get(model, "SCON") is not None
    assert _row_counts() == counts


def test_another_model_loads_beside_the_shipped_one_with_its_licence_note(tmp_path, pack):
    pack["model"].update(key="acme-services", name="Acme Service Framework", license="Internal use only.")

    report = load_pack(write_pack(tmp_path, pack, "acme.yaml"))

    acme = services.model_get("acme-services")
    assert report.created == 1 + 24 + 56 + 194
    assert acme.scales["license"] == "Internal use only."
    assert len(services.area_list(acme)) == 24
    assert len(services.area_list(services.model_get())) == 24


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: pack_area(p, "CAM")["goals"][0].update(colour="red"),
            "process_areas[CAM].goals[SG 1].colour: Unknown key",
        ),
        (lambda p: p.update(extra=1), "extra: Unknown key"),
        (lambda p: p["model"].update(licence="typo"), "model.licence: Unknown key"),
        (lambda p: pack_area(p, "SD").pop("name"), "process_areas[SD].name: Missing data for required field"),
        (
            lambda p: pack_area(p, "SD")["goals"][0]["practices"][0].pop("title"),
            "process_areas[SD].goals[SG 1].practices[SP 1.1].title: Missing data",
        ),
        (lambda p: p.pop("generic_goals"), "generic_goals: Missing data"),
        (lambda p: p["model"].update(version=1.3), "model.version: Not a valid string"),
        (lambda p: p.update(format=2), "format: Only format 1 is supported"),
        (
            lambda p: pack_area(p, "SD").update(category="nope"),
            "process_areas[SD].category: 'nope' is not in",
        ),
        (lambda p: pack_area(p, "SD").update(maturity_level=7), "process_areas[SD].maturity_level: 7"),
        (lambda p: p["themes"][0]["areas"].append("XYZ"), "'XYZ' is not a process area code"),
        (lambda p: pack_area(p, "SD").update(code="CAM"), "process_areas: 'CAM' appears 2 times"),
        (
            lambda p: pack_area(p, "SD")["goals"][0]["practices"][0].update(id="SP 1.2"),
            "process_areas[SD].practices: 'SP 1.2' appears 2 times",
        ),
        (lambda p: pack_area(p, "SD")["goals"][0].update(id="SG:1"), "no ':'"),
    ],
)
def test_invalid_packs_are_refused_with_a_clear_message(tmp_path, pack, change, message):
    change(pack)
    counts = _row_counts()

    with pytest.raises(PackError) as refused:
        load_pack(write_pack(tmp_path, pack))

    assert message in str(refused.value)
    assert _row_counts() == counts


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: 1\nformat: 1\n", "duplicate key 'format'"),
        ("format: [\n", "is not valid YAML"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_files_that_are_not_packs_are_refused(tmp_path, text, message):
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError, match=message):
        load_pack(path)


def test_load_packs_loads_every_pack_of_a_folder(tmp_path, pack):
    write_pack(tmp_path, pack, "a.yaml")
    pack["model"]["key"] = "cmmi-svc-copy"
    write_pack(tmp_path, pack, "b.yaml")
    (tmp_path / "notes.txt").write_text("not a pack", encoding="utf-8")

    reports = load_packs(tmp_path)

    assert [(r.model_key, r.created) for r in reports] == [("cmmi-svc", 0), ("cmmi-svc-copy", 275)]


def test_two_packs_with_one_model_key_are_refused(tmp_path, pack):
    write_pack(tmp_path, pack, "a.yaml")
    write_pack(tmp_path, pack, "b.yaml")
    with pytest.raises(PackError, match="both define model 'cmmi-svc'"):
        load_packs(tmp_path)


def test_cli_loads_the_shipped_packs_and_prints_counts(app):
    result = app.test_cli_runner().invoke(args=["catalog", "load"])

    assert result.exit_code == 0, result.output
    assert "cmmi-svc" in result.output
    assert "24 areas, 56 goals, 194 practices; 0 rows created, 0 updated" in result.output


def test_cli_loads_one_pack_and_explains_a_refusal(app, tmp_path, pack):
    assert "cmmi-svc" in app.test_cli_runner().invoke(args=["catalog", "load", str(SHIPPED_PACK)]).output
    pack["process_areas"][0]["colour"] = "red"

    result = app.test_cli_runner().invoke(args=["catalog", "load", str(write_pack(tmp_path, pack))])

    assert result.exit_code == 1
    assert "process_areas[CAM].colour: Unknown key" in result.output
