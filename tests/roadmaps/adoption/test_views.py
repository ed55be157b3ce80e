"""The assessment pages through HTTP: the grid and its htmx rows, judgements, raises, history, who may do what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.roadmaps.adoption.models import AssessmentChange, PracticeAssessment
from saas.roadmaps.adoption.services import assessments
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import GG2_PRACTICES, enter, line_named, roadmap_with_lines, specific_codes
from tests.support import make_tenant, owner_of

ASSESSORS = [Role.OWNER, Role.PROGRAM_MANAGER, Role.CONSULTANT]
READERS = [Role.STAFF, Role.VIEWER]


@pytest.fixture
def roadmap(tenant, catalog_model):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM", "WP"])
    db.session.commit()
    return roadmap


@pytest.fixture
def two_lines(tenant, catalog_model):
    roadmap = roadmap_with_lines(
        tenant, catalog_model, ["REQM"], lines=("Service desk", "Field support"), name="Two lines"
    )
    db.session.commit()
    return roadmap


def grid_url(tenant, roadmap, area="REQM", **query) -> str:
    suffix = "".join(f"&{key}={value}" for key, value in query.items()).replace("&", "?", 1)
    return f"/t/{tenant.slug}/roadmaps/{roadmap.id}/areas/{area}/assess{suffix}"


def practice_url(tenant, roadmap, practice, area="REQM") -> str:
    return f"/t/{tenant.slug}/roadmaps/{roadmap.id}/areas/{area}/practices/{practice.replace(' ', '%20')}"


def save(client, tenant, roadmap, practice, value, *, line, area="REQM", notes=None, htmx=True):
    """Post a row as the grid's htmx does (the CSRF token in a header)."""
    token = client.csrf_token(grid_url(tenant, roadmap, area))
    data = {"line": line.id, "characterisation": value or ""}
    if notes is not None:
        data["notes"] = notes
    headers = {"X-CSRFToken": token, **({"HX-Request": "true"} if htmx else {})}
    return client.post(
        practice_url(tenant, roadmap, practice, area) + "/assessment", data=data, headers=headers
    )


def summary(html: str) -> tuple[int, int, list[str]]:
    """Capability level, maturity level and blocker lines shown in the area summary."""
    level = int(re.search(r'data-capability-level="(\d)"', html).group(1))
    maturity = int(re.search(r'data-maturity-level="(\d)"', html).group(1))
    section = html[html.index('id="area-summary"') :]
    blockers = re.findall(r"<li>([^<]*blocked[^<]*)</li>", section[: section.index("</section>")])
    return level, maturity, [text.replace("&#39;", "'") for text in blockers]


def test_the_grid_lists_specific_then_needed_generic_practices(
    client, tenant, members, roadmap, catalog_model
):
    html = client.login(members[Role.VIEWER]).get(grid_url(tenant, roadmap)).get_data(as_text=True)

    practices = re.findall(r'data-practice="([^"]+)"', html)
    assert practices == [*specific_codes(catalog_model, "REQM"), *GG2_PRACTICES]
    assert "GP 3.1" not in html
    assert "<select" not in html  # read-only for viewers
    assert 'aria-label="Service lines"' not in html  # one default line: no switcher
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


@pytest.mark.parametrize("role", ASSESSORS)
def test_characterising_through_http_moves_the_level_and_the_gap(client, tenant, members, roadmap, role):
    client.login(members[role])
    line = line_named(roadmap, "Whole organisation")
    for practice in ["SP 1.1", "SP 1.2", "SP 1.3", "SP 1.4"]:
        assert save(client, tenant, roadmap, practice, "FI", line=line).status_code == 200

    level, maturity, blockers = summary(client.get(grid_url(tenant, roadmap)).get_data(as_text=True))
    assert (level, maturity) == (0, 1)
    assert blockers[0] == "CL2 blocked: REQM SG 1 (SP 1.5 not assessed)"
    assert blockers[1].startswith("CL2 blocked: REQM GG 2 (GP 2.1 not assessed;")

    response = save(client, tenant, roadmap, "SP 1.5", "LI", line=line)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<tr id="practice-')
    assert 'hx-swap-oob="true"' in html  # the summary and the goal badges follow the row
    level, _, blockers = summary(html)
    assert level == 1
    assert blockers[0].startswith("CL2 blocked: REQM GG 2 (GP 2.1 not assessed;")
    assert re.search(r'id="goal-badge-\d+" hx-swap-oob="true"\s+class="badge text-bg-success"', html)


def test_a_practice_page_shows_each_change_with_who_from_and_to(client, tenant, members, roadmap):
    line = line_named(roadmap, "Whole organisation")
    manager, consultant = members[Role.PROGRAM_MANAGER], members[Role.CONSULTANT]
    save(client.login(manager), tenant, roadmap, "SP 1.1", "PI", line=line)
    save(client.login(consultant), tenant, roadmap, "SP 1.1", "LI", line=line, notes="One weak review")
    save(client, tenant, roadmap, "SP 1.1", "LI", line=line, notes="Reviewed again")  # no change of value

    html = client.get(practice_url(tenant, roadmap, "SP 1.1")).get_data(as_text=True)

    history = html[html.index('id="history"') :]
    rows = re.findall(r"<tr data-change>(.*?)</tr>", history, re.S)
    assert len(rows) == 2
    assert consultant.name in rows[0]
    assert re.search(r">PI<.*>LI<", rows[0], re.S)
    assert manager.name in rows[1]
    assert re.search(r">not assessed<.*>PI<", rows[1], re.S)
    assert "Reviewed again" in html


def test_a_plain_form_post_is_redirected_to_the_grid(client, tenant, members, roadmap):
    line = line_named(roadmap, "Whole organisation")
    response = save(client.login(members[Role.OWNER]), tenant, roadmap, "SP 1.1", "FI", line=line, htmx=False)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/areas/REQM/assess?line={line.id}#practice-" + _practice_id("SP 1.1")
    )


def test_a_bad_value_comes_back_in_the_row(client, tenant, members, roadmap):
    line = line_named(roadmap, "Whole organisation")
    client.login(members[Role.OWNER])

    htmx = save(client, tenant, roadmap, "SP 1.1", "ZZ", line=line)
    plain = save(client, tenant, roadmap, "SP 1.1", "ZZ", line=line, htmx=False)

    assert htmx.status_code == 200  # htmx swaps only 2xx answers
    assert plain.status_code == 422
    assert "Choose FI, LI, PI, NI, NY or not assessed." in htmx.get_data(as_text=True)
    enter(tenant)
    assert db.session.scalar(select(PracticeAssessment.id)) is None


@pytest.mark.parametrize("role", READERS)
def test_staff_and_viewers_get_403_on_every_assessing_post(client, tenant, members, roadmap, role):
    line = line_named(roadmap, "Whole organisation")
    client.login(members[role])
    token = client.csrf_token(grid_url(tenant, roadmap))
    base = f"/t/{tenant.slug}/roadmaps/{roadmap.id}/areas/REQM"
    paths = [
        f"{base}/practices/SP%201.1/assessment",
        f"{base}/practices/SP%201.1/raise",
        f"{base}/goals/SG%201/judgement",
        f"{base}/practices/SP%201.1/evidence/link?line={line.id}",
    ]
    data = {
        "line": line.id,
        "characterisation": "FI",
        "verdict": "satisfied",
        "note": "x",
        "url": "https://x.example",
    }

    assert [client.post(path, data=data, headers={"X-CSRFToken": token}).status_code for path in paths] == [
        403
    ] * 4
    assert client.get(grid_url(tenant, roadmap)).status_code == 200
    assert client.get(practice_url(tenant, roadmap, "SP 1.1")).status_code == 200
    enter(tenant)
    assert db.session.scalar(select(PracticeAssessment.id)) is None


def test_a_goal_judgement_through_the_grid(client, tenant, members, roadmap):
    client.login(members[Role.PROGRAM_MANAGER])
    url = f"/t/{tenant.slug}/roadmaps/{roadmap.id}/areas/REQM/goals/SG%201/judgement"

    refused = client.submit(url, {"verdict": "satisfied", "note": ""}, token_page=grid_url(tenant, roadmap))
    assert refused.status_code == 422
    assert "Say why the goal is judged this way." in refused.get_data(as_text=True)

    done = client.submit(
        url,
        {"verdict": "satisfied", "note": "Covered by the weekly review"},
        token_page=grid_url(tenant, roadmap),
    )
    assert done.status_code == 303
    html = " ".join(client.get(done.headers["Location"]).get_data(as_text=True).split())
    assert "Judged satisfied by" in html
    assert "Covered by the weekly review" in html
    level, _, _ = summary(html)
    assert level == 1


def test_lines_switch_and_a_raise_is_refused_then_recorded(client, tenant, members, two_lines):
    desk, field = line_named(two_lines, "Service desk"), line_named(two_lines, "Field support")
    client.login(members[Role.PROGRAM_MANAGER])
    raise_url = f"/t/{tenant.slug}/roadmaps/{two_lines.id}/areas/REQM/practices/SP%201.1/raise?line={desk.id}"

    refused = client.submit(raise_url, {"reason": "Small gap"}, token_page=grid_url(tenant, two_lines))
    assert refused.status_code == 422
    assert "Only a practice that rolls up to PI" in refused.get_data(as_text=True)

    save(client, tenant, two_lines, "SP 1.1", "FI", line=desk)
    save(client, tenant, two_lines, "SP 1.1", "PI", line=field)
    html = client.get(grid_url(tenant, two_lines, line=field.id)).get_data(as_text=True)
    assert 'aria-label="Service lines"' in html
    assert re.search(rf'class="nav-link py-1 active" aria-current="page"\s+href="[^"]*line={field.id}"', html)
    assert "Raise to LI" in html

    done = client.submit(
        raise_url, {"reason": "Field support adopts it next month"}, token_page=grid_url(tenant, two_lines)
    )
    assert done.status_code == 303
    html = " ".join(client.get(grid_url(tenant, two_lines, line=desk.id)).get_data(as_text=True).split())
    assert "Raised to LI by" in html
    assert "Field support adopts it next month" in html


@pytest.mark.parametrize(
    "path",
    [
        "/roadmaps/{roadmap}/areas/REQM/assess",
        "/roadmaps/{roadmap}/areas/REQM/practices/SP%201.1",
        "/roadmaps/{roadmap}/adoption",
        "/roadmaps/{roadmap}/readiness",
        "/roadmaps/{roadmap}/readiness.csv",
        "/assessments/{assessment}",
    ],
)
def test_another_tenants_roadmap_and_assessment_are_404(client, tenant, members, catalog_model, path):
    stranger = make_tenant("Stranger Org")
    theirs = roadmap_with_lines(stranger, catalog_model, ["REQM"], name="Theirs")
    assessment = assessments.assessment_set(
        tenant=stranger,
        actor=owner_of(stranger),
        roadmap=theirs,
        service_line=line_named(theirs, "Whole organisation"),
        area_code="REQM",
        practice_code="SP 1.1",
        characterisation="FI",
    )
    db.session.commit()
    url = f"/t/{tenant.slug}" + path.format(roadmap=theirs.id, assessment=assessment.id)

    assert client.login(members[Role.OWNER]).get(url).status_code == 404


def test_another_tenants_roadmap_cannot_be_assessed(client, tenant, members, catalog_model):
    stranger = make_tenant("Stranger Org")
    theirs = roadmap_with_lines(stranger, catalog_model, ["REQM"], name="Theirs")
    line = line_named(theirs, "Whole organisation")
    db.session.commit()

    response = save(client.login(members[Role.OWNER]), tenant, theirs, "SP 1.1", "FI", line=line, htmx=False)

    assert response.status_code == 404
    enter(stranger)
    assert db.session.scalar(select(AssessmentChange.id)) is None


def test_the_permalink_opens_the_practice_in_its_line(client, tenant, members, two_lines):
    field = line_named(two_lines, "Field support")
    client.login(members[Role.OWNER])
    save(client, tenant, two_lines, "SP 1.2", "LI", line=field)
    enter(tenant)
    assessment_id = db.session.scalar(select(PracticeAssessment.id))

    response = client.get(f"/t/{tenant.slug}/assessments/{assessment_id}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/areas/REQM/practices/SP%201.2?line={field.id}")


def test_unknown_area_practice_or_line_is_404(client, tenant, members, roadmap):
    client.login(members[Role.OWNER])
    base = f"/t/{tenant.slug}/roadmaps/{roadmap.id}/areas"
    assert client.get(f"{base}/SD/assess").status_code == 404
    assert client.get(f"{base}/REQM/practices/SP%202.1").status_code == 404
    assert client.get(f"{base}/REQM/practices/GP%203.1").status_code == 404
    assert client.get(f"{base}/REQM/assess?line=999999").status_code == 404


def _practice_id(code: str) -> str:
    from saas.catalog.models import Practice, ProcessArea

    return str(
        db.session.scalar(
            select(Practice.id)
            .join(ProcessArea, ProcessArea.id == Practice.area_id)
            .where(ProcessArea.code == "REQM", Practice.code == code)
        )
    )
