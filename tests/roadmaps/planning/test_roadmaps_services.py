"""Roadmap rules: the three ways to create, editing the plan, phases, lifecycle, audit and figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from saas.catalog.models import Practice
from saas.extensions import db
from saas.roadmaps.adoption.models import PracticeAssessment
from saas.roadmaps.adoption.services.ratings import NOT_ASSESSED
from saas.roadmaps.errors import (
    AreaNotInRoadmap,
    DatesOutOfOrder,
    EmptySelection,
    InvalidLevel,
    InvalidTarget,
    NameTaken,
    NotAllowed,
    NotAMember,
    NotApplicableRefused,
    PhaseNotInRoadmap,
    UnknownAreaCodes,
    UnknownServiceLine,
)
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.planning.models import Phase, Roadmap, RoadmapStatus, ServiceLine, TargetKind
from saas.roadmaps.planning.services import areas as area_services
from saas.roadmaps.planning.services import phases
from saas.roadmaps.planning.services import roadmaps as services
from saas.roadmaps.planning.services.selection import profile_picks, selection_effect
from saas.roadmaps.planning.timeline import timeline_layout
from saas.roadmaps.portfolio.services.figures import roadmap_figures
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role
from tests.support import make_user, owner_of

ML2 = ["CM", "MA", "PPQA", "REQM", "SAM", "SD", "WMC", "WP"]
ML3_ADDS = ["CAM", "DAR", "IRP", "IWM", "OPD", "OPF", "OT", "RSKM", "SCON", "SSD", "SST", "STSM"]
START, END = date(2027, 1, 1), date(2027, 12, 31)


def create(tenant, actor, **overrides) -> Roadmap:
    args = {
        "name": "Programme",
        "target_kind": TargetKind.MATURITY_LEVEL,
        "target_maturity_level": 2,
        "starts_on": START,
        "ends_on": END,
    } | overrides
    return services.roadmap_create(tenant=tenant, actor=actor, **args)


def levels(roadmap: Roadmap) -> dict[str, int]:
    return {selected.area.code: selected.target_capability_level for selected in roadmap.areas}


def roadmap_count(tenant) -> int:
    return db.session.scalar(select(func.count(Roadmap.id)).where(Roadmap.tenant_id == tenant.id))


@pytest.fixture
def owner(members):
    return members[Role.OWNER]


# --- creating -------------------------------------------------------------------------------


def test_ml2_selects_exactly_the_eight_ml2_areas_at_cl2(tenant, owner):
    roadmap = create(tenant, owner, target_maturity_level=2)

    assert levels(roadmap) == dict.fromkeys(ML2, 2)
    assert roadmap.target_kind == TargetKind.MATURITY_LEVEL
    assert roadmap.target_maturity_level == 2


def test_ml3_selects_the_twenty_areas_at_cl3_with_ssd_kept_as_not_applicable(tenant, owner):
    roadmap = create(tenant, owner, target_maturity_level=3)

    assert levels(roadmap) == dict.fromkeys(ML2 + ML3_ADDS, 3)
    assert [selected.area.code for selected in roadmap.areas if selected.not_applicable] == ["SSD"]


def test_ml3_with_ssd_included_makes_every_area_applicable(tenant, owner):
    roadmap = create(tenant, owner, target_maturity_level=3, include_ssd=True)

    assert len(roadmap.areas) == 20
    assert not any(selected.not_applicable for selected in roadmap.areas)


@pytest.mark.parametrize(("level", "count"), [(4, 22), (5, 24)])
def test_higher_maturity_levels_add_their_areas_at_cl3(tenant, owner, level, count):
    roadmap = create(tenant, owner, target_maturity_level=level)

    assert len(roadmap.areas) == count
    assert set(levels(roadmap).values()) == {3}
    assert {"OPP", "QWM"} <= set(levels(roadmap))


def test_areas_are_placed_in_the_suggested_order(tenant, owner):
    roadmap = create(tenant, owner, target_maturity_level=3)

    orders = [selected.area.suggested_order for selected in roadmap.areas]
    assert orders == sorted(orders)


def test_capability_profile_keeps_the_chosen_levels(tenant, owner):
    profile = {"WP": 3, "SD": 2, "IRP": 1, "CAM": 3}

    roadmap = create(tenant, owner, target_kind=TargetKind.CAPABILITY_PROFILE, profile=profile)

    assert levels(roadmap) == profile
    assert roadmap.target_maturity_level is None


def test_free_choice_selects_the_areas_at_cl2(tenant, owner):
    roadmap = create(tenant, owner, target_kind=TargetKind.FREE, area_codes=["irp", "SCON"])

    assert levels(roadmap) == {"IRP": 2, "SCON": 2}


def test_unknown_area_codes_are_refused_and_nothing_is_saved(tenant, owner):
    with pytest.raises(UnknownAreaCodes, match="XYZ"):
        create(tenant, owner, target_kind=TargetKind.CAPABILITY_PROFILE, profile={"WP": 2, "XYZ": 2})

    assert roadmap_count(tenant) == 0


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"target_kind": TargetKind.CAPABILITY_PROFILE, "profile": {"WP": 4}}, InvalidLevel),
        ({"target_kind": TargetKind.CAPABILITY_PROFILE, "profile": {}}, EmptySelection),
        ({"target_kind": TargetKind.FREE, "area_codes": []}, EmptySelection),
        ({"target_maturity_level": 6}, InvalidTarget),
        ({"target_maturity_level": None}, InvalidTarget),
        ({"target_kind": "staged"}, InvalidTarget),
        ({"starts_on": END, "ends_on": START}, DatesOutOfOrder),
        ({"name": "   "}, NameTaken),
    ],
)
def test_invalid_requests_are_refused_with_a_message(tenant, owner, overrides, error):
    with pytest.raises(error) as refusal:
        create(tenant, owner, **overrides)

    assert str(refusal.value)
    assert roadmap_count(tenant) == 0


def test_names_are_unique_per_tenant(tenant, owner, foreign_tenant):
    create(tenant, owner, name="Programme")
    with pytest.raises(NameTaken, match="already"):
        create(tenant, owner, name=" Programme ")
    assert create(foreign_tenant, owner_of(foreign_tenant), name="Programme").id


def test_first_roadmap_creates_the_default_service_line_and_later_ones_reuse_it(tenant, owner):
    first = create(tenant, owner, name="One")
    second = create(tenant, owner, name="Two")

    lines = db.session.scalars(select(ServiceLine).where(ServiceLine.tenant_id == tenant.id)).all()
    assert [(line.name, line.is_default) for line in lines] == [("Whole organisation", True)]
    assert [link.service_line_id for link in first.service_line_links] == [lines[0].id]
    assert [link.service_line_id for link in second.service_line_links] == [lines[0].id]


def test_chosen_service_lines_are_linked_and_foreign_ones_refused(tenant, owner, foreign_tenant):
    field = ServiceLine(tenant=tenant, name="Field support")
    desk = ServiceLine(tenant=tenant, name="Service desk")
    db.session.add_all([field, desk])
    foreign = ServiceLine(tenant=foreign_tenant, name="Theirs")
    db.session.add(foreign)
    db.session.flush()

    roadmap = create(tenant, owner, service_line_ids=[field.id, desk.id])
    assert {link.service_line_id for link in roadmap.service_line_links} == {field.id, desk.id}

    with pytest.raises(UnknownServiceLine):
        create(tenant, owner, name="Other", service_line_ids=[foreign.id])


# --- editing ----------------------------------------------------------------------------------


def test_area_plan_records_level_priority_phase_owner_and_rationale(tenant, owner, members):
    roadmap = create(tenant, owner)
    phase = phases.phase_create(
        tenant=tenant, actor=owner, roadmap=roadmap, name="Wave 1", starts_on=START, ends_on=END
    )
    selected = roadmap.areas[0]

    area_services.roadmap_area_update(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        roadmap_area=selected,
        target_capability_level=3,
        priority=1,
        phase_id=phase.id,
        owner_id=members[Role.STAFF].id,
        rationale="  Customers complain about missed deadlines. ",
    )

    assert (selected.target_capability_level, selected.priority) == (3, 1)
    assert selected.phase == phase
    assert selected.owner == members[Role.STAFF]
    assert selected.rationale == "Customers complain about missed deadlines."


def update_area(tenant, owner, roadmap, **overrides):
    args = {
        "target_capability_level": 2,
        "priority": 2,
        "phase_id": None,
        "owner_id": None,
        "rationale": "",
    } | overrides
    return area_services.roadmap_area_update(
        tenant=tenant, actor=owner, roadmap=roadmap, roadmap_area=roadmap.areas[0], **args
    )


def test_area_owner_must_belong_to_the_tenant(tenant, owner):
    roadmap = create(tenant, owner)
    stranger = make_user("stranger@example.com")

    with pytest.raises(NotAMember):
        update_area(tenant, owner, roadmap, owner_id=stranger.id)


def test_phase_of_another_roadmap_or_tenant_is_refused(tenant, owner, foreign_tenant):
    roadmap = create(tenant, owner, name="Mine")
    other = create(tenant, owner, name="Other")
    their_phase = phases.phase_create(
        tenant=tenant, actor=owner, roadmap=other, name="Theirs", starts_on=None, ends_on=None
    )
    foreign_roadmap = create(foreign_tenant, owner_of(foreign_tenant), name="Foreign")
    foreign_phase = phases.phase_create(
        tenant=foreign_tenant,
        actor=owner_of(foreign_tenant),
        roadmap=foreign_roadmap,
        name="Foreign",
        starts_on=None,
        ends_on=None,
    )

    for phase_id in (their_phase.id, foreign_phase.id):
        with pytest.raises(PhaseNotInRoadmap):
            update_area(tenant, owner, roadmap, phase_id=phase_id)
    assert roadmap.areas[0].phase_id is None


def test_only_optional_areas_may_be_scoped_out(tenant, owner):
    roadmap = create(tenant, owner, target_maturity_level=3)
    ssd = next(selected for selected in roadmap.areas if selected.area.code == "SSD")

    with pytest.raises(NotApplicableRefused, match="WP"):
        update_area(tenant, owner, roadmap, not_applicable=True)
    area_services.roadmap_area_update(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        roadmap_area=ssd,
        target_capability_level=3,
        priority=3,
        phase_id=None,
        owner_id=None,
        rationale="",
        not_applicable=False,
    )
    assert not ssd.not_applicable


def test_selection_set_adds_removes_and_keeps_the_plan_of_kept_areas(tenant, owner, members):
    roadmap = create(tenant, owner)
    wp = next(selected for selected in roadmap.areas if selected.area.code == "WP")
    wp.rationale, wp.owner_id = "Plans first", members[Role.STAFF].id

    area_services.roadmap_selection_set(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        profile={"WP": 3, "SD": 2, "IRP": 2},
        target_maturity_level=3,
    )

    assert levels(roadmap) == {"WP": 3, "SD": 2, "IRP": 2}
    assert (wp.rationale, wp.owner_id) == ("Plans first", members[Role.STAFF].id)
    assert roadmap.target_maturity_level == 3
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "roadmap.selection_changed")
    ).one()
    assert event.data["added"] == ["IRP"]
    assert set(event.data["removed"]) == {"CM", "MA", "PPQA", "REQM", "SAM", "WMC"}


def test_selection_set_with_an_unknown_code_changes_nothing(tenant, owner):
    roadmap = create(tenant, owner)

    with pytest.raises(UnknownAreaCodes):
        area_services.roadmap_selection_set(
            tenant=tenant, actor=owner, roadmap=roadmap, profile={"WP": 2, "NOPE": 2}
        )
    assert levels(roadmap) == dict.fromkeys(ML2, 2)


def test_removing_an_area_keeps_its_action_items(tenant, owner):
    roadmap = create(tenant, owner)
    selected = roadmap.areas[0]
    item = ActionItem(tenant=tenant, roadmap=roadmap, roadmap_area=selected, number=1, title="Keep me")
    db.session.add(item)
    db.session.flush()

    area_services.roadmap_area_remove(tenant=tenant, actor=owner, roadmap=roadmap, roadmap_area=selected)
    db.session.expire_all()

    assert len(roadmap.areas) == 7
    assert db.session.get(ActionItem, item.id).roadmap_area_id is None


def test_update_changes_dates_and_refuses_them_out_of_order(tenant, owner):
    roadmap = create(tenant, owner)

    with pytest.raises(DatesOutOfOrder):
        services.roadmap_update(
            tenant=tenant,
            actor=owner,
            roadmap=roadmap,
            name="Renamed",
            description="",
            starts_on=END,
            ends_on=START,
        )
    assert roadmap.name == "Programme"
    services.roadmap_update(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        name="Renamed",
        description="Why",
        starts_on=START,
        ends_on=START + timedelta(days=90),
    )
    assert (roadmap.name, roadmap.ends_on) == ("Renamed", date(2027, 4, 1))


# --- phases -------------------------------------------------------------------------------------


def test_phases_place_areas_and_follow_their_start_dates(tenant, owner):
    roadmap = create(tenant, owner)
    by_code = {selected.area.code: selected for selected in roadmap.areas}
    later = phases.phase_create(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        name="Wave 2",
        starts_on=date(2027, 7, 1),
        ends_on=END,
        area_ids=[by_code["PPQA"].id],
    )
    first = phases.phase_create(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        name="Wave 1",
        starts_on=START,
        ends_on=date(2027, 6, 30),
        area_ids=[by_code["WP"].id, by_code["WMC"].id],
    )

    assert [phase.name for phase in sorted(roadmap.phases, key=lambda p: p.position)] == ["Wave 1", "Wave 2"]
    assert by_code["WP"].phase == first
    assert by_code["PPQA"].phase == later

    phases.phase_update(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        phase=first,
        name="Wave 1",
        starts_on=START,
        ends_on=date(2027, 6, 30),
        area_ids=[by_code["WP"].id],
    )
    assert by_code["WMC"].phase is None

    phases.phase_delete(tenant=tenant, actor=owner, roadmap=roadmap, phase=first)
    assert by_code["WP"].phase is None
    assert db.session.get(Phase, later.id) is not None


def test_phase_refuses_dates_out_of_order_and_areas_of_other_roadmaps(tenant, owner):
    roadmap = create(tenant, owner, name="Mine")
    other = create(tenant, owner, name="Other")

    with pytest.raises(DatesOutOfOrder):
        phases.phase_create(
            tenant=tenant, actor=owner, roadmap=roadmap, name="W", starts_on=END, ends_on=START
        )
    with pytest.raises(AreaNotInRoadmap):
        phases.phase_create(
            tenant=tenant,
            actor=owner,
            roadmap=roadmap,
            name="W",
            starts_on=None,
            ends_on=None,
            area_ids=[other.areas[0].id],
        )


# --- lifecycle ---------------------------------------------------------------------------------


def test_archive_and_restore_move_the_roadmap_between_lists(tenant, owner):
    roadmap = create(tenant, owner)

    services.roadmap_archive(tenant=tenant, actor=owner, roadmap=roadmap)
    assert services.roadmap_list(tenant=tenant, status=RoadmapStatus.ARCHIVED).roadmaps == [roadmap]
    assert services.roadmap_list(tenant=tenant, status=RoadmapStatus.ACTIVE).total == 0

    services.roadmap_restore(tenant=tenant, actor=owner, roadmap=roadmap)
    assert services.roadmap_status_counts(tenant=tenant) == {"active": 1, "archived": 0}


def test_duplicate_copies_areas_phases_and_lines_but_not_items(tenant, owner, members):
    roadmap = create(tenant, owner, name="Programme")
    phase = phases.phase_create(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        name="Wave 1",
        starts_on=START,
        ends_on=END,
        area_ids=[roadmap.areas[0].id],
    )
    roadmap.areas[0].owner_id = members[Role.STAFF].id
    db.session.add(ActionItem(tenant=tenant, roadmap=roadmap, number=1, title="Stays behind"))
    db.session.flush()

    copy = services.roadmap_duplicate(tenant=tenant, actor=owner, roadmap=roadmap)
    again = services.roadmap_duplicate(tenant=tenant, actor=owner, roadmap=roadmap)

    assert (copy.name, again.name) == ("Programme (copy)", "Programme (copy 2)")
    assert levels(copy) == levels(roadmap)
    assert [p.name for p in copy.phases] == ["Wave 1"]
    assert copy.phases[0].id != phase.id
    assert copy.areas[0].phase == copy.phases[0]
    assert copy.areas[0].owner_id == members[Role.STAFF].id
    assert [link.service_line_id for link in copy.service_line_links] == [
        link.service_line_id for link in roadmap.service_line_links
    ]
    assert db.session.scalar(select(func.count(ActionItem.id)).where(ActionItem.roadmap_id == copy.id)) == 0


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.OWNER, True),
        (Role.PROGRAM_MANAGER, True),
        (Role.CONSULTANT, False),
        (Role.STAFF, False),
        (Role.VIEWER, False),
    ],
)
def test_only_owners_and_program_managers_may_delete(tenant, owner, members, role, allowed):
    roadmap = create(tenant, owner)

    if allowed:
        services.roadmap_delete(tenant=tenant, actor=members[role], roadmap=roadmap)
        assert roadmap_count(tenant) == 0
    else:
        with pytest.raises(NotAllowed):
            services.roadmap_delete(tenant=tenant, actor=members[role], roadmap=roadmap)
        assert roadmap_count(tenant) == 1
    assert services.can_delete_roadmap(role) is allowed


def test_every_change_is_recorded_in_the_audit_log(tenant, owner):
    roadmap = create(tenant, owner)
    phase = phases.phase_create(
        tenant=tenant, actor=owner, roadmap=roadmap, name="W", starts_on=None, ends_on=None
    )
    update_area(tenant, owner, roadmap, priority=1)
    area_services.roadmap_selection_set(
        tenant=tenant, actor=owner, roadmap=roadmap, profile={"WP": 2, "SD": 2}
    )
    area_services.roadmap_area_remove(
        tenant=tenant, actor=owner, roadmap=roadmap, roadmap_area=roadmap.areas[0]
    )
    phases.phase_update(
        tenant=tenant, actor=owner, roadmap=roadmap, phase=phase, name="W2", starts_on=None, ends_on=None
    )
    phases.phase_delete(tenant=tenant, actor=owner, roadmap=roadmap, phase=phase)
    services.roadmap_update(
        tenant=tenant, actor=owner, roadmap=roadmap, name="New", description="", starts_on=None, ends_on=None
    )
    services.roadmap_archive(tenant=tenant, actor=owner, roadmap=roadmap)
    services.roadmap_restore(tenant=tenant, actor=owner, roadmap=roadmap)
    services.roadmap_duplicate(tenant=tenant, actor=owner, roadmap=roadmap)
    services.roadmap_delete(tenant=tenant, actor=owner, roadmap=roadmap)
    db.session.flush()

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant.id).order_by(AuditEvent.id)
    ).all()
    actions = [event.action for event in events]
    assert actions[actions.index("service_line.created") :] == [
        "service_line.created",
        "roadmap.created",
        "roadmap.phase_created",
        "roadmap.area_updated",
        "roadmap.selection_changed",
        "roadmap.area_removed",
        "roadmap.phase_updated",
        "roadmap.phase_deleted",
        "roadmap.updated",
        "roadmap.archived",
        "roadmap.restored",
        "roadmap.duplicated",
        "roadmap.deleted",
    ]
    created = events[actions.index("roadmap.created")]
    assert (created.actor_id, created.actor_role, created.subject_type) == (owner.id, "owner", "Roadmap")
    assert created.subject_id == roadmap.id
    assert "Programme" in created.summary


# --- the selection's effect ------------------------------------------------------------------


def test_selection_effect_names_the_reachable_level_and_what_the_next_needs(tenant, owner, catalog_model):
    areas = services.catalog_areas(catalog_model)

    ml2 = selection_effect(areas, profile_picks(areas, dict.fromkeys(ML2, 2)))
    assert (ml2.reachable, ml2.next_level, ml2.next_requires) == (2, 3, 3)
    assert ml2.too_low == sorted(ML2)
    assert "SSD" not in ml2.missing  # the optional area is not needed
    assert set(ml2.missing) == set(ML3_ADDS) - {"SSD"}

    ml3 = selection_effect(areas, profile_picks(areas, dict.fromkeys([*ML2, *ML3_ADDS], 3)))
    assert ml3.reachable == 3
    assert ml3.missing == ["OPP", "QWM"]

    partial = selection_effect(areas, profile_picks(areas, {"WP": 3, "SD": 3}))
    assert partial.reachable == 1
    assert partial.next_level == 2


# --- figures ------------------------------------------------------------------------------------


def assess_all(tenant, roadmap, line, value: str, *, codes: list[str], up_to_level: int) -> None:
    """Characterise every SP of the areas, and the GPs of GG 2..up_to_level, in one service line."""
    selected = {s.area.code: s.area for s in roadmap.areas}
    for code in codes:
        area = selected[code]
        practices = db.session.scalars(select(Practice).where(Practice.area_id == area.id)).all()
        generic = db.session.scalars(
            select(Practice)
            .join(Practice.goal)
            .where(Practice.area_id.is_(None), Practice.model_id == area.model_id)
        ).all()
        generic = [p for p in generic if 2 <= p.goal.capability_level <= up_to_level]
        db.session.add_all(
            PracticeAssessment(
                tenant=tenant,
                roadmap_id=roadmap.id,
                service_line_id=line.id,
                area_id=area.id,
                practice_id=practice.id,
                characterisation=value,
            )
            for practice in [*practices, *generic]
        )
    db.session.flush()


def test_figures_count_items_by_status_and_overdue(tenant, owner, members):
    roadmap = create(tenant, owner)
    today = date(2027, 3, 1)
    phases.phase_create(
        tenant=tenant, actor=owner, roadmap=roadmap, name="Wave 1", starts_on=START, ends_on=date(2027, 3, 31)
    )
    phases.phase_create(
        tenant=tenant, actor=owner, roadmap=roadmap, name="Past", starts_on=START, ends_on=date(2027, 2, 1)
    )
    rows = [
        (ItemStatus.TODO, today - timedelta(days=3)),
        (ItemStatus.IN_PROGRESS, today - timedelta(days=10)),
        (ItemStatus.DONE, today - timedelta(days=30)),  # done: never overdue
        (ItemStatus.BLOCKED, today + timedelta(days=1)),
        (ItemStatus.DONE, None),
    ]
    db.session.add_all(
        ActionItem(tenant=tenant, roadmap=roadmap, number=n, title=f"Item {n}", status=status, due_on=due)
        for n, (status, due) in enumerate(rows, 1)
    )
    db.session.flush()

    figures = roadmap_figures(roadmap=roadmap, today=today)

    assert figures.item_counts == {"todo": 1, "in_progress": 1, "blocked": 1, "done": 2}
    assert (figures.items_total, figures.items_done_percent) == (5, 40)
    assert figures.overdue_count == 2
    assert [item.number for item in figures.overdue_items] == [2, 1]
    assert [(m.label, m.on) for m in figures.milestones] == [
        ("End of Wave 1", date(2027, 3, 31)),
        ("Roadmap ends", END),
    ]


def test_figures_rate_the_current_level_from_assessments(tenant, owner):
    roadmap = create(tenant, owner, target_maturity_level=2)
    line = roadmap.service_line_links[0].service_line
    figures = roadmap_figures(roadmap=roadmap, today=START)
    assert figures.current_maturity_level == 1
    assert figures.practice_counts[NOT_ASSESSED] == figures.practices_total > 0

    assess_all(tenant, roadmap, line, "FI", codes=ML2, up_to_level=2)
    figures = roadmap_figures(roadmap=roadmap, today=START)

    assert figures.current_maturity_level == 2
    assert figures.practice_counts["FI"] == figures.practices_total
    assert figures.areas_on_target == 8
    assert {figure.level for figure in figures.areas} == {2}


def test_figures_leave_a_level_unreached_while_a_practice_is_partial(tenant, owner):
    roadmap = create(tenant, owner, target_maturity_level=2)
    line = roadmap.service_line_links[0].service_line
    assess_all(tenant, roadmap, line, "LI", codes=ML2, up_to_level=2)
    weak = db.session.scalars(
        select(PracticeAssessment).where(PracticeAssessment.roadmap_id == roadmap.id)
    ).first()
    weak.characterisation = "PI"
    db.session.flush()

    figures = roadmap_figures(roadmap=roadmap, today=START)

    assert figures.current_maturity_level == 1
    assert figures.practice_counts["PI"] == 1
    assert figures.areas_on_target == 7


# --- timeline ---------------------------------------------------------------------------------


def test_timeline_places_dated_phases_on_one_axis(tenant, owner):
    roadmap = create(tenant, owner)
    first = phases.phase_create(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        name="Wave 1",
        starts_on=START,
        ends_on=date(2027, 6, 30),
        area_ids=[roadmap.areas[0].id],
    )
    phases.phase_create(
        tenant=tenant, actor=owner, roadmap=roadmap, name="Wave 2", starts_on=date(2027, 7, 1), ends_on=END
    )
    phases.phase_create(
        tenant=tenant, actor=owner, roadmap=roadmap, name="Someday", starts_on=None, ends_on=None
    )

    timeline = timeline_layout(roadmap.phases, roadmap.areas, today=date(2027, 7, 1))

    assert [bar.name for bar in timeline.bars] == ["Wave 1", "Wave 2"]
    assert timeline.bars[0].areas == roadmap.areas[0].area.code
    assert timeline.bars[0].x < timeline.bars[1].x
    assert timeline.bars[1].x + timeline.bars[1].width == pytest.approx(timeline.width, abs=0.2)
    assert timeline.undated == ["Someday"]
    assert timeline.today_x == pytest.approx(timeline.bars[1].x, abs=0.2)
    assert [tick.label for tick in timeline.ticks][:2] == ["Jan 2027", "Feb 2027"]
    assert first.position == 0
