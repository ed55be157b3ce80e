"""Practice assessments through the API: the grid per roadmap/line/area, setting values, the pages' rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.roadmaps.adoption.models import AssessmentChange, PracticeAssessment
from saas.tenants.permissions import Permission, Role, can
from tests.api.conftest import ApiClient, audit_count, token_for
from tests.roadmaps.assessing import GG2_PRACTICES, enter, line_named, put, roadmap_with_lines, specific_codes
from tests.support import make_tenant


@pytest.fixture
def base(tenant, roadmap):
    return f"/t/{tenant.slug}/roadmaps/{roadmap.id}/assessments"


def test_the_list_has_every_practice_at_target_in_every_covered_line(owner_api, base, roadmap, catalog_model):
    practices_per_area = {
        code: len(specific_codes(catalog_model, code)) + len(GG2_PRACTICES) for code in ("WP", "WMC", "SD")
    }

    everything = owner_api.get(f"{base}?per_page=100").json
    one_line = owner_api.get(
        f"{base}?service_line_id={line_named(roadmap, 'Help desk').id}&per_page=100"
    ).json
    one_area = owner_api.get(f"{base}?area=wp&per_page=100").json

    assert everything["total"] == 2 * sum(practices_per_area.values())
    assert one_line["total"] == sum(practices_per_area.values())
    assert {row["service_line_name"] for row in one_line["items"]} == {"Help desk"}
    assert one_area["total"] == 2 * practices_per_area["WP"]
    assert {row["area_code"] for row in one_area["items"]} == {"WP"}
    assert all(row["id"] is None and row["characterisation"] is None for row in everything["items"])


def test_a_program_manager_sets_reads_changes_and_clears_a_characterisation(
    api_as, base, tenant, roadmap, people
):
    api = api_as(Role.PROGRAM_MANAGER)
    help_desk = line_named(roadmap, "Help desk")

    first = api.post(
        base,
        json={
            "area_code": "wp",
            "practice_code": "sp1.1",
            "service_line_id": help_desk.id,
            "characterisation": "PI",
            "notes": "Strategy drafted, not yet agreed.",
        },
    )
    assert first.status_code == 200, first.json
    row = first.json
    assert (row["area_code"], row["practice_code"], row["goal_code"]) == ("WP", "SP 1.1", "SG 1")
    assert (row["service_line_id"], row["characterisation"]) == (help_desk.id, "PI")
    assert row["updated_by"] == {
        "id": people[Role.PROGRAM_MANAGER].id,
        "name": people[Role.PROGRAM_MANAGER].name,
    }

    assert api.get(f"/t/{tenant.slug}/assessments/{row['id']}").json == row
    listed = api.get(f"{base}?area=WP&service_line_id={help_desk.id}").json["items"]
    assert next(item for item in listed if item["practice_code"] == "SP 1.1") == row

    raised = api.post(
        base,
        json={
            "area_code": "WP",
            "practice_code": "SP 1.1",
            "service_line_id": help_desk.id,
            "characterisation": "LI",
        },
    )
    assert raised.json["characterisation"] == "LI"
    assert raised.json["notes"] == "Strategy drafted, not yet agreed."  # notes left out are kept
    cleared = api.post(
        base,
        json={
            "area_code": "WP",
            "practice_code": "SP 1.1",
            "service_line_id": help_desk.id,
            "characterisation": None,
        },
    )
    assert cleared.json["characterisation"] is None

    enter(tenant)
    history = db.session.scalars(
        select(AssessmentChange)
        .where(AssessmentChange.assessment_id == row["id"])
        .order_by(AssessmentChange.id)
    ).all()
    assert [(change.from_value, change.to_value) for change in history] == [
        (None, "PI"),
        ("PI", "LI"),
        ("LI", None),
    ]


def test_without_a_line_the_roadmaps_default_line_is_assessed(owner_api, base, roadmap):
    response = owner_api.post(
        base, json={"area_code": "SD", "practice_code": "GP 2.1", "characterisation": "FI"}
    )

    assert response.status_code == 200, response.json
    assert response.json["service_line_id"] == line_named(roadmap, "Whole organisation").id
    assert response.json["goal_code"] == "GG 2"


@pytest.mark.parametrize("role", list(Role))
def test_only_roles_that_assess_practices_may_set_them_everyone_reads(client, base, tenant, people, role):
    api = ApiClient(client, token_for(people[role]))
    before = audit_count(tenant)

    listed = api.get(base)
    setting = api.post(base, json={"area_code": "WP", "practice_code": "SP 1.1", "characterisation": "FI"})

    assert listed.status_code == 200
    if can(role, Permission.ASSESS_PRACTICES):
        assert setting.status_code == 200
    else:
        assert setting.status_code == 403
        assert audit_count(tenant) == before
        enter(tenant)
        assert db.session.scalar(select(PracticeAssessment.id)) is None


def test_practices_lines_and_values_outside_the_roadmap_are_refused_on_their_field(
    owner_api, base, tenant, catalog_model
):
    elsewhere = roadmap_with_lines(
        tenant, catalog_model, ["CAM"], lines=("Field service",), name="Other plan"
    )
    db.session.commit()
    cases = {
        "area_code": {"area_code": "CAM", "practice_code": "SP 1.1", "characterisation": "FI"},
        "practice_code": {"area_code": "WP", "practice_code": "SP 9.9", "characterisation": "FI"},
        "service_line_id": {
            "area_code": "WP",
            "practice_code": "SP 1.1",
            "characterisation": "FI",
            "service_line_id": line_named(elsewhere, "Field service").id,
        },
        "characterisation": {"area_code": "WP", "practice_code": "SP 1.1", "characterisation": "XX"},
        "notes": {
            "area_code": "WP",
            "practice_code": "SP 1.1",
            "characterisation": "FI",
            "notes": "n" * 4001,
        },
    }

    for field, body in cases.items():
        response = owner_api.post(base, json=body)
        assert response.status_code == 422, (field, response.json)
        assert field in response.json["errors"], (field, response.json)


def test_an_assessment_of_another_tenant_is_not_found(client, tenant, people, catalog_model):
    other = make_tenant("Other Org")
    theirs = roadmap_with_lines(other, catalog_model, ["WP"], name="Theirs")
    put(theirs, theirs.service_line_links[0].service_line, "WP", "SP 1.1", "FI")
    db.session.commit()
    enter(other)
    assessment_id = db.session.scalar(select(PracticeAssessment.id))
    api = ApiClient(client, token_for(people[Role.OWNER]))

    assert api.get(f"/t/{tenant.slug}/assessments/{assessment_id}").status_code == 404
    assert api.get(f"/t/{tenant.slug}/roadmaps/{theirs.id}/assessments").status_code == 404
