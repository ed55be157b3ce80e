"""Assessment rules: what may be characterised where, history on change, judgements, raises, snapshots."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from saas.extensions import db
from saas.roadmaps.adoption.models import (
    AssessmentChange,
    GoalJudgement,
    PracticeAssessment,
    PracticeRaise,
    RoadmapSnapshot,
)
from saas.roadmaps.adoption.services import assessments
from saas.roadmaps.adoption.services.ratings import roadmap_rating
from saas.roadmaps.errors import RoadmapError
from saas.tenants.clock import tenant_today
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import enter, line_named, roadmap_with_lines
from tests.support import make_tenant


@pytest.fixture
def roadmap(tenant, catalog_model):
    return roadmap_with_lines(tenant, catalog_model, ["REQM", "WP"], lines=("Service desk", "Field support"))


@pytest.fixture
def desk(roadmap):
    return line_named(roadmap, "Service desk")


@pytest.fixture
def field(roadmap):
    return line_named(roadmap, "Field support")


@pytest.fixture
def manager(members):
    return members[Role.PROGRAM_MANAGER]


def characterise(tenant, actor, roadmap, line, practice, value, area="REQM", **extra):
    return assessments.assessment_set(
        tenant=tenant,
        actor=actor,
        roadmap=roadmap,
        service_line=line,
        area_code=area,
        practice_code=practice,
        characterisation=value,
        **extra,
    )


def changes(roadmap) -> list[tuple]:
    rows = db.session.execute(
        select(AssessmentChange.from_value, AssessmentChange.to_value, AssessmentChange.actor_id)
        .where(AssessmentChange.roadmap_id == roadmap.id)
        .order_by(AssessmentChange.id)
    )
    return [tuple(row) for row in rows]


def test_a_change_of_value_is_kept_with_who_from_and_to(tenant, roadmap, desk, manager, members):
    characterise(tenant, manager, roadmap, desk, "SP 1.1", "PI")
    characterise(tenant, members[Role.OWNER], roadmap, desk, "SP 1.1", "LI", notes="Reviewed in March")
    assessment = characterise(tenant, manager, roadmap, desk, "SP 1.1", None)

    assert changes(roadmap) == [
        (None, "PI", manager.id),
        ("PI", "LI", members[Role.OWNER].id),
        ("LI", None, manager.id),
    ]
    assert (assessment.characterisation, assessment.notes, assessment.updated_by_id) == (
        None,
        "Reviewed in March",
        manager.id,
    )
    summaries = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "assessment.updated").order_by(AuditEvent.id)
    ).all()
    assert summaries[0] == "REQM SP 1.1 in Service desk: not assessed → PI"


def test_saving_the_same_value_writes_no_history(tenant, roadmap, desk, manager):
    characterise(tenant, manager, roadmap, desk, "SP 1.1", "fi")
    characterise(tenant, manager, roadmap, desk, "SP 1.1", "FI")
    characterise(tenant, manager, roadmap, desk, "SP 1.1", "FI", notes="Only the notes change")

    assert changes(roadmap) == [(None, "FI", manager.id)]
    assert db.session.scalar(select(func.count(PracticeAssessment.id))) == 1


def test_each_line_has_its_own_value(tenant, roadmap, desk, field, manager):
    characterise(tenant, manager, roadmap, desk, "SP 1.1", "FI")
    characterise(tenant, manager, roadmap, field, "SP 1.1", "PI")

    practice = roadmap_rating(roadmap=roadmap).area("REQM").goal("SG 1").practices[0]
    assert practice.by_line == {desk.id: "FI", field.id: "PI"}
    assert practice.value == "PI"


@pytest.mark.parametrize(
    ("area", "practice", "value", "message"),
    [
        ("REQM", "SP 2.1", "FI", "SP 2.1 is not assessed in REQM"),  # REQM has one goal
        ("REQM", "GP 3.1", "FI", "GP 3.1 is not assessed in REQM"),  # GG 3 is not needed at CL2
        ("REQM", "GP 1.1", "FI", "GP 1.1 is not assessed in REQM"),  # GG 1 is the specific goals themselves
        ("SD", "SP 1.1", "FI", "SD is not in this roadmap"),
        ("REQM", "SP 1.1", "XX", "Choose FI, LI, PI, NI, NY or not assessed"),
    ],
)
def test_only_the_practices_an_area_needs_take_a_known_value(
    tenant, roadmap, desk, manager, area, practice, value, message
):
    with pytest.raises(RoadmapError, match=message):
        characterise(tenant, manager, roadmap, desk, practice, value, area=area)


def test_generic_practices_follow_the_target_level(tenant, roadmap, desk, manager):
    reqm = next(selected for selected in roadmap.areas if selected.area.code == "REQM")
    reqm.target_capability_level = 3
    db.session.flush()

    assessment = characterise(tenant, manager, roadmap, desk, "GP 3.2", "LI")

    assert assessment.characterisation == "LI"


def test_a_line_the_roadmap_does_not_cover_is_refused(tenant, catalog_model, roadmap, manager):
    other = roadmap_with_lines(tenant, catalog_model, ["REQM"], lines=("Data centre",), name="Other")
    with pytest.raises(RoadmapError, match="service line this roadmap covers"):
        characterise(tenant, manager, roadmap, line_named(other, "Data centre"), "SP 1.1", "FI")


def test_a_change_refreshes_todays_snapshot(tenant, roadmap, desk, manager):
    characterise(tenant, manager, roadmap, desk, "SP 1.1", "FI")
    characterise(tenant, manager, roadmap, desk, "SP 1.2", "LI")

    snapshots = db.session.scalars(
        select(RoadmapSnapshot).where(RoadmapSnapshot.roadmap_id == roadmap.id)
    ).all()
    assert [snapshot.taken_on for snapshot in snapshots] == [tenant_today(roadmap.tenant)]
    db.session.refresh(snapshots[0])
    figures = snapshots[0].figures
    assert (figures["counts"]["FI"], figures["counts"]["LI"]) == (1, 1)  # a line not yet assessed is left out
    assert figures["practices"] == 2 * 10 + 5 + 15  # GG 2 of both areas, REQM's and WP's specific practices


def test_notes_alone_leave_the_snapshot_alone(tenant, roadmap, desk, manager):
    characterise(tenant, manager, roadmap, desk, "SP 1.1", None, notes="Started")

    assert db.session.scalar(select(func.count(RoadmapSnapshot.id))) == 0


# --- judgements ----------------------------------------------------------------------------------


def judge(tenant, actor, roadmap, goal, satisfied, note="The appraisal team agreed", area="REQM"):
    return assessments.goal_judgement_set(
        tenant=tenant,
        actor=actor,
        roadmap=roadmap,
        area_code=area,
        goal_code=goal,
        satisfied=satisfied,
        note=note,
    )


def test_a_judgement_decides_the_goal_until_cleared(tenant, roadmap, desk, manager):
    characterise(tenant, manager, roadmap, desk, "SP 1.1", "PI")

    judgement = judge(tenant, manager, roadmap, "SG 1", True)
    assert (judgement.satisfied, judgement.note, judgement.actor_id) == (
        True,
        "The appraisal team agreed",
        manager.id,
    )
    assert roadmap_rating(roadmap=roadmap).area("REQM").goal("SG 1").satisfied

    judge(tenant, manager, roadmap, "SG 1", False, note="Weakness in traceability")
    assert db.session.scalar(select(func.count(GoalJudgement.id))) == 1
    assert not roadmap_rating(roadmap=roadmap).area("REQM").goal("SG 1").satisfied

    assert judge(tenant, manager, roadmap, "SG 1", None, note="") is None
    assert db.session.scalar(select(func.count(GoalJudgement.id))) == 0
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("goal.%"))).all()
    assert actions == ["goal.judged", "goal.judged", "goal.judgement_cleared"]


def test_a_judgement_needs_a_note_and_a_goal_the_area_is_rated_on(tenant, roadmap, manager):
    with pytest.raises(RoadmapError, match="Say why"):
        judge(tenant, manager, roadmap, "SG 1", True, note="  ")
    with pytest.raises(RoadmapError, match="GG 3 is not a goal REQM is rated on"):
        judge(tenant, manager, roadmap, "GG 3", True)
    assert judge(tenant, manager, roadmap, "GG 2", True).goal_id is not None


# --- raises --------------------------------------------------------------------------------------


def raise_practice(tenant, actor, roadmap, practice="SP 1.1", reason="Only a pilot team lags", raised=True):
    return assessments.practice_raise_set(
        tenant=tenant,
        actor=actor,
        roadmap=roadmap,
        area_code="REQM",
        practice_code=practice,
        raised=raised,
        reason=reason,
    )


def test_a_pi_roll_up_is_raised_to_li_with_a_reason(tenant, roadmap, desk, field, manager):
    characterise(tenant, manager, roadmap, desk, "SP 1.1", "FI")
    characterise(tenant, manager, roadmap, field, "SP 1.1", "PI")

    record = raise_practice(tenant, manager, roadmap)

    assert (record.raised_to, record.reason, record.actor_id) == ("LI", "Only a pilot team lags", manager.id)
    practice = roadmap_rating(roadmap=roadmap).area("REQM").goal("SG 1").practices[0]
    assert (practice.value, practice.raised) == ("LI", True)
    raise_practice(tenant, manager, roadmap, raised=False)
    assert db.session.scalar(select(func.count(PracticeRaise.id))) == 0


@pytest.mark.parametrize(
    ("desk_value", "field_value"), [("FI", "LI"), ("NI", "NI"), (None, None), ("NY", "FI")]
)
def test_a_raise_is_refused_unless_the_lines_are_a_pi_ni_mix(
    tenant, roadmap, desk, field, manager, desk_value, field_value
):
    characterise(tenant, manager, roadmap, desk, "SP 1.1", desk_value)
    characterise(tenant, manager, roadmap, field, "SP 1.1", field_value)

    with pytest.raises(RoadmapError, match="Only a practice that rolls up to PI"):
        raise_practice(tenant, manager, roadmap)
    assert db.session.scalar(select(func.count(PracticeRaise.id))) == 0


def test_a_raise_needs_a_reason(tenant, roadmap, desk, manager):
    characterise(tenant, manager, roadmap, desk, "SP 1.1", "PI")
    with pytest.raises(RoadmapError, match="Give the reason"):
        raise_practice(tenant, manager, roadmap, reason=" ")


# --- tenancy -------------------------------------------------------------------------------------


def test_another_tenants_assessment_is_not_found(tenant, roadmap, desk, manager):
    assessment = characterise(tenant, manager, roadmap, desk, "SP 1.1", "FI")
    db.session.commit()
    stranger = make_tenant("Stranger Org")

    assert assessments.assessment_get(tenant=stranger, assessment_id=assessment.id) is None
    enter(stranger)
    assert (
        assessments.assessment_get(tenant=tenant, assessment_id=assessment.id) is None
    )  # the scope hides it too
