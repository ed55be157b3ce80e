"""The adoption matrix: practices x service lines, its cells, its filters and its fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from saas.catalog.models import Goal, Practice, ProcessArea
from saas.extensions import db
from saas.roadmaps.adoption.models import Evidence, PracticeAssessment
from saas.roadmaps.adoption.services.matrix import Filters, adoption_matrix
from saas.roadmaps.adoption.services.ratings import roadmap_rating
from saas.roadmaps.planning.models import Roadmap
from saas.roadmaps.planning.services import phases
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import (
    GG2_PRACTICES,
    count_queries,
    enter,
    line_named,
    put,
    roadmap_with_lines,
    specific_codes,
)
from tests.support import make_tenant

TODAY = date(2027, 3, 10)
AT_NOON = datetime(2027, 3, 10, 12, tzinfo=UTC)


def add_evidence(roadmap, line, area_code: str, practice_code: str, *, days_ago: list[int]) -> None:
    """Links on one assessment row, added the given number of days before TODAY's noon."""
    assessment = db.session.scalar(
        select(PracticeAssessment)
        .join(ProcessArea, ProcessArea.id == PracticeAssessment.area_id)
        .join(Practice, Practice.id == PracticeAssessment.practice_id)
        .where(
            PracticeAssessment.roadmap_id == roadmap.id,
            PracticeAssessment.service_line_id == line.id,
            ProcessArea.code == area_code,
            Practice.code == practice_code,
        )
    )
    for days in days_ago:
        db.session.add(
            Evidence(
                tenant_id=roadmap.tenant_id,
                assessment_id=assessment.id,
                kind="link",
                url="https://intranet.example/review",
                title="Review minutes",
                created_at=AT_NOON - timedelta(days=days),
            )
        )
    db.session.flush()


@pytest.fixture
def roadmap(tenant, catalog_model, members):
    """REQM and WP (WP in phase Wave 1) over Desk and Field; a few values and evidence."""
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM", "WP"], lines=("Desk", "Field"))
    desk, field = line_named(roadmap, "Desk"), line_named(roadmap, "Field")
    wp = next(selected for selected in roadmap.areas if selected.area.code == "WP")
    phases.phase_create(
        tenant=tenant,
        actor=members[Role.OWNER],
        roadmap=roadmap,
        name="Wave 1",
        starts_on=None,
        ends_on=None,
        area_ids=[wp.id],
    )
    put(roadmap, desk, "REQM", "SP 1.1", "FI")
    put(roadmap, field, "REQM", "SP 1.1", "PI")
    put(roadmap, desk, "REQM", "SP 1.2", "LI")
    put(roadmap, field, "REQM", "SP 1.2", "FI")
    put(roadmap, desk, "WP", "SP 1.1", "NI")
    add_evidence(roadmap, desk, "REQM", "SP 1.1", days_ago=[9, 2])
    add_evidence(roadmap, field, "REQM", "SP 1.2", days_ago=[0])
    db.session.commit()
    return roadmap


def cell_of(matrix, area_code: str, practice_code: str, line_name: str):
    for block in matrix.areas:
        if block.area.code != area_code:
            continue
        for goal in (*block.specific, *block.generic):
            for row in goal.rows:
                if row.practice.practice.code == practice_code:
                    index = [line.name for line in matrix.lines].index(line_name)
                    return row, row.cells[index]
    raise LookupError(practice_code)


def test_cells_carry_the_value_evidence_count_and_age(roadmap):
    matrix = adoption_matrix(roadmap=roadmap, today=TODAY)

    assert [line.name for line in matrix.lines] == ["Desk", "Field"]
    row, desk = cell_of(matrix, "REQM", "SP 1.1", "Desk")
    _, field = cell_of(matrix, "REQM", "SP 1.1", "Field")
    assert (desk.value, desk.evidence_count, desk.evidence_age_days) == ("FI", 2, 2)
    assert (field.value, field.evidence_count, field.evidence_age_days) == ("PI", 0, None)
    assert row.practice.value == "PI"  # FI and PI roll up to PI
    _, fresh = cell_of(matrix, "REQM", "SP 1.2", "Field")
    assert (fresh.value, fresh.evidence_count, fresh.evidence_age_days) == ("FI", 1, 0)
    untouched_row, untouched = cell_of(matrix, "WP", "SP 1.2", "Field")
    assert (untouched.value, untouched.assessment_id, untouched.evidence_count) == (None, None, 0)
    assert untouched_row.kind == "SP"
    assert matrix.shown == matrix.total == (5 + 10) + (15 + 10)


def test_rows_are_grouped_by_area_and_goal_specific_then_generic(roadmap, catalog_model):
    matrix = adoption_matrix(roadmap=roadmap, today=TODAY)

    reqm = matrix.areas[0]
    assert reqm.area.code == "REQM"
    assert [goal.goal.goal.code for goal in reqm.specific] == ["SG 1"]
    assert [row.practice.practice.code for row in reqm.specific[0].rows] == specific_codes(
        catalog_model, "REQM"
    )
    assert [goal.goal.goal.code for goal in reqm.generic] == ["GG 2"]
    assert [row.practice.practice.code for row in reqm.generic[0].rows] == GG2_PRACTICES
    assert {row.kind for row in reqm.generic[0].rows} == {"GP"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"area": "wp"}, {"WP"}),
        ({"value": "PI"}, {"REQM SP 1.1"}),
        ({"value": "ni"}, {"WP SP 1.1"}),
        ({"value": "LI"}, {"REQM SP 1.2"}),
        ({"value": "FI", "area": "WP"}, set()),
        ({"value": "bogus"}, None),  # an unknown value is ignored: everything
    ],
)
def test_filters_narrow_the_rows(roadmap, filters, expected):
    matrix = adoption_matrix(
        roadmap=roadmap,
        today=TODAY,
        filters=Filters.clean(area=filters.get("area"), phase_id=None, value=filters.get("value")),
    )

    shown = {
        f"{block.area.code} {row.practice.practice.code}"
        for block in matrix.areas
        for goal in (*block.specific, *block.generic)
        for row in goal.rows
    }
    if expected is None:
        assert len(shown) == matrix.total
    elif filters.get("area"):
        assert {name.split()[0] for name in shown} <= expected
        assert bool(shown) == bool(expected)
    else:
        assert shown == expected


def test_the_phase_and_not_assessed_filters(roadmap):
    wave = roadmap.phases[0]
    by_phase = adoption_matrix(roadmap=roadmap, today=TODAY, filters=Filters(phase_id=wave.id))
    unassessed = adoption_matrix(
        roadmap=roadmap, today=TODAY, filters=Filters.clean(area="", phase_id=None, value="none")
    )

    assert [block.area.code for block in by_phase.areas] == ["WP"]
    assert unassessed.shown == unassessed.total - 2  # REQM SP 1.1 and SP 1.2 are assessed in both lines


def test_the_page_links_each_cell_to_its_evidence_and_filters_by_get(client, tenant, members, roadmap):
    client.login(members[Role.VIEWER])
    url = f"/t/{tenant.slug}/roadmaps/{roadmap.id}/matrix"
    desk = line_named(roadmap, "Desk")

    page = client.get(url).get_data(as_text=True)
    filtered = client.get(url + "?value=PI&area=&phase=").get_data(as_text=True)

    assert (
        f'href="/t/{tenant.slug}/roadmaps/{roadmap.id}/areas/REQM/practices/SP%201.1?line={desk.id}#evidence"'
        in page
    )
    assert re.search(
        r'data-cell="FI"><a[^>]*>FI<span class="visually-hidden"> in Desk</span></a><span class="d-block" data-evidence="2" data-age="\d+">',
        page,
    )
    assert page.count('data-organisation="PI"') == 1
    assert "data-autosubmit" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert re.findall(r'data-practice="([^"]+)"', filtered) == ["REQM SP 1.1"]


@pytest.mark.parametrize("page", ["matrix", "blockers", "forecast"])
def test_another_tenants_matrix_blockers_and_forecast_are_404(client, tenant, members, catalog_model, page):
    stranger = make_tenant("Stranger Org")
    theirs = roadmap_with_lines(stranger, catalog_model, ["REQM"], name="Theirs")
    db.session.commit()

    response = client.login(members[Role.OWNER]).get(f"/t/{tenant.slug}/roadmaps/{theirs.id}/{page}")

    assert response.status_code == 404


# --- a full ML3 roadmap ---------------------------------------------------------------------------


def ml3_roadmap(tenant, model, lines: list[str], name: str) -> Roadmap:
    """Every ML2 and ML3 area (SSD too) at CL3, target ML3, covering `lines`; every practice assessed."""
    codes = list(db.session.scalars(select(ProcessArea.code).where(ProcessArea.maturity_level <= 3)))
    roadmap = roadmap_with_lines(tenant, model, codes, lines=tuple(lines), name=name)
    roadmap.target_maturity_level = 3
    for selected in roadmap.areas:
        selected.target_capability_level = 3
    db.session.flush()
    generic = db.session.scalars(
        select(Practice.id).join(Goal, Goal.id == Practice.goal_id).where(Goal.capability_level.in_([2, 3]))
    ).all()
    values = ["FI", "LI", "PI", "NI", "NY", None]
    rows = [
        {
            "tenant_id": tenant.id,
            "roadmap_id": roadmap.id,
            "service_line_id": link.service_line_id,
            "area_id": selected.area_id,
            "practice_id": practice_id,
            "characterisation": values[(practice_id + position) % len(values)],
            "notes": "",
        }
        for selected in roadmap.areas
        for practice_id in [*(p.id for goal in selected.area.goals for p in goal.practices), *generic]
        for position, link in enumerate(roadmap.service_line_links)
    ]
    ids = db.session.scalars(insert(PracticeAssessment).returning(PracticeAssessment.id), rows).all()
    db.session.execute(
        insert(Evidence),
        [
            {
                "tenant_id": tenant.id,
                "assessment_id": assessment_id,
                "kind": "link",
                "url": "https://x.example",
            }
            for assessment_id in ids[::7]
        ],
    )
    return roadmap


def test_a_full_ml3_matrix_takes_the_same_queries_for_2_and_10_lines(client, tenant, members, catalog_model):
    lines = [f"Line {n:02}" for n in range(10)]
    small = ml3_roadmap(tenant, catalog_model, lines[:2], "Two lines")
    large = ml3_roadmap(tenant, catalog_model, lines, "Ten lines")
    db.session.commit()
    client.login(members[Role.VIEWER])
    enter(tenant)
    practices = sum(len(area.practices) for area in roadmap_rating(roadmap=large).areas)
    assert len(large.areas) == 20
    assert practices > 150 + 20 * 12 - 1

    counts, pages = [], []
    for roadmap in (small, large):
        db.session.expunge_all()
        with count_queries() as statements:
            response = client.get(f"/t/{tenant.slug}/roadmaps/{roadmap.id}/matrix")
        assert response.status_code == 200
        counts.append(len(statements))
        pages.append(response.get_data(as_text=True))

    assert counts[0] == counts[1]
    assert counts[1] < 25
    assert len(re.findall(r"data-practice=", pages[1])) == practices
    assert len(re.findall(r"data-cell=", pages[1])) == practices * 10
    assert len(re.findall(r"data-cell=", pages[0])) == practices * 2
