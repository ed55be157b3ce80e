"""Through HTTP: a practice characterised per service line, rolled up for the organisation, blocking, raised.

Also: the dashboard counts what the rating counts (lines no longer covered and areas no longer
selected are left out), so there is one source of truth.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.roadmaps.adoption.models import PracticeRaise
from saas.roadmaps.adoption.services import assessments
from saas.roadmaps.adoption.services.ratings import roadmap_rating, snapshot_figures
from saas.roadmaps.planning.models import Roadmap
from saas.roadmaps.planning.services import areas
from saas.roadmaps.portfolio.services import figures
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import (
    GG2_PRACTICES,
    enter,
    line_named,
    put,
    roadmap_with_lines,
    specific_codes,
)

REASON = "Field support runs the same review, only less often; the gap does not touch the goal."


@pytest.fixture
def manager(members):
    return members[Role.PROGRAM_MANAGER]


@pytest.fixture
def roadmap(tenant, catalog_model, manager):
    """REQM at CL2 in Service desk and Field support, every practice FI in both lines."""
    roadmap = roadmap_with_lines(
        tenant, catalog_model, ["REQM"], lines=("Service desk", "Field support"), name="Two lines"
    )
    for line in (line_named(roadmap, "Service desk"), line_named(roadmap, "Field support")):
        for code in [*specific_codes(catalog_model, "REQM"), *GG2_PRACTICES]:
            assessments.assessment_set(
                tenant=tenant,
                actor=manager,
                roadmap=roadmap,
                service_line=line,
                area_code="REQM",
                practice_code=code,
                characterisation="FI",
            )
    db.session.commit()
    return roadmap


def base(tenant, roadmap) -> str:
    return f"/t/{tenant.slug}/roadmaps/{roadmap.id}"


def save(client, tenant, roadmap, practice: str, value: str, line) -> None:
    grid = f"{base(tenant, roadmap)}/areas/REQM/assess"
    response = client.post(
        f"{base(tenant, roadmap)}/areas/REQM/practices/{practice.replace(' ', '%20')}/assessment",
        data={"line": line.id, "characterisation": value},
        headers={"X-CSRFToken": client.csrf_token(grid)},
    )
    assert response.status_code == 303


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def capability(grid_html: str) -> int:
    return int(re.search(r'data-capability-level="(\d)"', grid_html).group(1))


def test_fi_in_one_line_and_pi_in_another_rolls_up_to_pi_blocks_and_can_be_raised(
    client, tenant, roadmap, manager
):
    field = line_named(roadmap, "Field support")
    client.login(manager)

    save(client, tenant, roadmap, "SP 1.2", "PI", field)

    practice_page = page(client, f"{base(tenant, roadmap)}/areas/REQM/practices/SP%201.2")
    organisation = practice_page[practice_page.index("<tfoot>") :]
    assert '<span class="badge text-bg-warning">PI</span>' in organisation
    grid = page(client, f"{base(tenant, roadmap)}/areas/REQM/assess")
    assert capability(grid) == 0  # SG 1 unsatisfied, so not even CL1
    assert "CL2 blocked: REQM SG 1 (SP 1.2 PI in Field support)" in grid
    blockers = page(client, f"{base(tenant, roadmap)}/blockers")
    assert 'data-blocker="ML2 blocked: REQM SG 1 in Field support (SP 1.2 PI)"' in blockers
    dashboard = page(client, base(tenant, roadmap))
    assert "ML2 blocked: REQM SG 1 in Field support (SP 1.2 PI)" in dashboard

    response = client.submit(
        f"{base(tenant, roadmap)}/areas/REQM/practices/SP%201.2/raise?line={field.id}",
        {"action": "raise", "reason": REASON},
        token_page=f"{base(tenant, roadmap)}/areas/REQM/assess",
    )
    assert response.status_code == 303

    enter(tenant)
    record = db.session.scalar(select(PracticeRaise))
    assert (record.actor_id, record.reason, record.raised_to) == (manager.id, REASON, "LI")
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "practice.raised"))
    assert (audit.actor_id, audit.summary) == (manager.id, f"Raised REQM SP 1.2 to LI: {REASON}")
    assert capability(page(client, f"{base(tenant, roadmap)}/areas/REQM/assess")) == 2
    practice_page = page(client, f"{base(tenant, roadmap)}/areas/REQM/practices/SP%201.2")
    assert f"Raised from PI to LI by {manager.name} on " in practice_page
    assert REASON in practice_page
    assert "REQM SG 1" not in page(client, f"{base(tenant, roadmap)}/blockers")


def test_a_raise_needs_a_reason_and_someone_who_assesses(client, tenant, roadmap, members, manager):
    field = line_named(roadmap, "Field support")
    client.login(manager)
    save(client, tenant, roadmap, "SP 1.2", "PI", field)
    url = f"{base(tenant, roadmap)}/areas/REQM/practices/SP%201.2/raise?line={field.id}"
    token_page = f"{base(tenant, roadmap)}/areas/REQM/assess"

    refused = client.submit(url, {"action": "raise", "reason": "  "}, token_page=token_page)
    assert refused.status_code == 422
    assert "Give the reason for raising the practice to LI." in refused.get_data(as_text=True)
    client.login(members[Role.VIEWER])
    assert client.submit(url, {"action": "raise", "reason": REASON}, token_page=token_page).status_code == 403
    enter(tenant)
    assert db.session.scalar(select(PracticeRaise)) is None


def test_the_dashboard_counts_what_the_rating_counts(tenant, catalog_model, manager):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM", "WP"], lines=("Desk", "Field"))
    desk, field = line_named(roadmap, "Desk"), line_named(roadmap, "Field")
    put(roadmap, desk, "REQM", "SP 1.1", "FI")
    put(roadmap, field, "REQM", "SP 1.1", "NI")  # the line is dropped below: REQM SP 1.1 is then FI
    put(roadmap, desk, "WP", "SP 1.1", "FI")  # the area is dropped below: not counted
    wp = next(selected for selected in roadmap.areas if selected.area.code == "WP")
    areas.roadmap_area_remove(tenant=tenant, actor=manager, roadmap=roadmap, roadmap_area=wp)
    roadmap.service_line_links.remove(
        next(link for link in roadmap.service_line_links if link.service_line is field)
    )
    db.session.flush()
    db.session.expire_all()
    roadmap = db.session.get(Roadmap, roadmap.id)

    shown = figures.roadmap_figures(roadmap=roadmap)

    assert shown.practice_counts == snapshot_figures(roadmap_rating(roadmap=roadmap))["counts"]
    assert shown.practice_counts["FI"] == 1
    assert shown.practices_total == 5 + 10  # REQM's specific practices and GG 2
    assert [area.code for area in shown.areas] == ["REQM"]
