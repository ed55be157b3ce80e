"""The adoption page, the readiness report (HTML and CSV) and the daily snapshot job."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from saas.extensions import db
from saas.jobs.schedule import periodic_jobs
from saas.roadmaps.adoption import jobs
from saas.roadmaps.adoption.models import RoadmapSnapshot
from saas.roadmaps.adoption.services import assessments
from saas.roadmaps.adoption.services.reports import safe_cell
from saas.roadmaps.planning.models import RoadmapStatus
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import GG2_PRACTICES, enter, line_named, roadmap_with_lines, specific_codes
from tests.support import make_tenant, run_jobs


@pytest.fixture
def roadmap(tenant, catalog_model, members):
    """REQM at CL2 in two lines: SG 1 done in both, GG 2 partly; PPQA untouched."""
    roadmap = roadmap_with_lines(
        tenant, catalog_model, ["REQM", "PPQA"], lines=("Service desk", "Field support"), name="Readiness"
    )
    manager = members[Role.PROGRAM_MANAGER]
    desk, field = line_named(roadmap, "Service desk"), line_named(roadmap, "Field support")
    for code in specific_codes(catalog_model, "REQM"):
        set_value(tenant, manager, roadmap, desk, code, "FI")
        set_value(tenant, manager, roadmap, field, code, "LI")
    set_value(tenant, manager, roadmap, desk, "GP 2.1", "FI", notes='=HYPERLINK("http://evil")')
    set_value(tenant, manager, roadmap, field, "GP 2.1", "PI", notes="-2 weak spots")
    assessments.goal_judgement_set(
        tenant=tenant,
        actor=manager,
        roadmap=roadmap,
        area_code="PPQA",
        goal_code="SG 1",
        satisfied=False,
        note="=cmd|' /C calc'!A0",
    )
    db.session.commit()
    return roadmap


def set_value(tenant, actor, roadmap, line, practice, value, notes=None, area="REQM"):
    assessments.assessment_set(
        tenant=tenant,
        actor=actor,
        roadmap=roadmap,
        service_line=line,
        area_code=area,
        practice_code=practice,
        characterisation=value,
        notes=notes,
    )


def test_the_readiness_csv_has_one_row_per_practice_and_defuses_formulas(client, tenant, members, roadmap):
    response = client.login(members[Role.CONSULTANT_VIEWER]).get(
        f"/t/{tenant.slug}/roadmaps/{roadmap.id}/readiness.csv"
    )

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="readiness-{roadmap.id}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert list(rows[0])[10:13] == ["Organisation", "Field support", "Service desk"]
    assert [(row["Area"], row["Practice"]) for row in rows] == [
        *(("REQM", code) for code in ["SP 1.1", "SP 1.2", "SP 1.3", "SP 1.4", "SP 1.5", *GG2_PRACTICES]),
        *(("PPQA", code) for code in ["SP 1.1", "SP 1.2", "SP 2.1", "SP 2.2", *GG2_PRACTICES]),
    ]
    sp11, gp21, gp22 = rows[0], rows[5], rows[6]
    assert (sp11["Goal rating"], sp11["Organisation"], sp11["Service desk"], sp11["Field support"]) == (
        "Satisfied",
        "LI",
        "FI",
        "LI",
    )
    assert (sp11["Capability level"], sp11["Target CL"], sp11["Blocking"]) == ("1", "2", "")
    assert (gp21["Goal rating"], gp21["Organisation"], gp21["Blocking"]) == ("Unsatisfied", "PI", "yes")
    assert gp21["Notes"] == 'Field support: -2 weak spots | Service desk: =HYPERLINK("http://evil")'
    assert (gp22["Organisation"], gp22["Blocking"], gp22["Evidence"]) == ("not assessed", "yes", "0")
    ppqa_sp11 = rows[15]
    assert (ppqa_sp11["Goal rating"], ppqa_sp11["Judgement note"]) == (
        "Unsatisfied (judged)",
        "'=cmd|' /C calc'!A0",
    )


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("ok", "ok"),
        (3, "3"),
    ],
)
def test_cells_that_would_run_as_formulas_get_a_quote(value, cell):
    assert safe_cell(value) == cell


def test_the_printable_report_lists_goals_practices_and_blockers(client, tenant, members, roadmap):
    html = (
        client.login(members[Role.STAFF])
        .get(f"/t/{tenant.slug}/roadmaps/{roadmap.id}/readiness")
        .get_data(as_text=True)
    )

    assert '<style media="print">' in html
    assert "REQM Requirements Management" in html
    assert "ML2 blocked: REQM GG 2 (GP 2.1 PI in Field support;" in html.replace("&#39;", "'")
    assert html.count('class="table-warning"') == 10 + 4 + 10  # REQM GG 2, PPQA's practices and GG 2
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_the_adoption_page_draws_the_profile_coverage_trend_and_heatmap(client, tenant, members, roadmap):
    html = (
        client.login(members[Role.VIEWER])
        .get(f"/t/{tenant.slug}/roadmaps/{roadmap.id}/adoption")
        .get_data(as_text=True)
    )

    charts = [json.loads(raw.replace("&#39;", "'")) for raw in re.findall(r"data-chart='([^']*)'", html)]
    profile, coverage, trend = charts
    assert profile["data"]["labels"] == ["REQM", "PPQA"]
    assert profile["data"]["datasets"][0]["data"] == [2, 2]  # target
    assert profile["data"]["datasets"][1]["data"] == [1, 0]  # achieved
    gg2 = dict(zip(coverage["data"]["labels"], coverage["data"]["datasets"][0]["data"], strict=True))
    assert gg2 == {"REQM": 0.0, "PPQA": 0.0}  # GP 2.1 rolls up to PI
    assert len(trend["data"]["labels"]) == 1  # every change so far was today
    assert re.search(
        r'<td class="text-bg-success" title="SG 1: satisfied, 5 of 5 practices LI or FI">5/5', html
    )
    assert re.search(
        r'<td class="text-bg-danger" title="GG 2: unsatisfied, 0 of 10 practices LI or FI">0/10', html
    )
    assert re.search(r'<td class="bg-body-secondary" title="GG 3: not needed for the target">', html)
    assert "Maturity level reached: <strong" in html


def test_the_daily_job_snapshots_every_active_roadmap_of_every_tenant(tenant, catalog_model, roadmap):
    archived = roadmap_with_lines(tenant, catalog_model, ["WP"], name="Old")
    archived.status = RoadmapStatus.ARCHIVED
    archived_id = archived.id
    db.session.commit()
    other = make_tenant("Other Org")
    theirs = roadmap_with_lines(other, catalog_model, ["WP"], name="Theirs")
    db.session.commit()

    with time_machine.travel(date(2031, 5, 4), tick=False):
        jobs.snapshot_sweep()
        assert run_jobs() >= 2
        jobs.snapshot_sweep()
        run_jobs()

    enter(tenant)
    taken = db.session.execute(select(RoadmapSnapshot.roadmap_id, RoadmapSnapshot.taken_on)).all()
    assert (roadmap.id, date(2031, 5, 4)) in taken
    assert archived_id not in {roadmap_id for roadmap_id, _ in taken}
    assert (
        db.session.scalar(
            select(func.count(RoadmapSnapshot.id)).where(RoadmapSnapshot.taken_on == date(2031, 5, 4))
        )
        == 1
    )
    enter(other)
    assert db.session.execute(select(RoadmapSnapshot.roadmap_id, RoadmapSnapshot.taken_on)).all() == [
        (theirs.id, date(2031, 5, 4))
    ]


def test_the_snapshot_job_is_scheduled_daily():
    periodic = next(job for job in periodic_jobs() if job.name == "roadmap-snapshots")
    assert (periodic.func, periodic.cron) == (jobs.snapshot_sweep, "15 2 * * *")
