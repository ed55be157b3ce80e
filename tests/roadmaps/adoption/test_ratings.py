"""The bridge from rows to the rating engine: a table of cases written as raw rows, and its query count."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.catalog.models import Goal, Practice, ProcessArea
from saas.extensions import db
from saas.roadmaps.adoption.models import GoalJudgement, PracticeAssessment, PracticeRaise
from saas.roadmaps.adoption.services.ratings import roadmap_rating, snapshot_figures
from saas.roadmaps.planning.models import Roadmap, ServiceLine, TargetKind
from saas.roadmaps.rating import FI, LI, NI, PI
from tests.roadmaps.assessing import (
    GG2_PRACTICES,
    ML2_AREAS,
    count_queries,
    line_named,
    put,
    put_area,
    roadmap_with_lines,
)


def judge(roadmap, area_code: str, goal_code: str, satisfied: bool) -> None:
    area = db.session.scalar(select(ProcessArea).where(ProcessArea.code == area_code))
    goal = db.session.scalar(
        select(Goal).where(Goal.code == goal_code, (Goal.area_id == area.id) | Goal.area_id.is_(None))
    )
    db.session.add(
        GoalJudgement(
            tenant_id=roadmap.tenant_id,
            roadmap_id=roadmap.id,
            area_id=area.id,
            goal_id=goal.id,
            satisfied=satisfied,
            note="Appraisal team's view",
        )
    )
    db.session.flush()


def record_raise(roadmap, area_code: str, practice_code: str) -> None:
    area = db.session.scalar(select(ProcessArea).where(ProcessArea.code == area_code))
    practice = db.session.scalar(
        select(Practice).where(Practice.area_id == area.id, Practice.code == practice_code)
    )
    db.session.add(
        PracticeRaise(
            tenant_id=roadmap.tenant_id,
            roadmap_id=roadmap.id,
            area_id=area.id,
            practice_id=practice.id,
            reason="The gap is in one small team",
        )
    )
    db.session.flush()


def test_all_fi_with_gg2_gives_cl2_and_gg2_fi(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["WP"])
    put_area(roadmap, line_named(roadmap, "Whole organisation"), "WP", "FI")

    area = roadmap_rating(roadmap=roadmap).area("WP")

    assert area.level == 2
    assert area.on_target
    assert area.blockers == []
    gg2 = area.goal("GG 2")
    assert gg2.satisfied
    assert [practice.value for practice in gg2.practices] == [FI] * 10
    assert [goal.goal.code for goal in area.goals] == [
        "SG 1",
        "SG 2",
        "SG 3",
        "GG 2",
    ]  # GG 3 not needed at CL2


def test_specific_goals_without_gg2_give_cl1_and_name_gg2(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["WP"])
    put_area(roadmap, line_named(roadmap, "Whole organisation"), "WP", "LI", generic=GG2_PRACTICES[:-1])

    area = roadmap_rating(roadmap=roadmap).area("WP")

    assert area.level == 1
    assert area.blockers == ["CL2 blocked: WP GG 2 (GP 2.10 not assessed)"]


def test_one_pi_leaves_its_goal_unsatisfied(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"])
    line = line_named(roadmap, "Whole organisation")
    put_area(roadmap, line, "REQM", "FI", generic=GG2_PRACTICES)
    change(roadmap, line, "REQM", "SP 1.3", "PI")

    result = roadmap_rating(roadmap=roadmap)
    area = result.area("REQM")

    assert not area.goal("SG 1").satisfied
    assert area.goal("SG 1").implemented_count == 4
    assert area.level == 0
    assert "CL2 blocked: REQM SG 1 (SP 1.3 PI)" in area.blockers
    assert "ML2 blocked: REQM SG 1 (SP 1.3 PI)" in result.blockers


@pytest.mark.parametrize(
    ("value", "judged", "level"),
    [
        ("PI", True, 2),  # judged satisfied despite a PI
        ("FI", False, 0),  # judged unsatisfied despite every practice FI
    ],
)
def test_a_goal_judgement_overrides_the_practices(tenant, catalog_model, value, judged, level):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"])
    line = line_named(roadmap, "Whole organisation")
    put_area(roadmap, line, "REQM", "FI")
    change(roadmap, line, "REQM", "SP 1.1", value)
    judge(roadmap, "REQM", "SG 1", judged)

    area = roadmap_rating(roadmap=roadmap).area("REQM")

    assert area.goal("SG 1").satisfied is judged
    assert area.goal("SG 1").computed is (value == "FI")
    assert area.level == level


def test_lines_roll_up_and_a_raise_lifts_pi_to_li(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"], lines=("Service desk", "Field support"))
    desk, field = line_named(roadmap, "Service desk"), line_named(roadmap, "Field support")
    put_area(roadmap, desk, "REQM", "FI")
    put_area(roadmap, field, "REQM", "LI")
    change(roadmap, field, "REQM", "SP 1.2", "PI")

    before = roadmap_rating(roadmap=roadmap).area("REQM")
    sp12 = before.goal("SG 1").practices[1]
    assert (sp12.value, sp12.can_raise, sp12.by_line) == (PI, True, {desk.id: FI, field.id: PI})
    assert before.goal("GG 2").practices[0].value == LI
    assert before.level == 0
    assert "CL2 blocked: REQM SG 1 (SP 1.2 PI in Field support)" in before.blockers

    record_raise(roadmap, "REQM", "SP 1.2")
    after = roadmap_rating(roadmap=roadmap).area("REQM")
    assert after.goal("SG 1").practices[1].value == LI
    assert after.goal("SG 1").practices[1].raised
    assert after.level == 2


def test_a_raise_lapses_when_the_lines_leave_the_judgement_case(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"])
    line = line_named(roadmap, "Whole organisation")
    put(roadmap, line, "REQM", "SP 1.1", "NI")
    record_raise(roadmap, "REQM", "SP 1.1")

    practice = roadmap_rating(roadmap=roadmap).area("REQM").goal("SG 1").practices[0]

    assert (practice.value, practice.raised) == (NI, False)


def test_ny_lines_are_left_out_of_the_roll_up(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"], lines=("Service desk", "Field support"))
    put(roadmap, line_named(roadmap, "Service desk"), "REQM", "SP 1.1", "NY")
    put(roadmap, line_named(roadmap, "Field support"), "REQM", "SP 1.1", "FI")

    practice = roadmap_rating(roadmap=roadmap).area("REQM").goal("SG 1").practices[0]

    assert practice.value == FI


def test_lines_the_roadmap_no_longer_covers_do_not_count(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"], lines=("Service desk", "Field support"))
    field = line_named(roadmap, "Field support")
    put(roadmap, line_named(roadmap, "Service desk"), "REQM", "SP 1.1", "FI")
    put(roadmap, field, "REQM", "SP 1.1", "NI")
    db.session.delete(next(link for link in roadmap.service_line_links if link.service_line_id == field.id))
    db.session.flush()

    result = roadmap_rating(roadmap=roadmap)

    assert [line.name for line in result.lines] == ["Service desk"]
    assert result.area("REQM").goal("SG 1").practices[0].value == FI


def test_ml2_is_reached_when_all_eight_ml2_areas_are_at_cl2(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ML2_AREAS)
    line = line_named(roadmap, "Whole organisation")
    for code in ML2_AREAS[:-1]:
        put_area(roadmap, line, code, "FI")

    seven = roadmap_rating(roadmap=roadmap)
    assert (seven.maturity_level, seven.equivalent_staging, seven.on_target) == (1, 1, False)
    assert all(line_text.startswith("ML2 blocked: WP ") for line_text in seven.blockers)

    put_area(roadmap, line, ML2_AREAS[-1], "LI")
    eight = roadmap_rating(roadmap=roadmap)
    assert [area.level for area in eight.areas] == [2] * 8
    assert (eight.maturity_level, eight.equivalent_staging, eight.on_target, eight.blockers) == (
        2,
        2,
        True,
        [],
    )


def test_areas_outside_the_roadmap_keep_a_level_out_of_reach(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["WP", "SD"])
    line = line_named(roadmap, "Whole organisation")
    put_area(roadmap, line, "WP", "FI")
    put_area(roadmap, line, "SD", "FI")

    result = roadmap_rating(roadmap=roadmap)

    assert [area.level for area in result.areas] == [2, 2]
    assert result.maturity_level == 1
    assert sorted(result.missing_areas) == ["CM", "MA", "PPQA", "REQM", "SAM", "WMC"]
    assert "ML2 blocked: CM is not in this roadmap" in result.blockers


def test_a_profile_roadmap_is_measured_against_each_areas_target(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["WP", "SD"])
    roadmap.target_kind, roadmap.target_maturity_level = TargetKind.CAPABILITY_PROFILE, None
    line = line_named(roadmap, "Whole organisation")
    wp = next(selected for selected in roadmap.areas if selected.area.code == "WP")
    wp.target_capability_level = 1
    put_area(roadmap, line, "WP", "FI", generic=[])
    db.session.flush()

    result = roadmap_rating(roadmap=roadmap)

    assert result.target == "profile"
    assert result.area("WP").on_target
    assert [goal.goal.code for goal in result.area("WP").goals] == ["SG 1", "SG 2", "SG 3"]
    assert [gap.area for gap in result.gaps] == ["SD"]
    assert result.blockers[0].startswith("CL2 blocked: SD SG 1 (")


def test_snapshot_figures_count_the_practices_the_targets_need(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"])
    line = line_named(roadmap, "Whole organisation")
    put(roadmap, line, "REQM", "SP 1.1", "FI")
    put(roadmap, line, "REQM", "SP 1.2", "LI")
    put(roadmap, line, "REQM", "SP 1.3", "PI")

    figures = snapshot_figures(roadmap_rating(roadmap=roadmap))

    assert figures["practices"] == 5 + 10
    assert figures["counts"] == {"FI": 1, "LI": 1, "PI": 1, "NI": 0, "NY": 0, "none": 12}
    assert figures["implemented_percent"] == round(100 * 2 / 15, 1)
    assert figures["areas"] == {"REQM": {"level": 0, "target": 2}}
    assert figures["maturity_level"] == 1


def test_rating_runs_the_same_number_of_queries_for_2_and_20_areas(tenant, catalog_model):
    ml3 = [
        code
        for code in db.session.scalars(select(ProcessArea.code).where(ProcessArea.maturity_level <= 3))
        if code != "SSD"
    ]
    assert len(ml3) == 19
    small = roadmap_with_lines(tenant, catalog_model, ["WP", "SD"], name="Small")
    large = roadmap_with_lines(
        tenant, catalog_model, [*ml3, "SSD"], lines=("Desk", "Field", "Site"), name="Large"
    )
    for roadmap in (small, large):
        for area in roadmap.areas:
            for line in (link.service_line for link in roadmap.service_line_links):
                put_area(roadmap, line, area.area.code, "LI", generic=GG2_PRACTICES[:3])
        record_raise(roadmap, "WP", "SP 1.1")
        judge(roadmap, "SD", "SG 1", True)
    db.session.expire_all()

    counts = []
    for roadmap_id in (small.id, large.id):
        db.session.expire_all()
        roadmap = db.session.get(Roadmap, roadmap_id)
        with count_queries() as statements:
            result = roadmap_rating(roadmap=roadmap)
        counts.append(len(statements))
    assert len(result.areas) == 20
    assert counts[0] == counts[1] <= 11


def change(roadmap, line: ServiceLine, area_code: str, practice_code: str, value: str) -> None:
    """Change one raw row's value."""
    area = db.session.scalar(select(ProcessArea).where(ProcessArea.code == area_code))
    row = db.session.scalar(
        select(PracticeAssessment)
        .join(Practice, Practice.id == PracticeAssessment.practice_id)
        .where(
            PracticeAssessment.roadmap_id == roadmap.id,
            PracticeAssessment.service_line_id == line.id,
            PracticeAssessment.area_id == area.id,
            Practice.code == practice_code,
        )
    )
    row.characterisation = value
    db.session.flush()
