"""The readiness forecast: weekly counts rebuilt from the change history, a least-squares line, a date."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from saas.extensions import db
from saas.roadmaps.adoption.models import AssessmentChange
from saas.roadmaps.adoption.services import assessments
from saas.roadmaps.adoption.services.forecast import (
    METHOD,
    ForecastStatus,
    WeekPoint,
    linear_fit,
    project,
    readiness_forecast,
    week_ends,
)
from saas.roadmaps.adoption.services.ratings import roadmap_rating
from saas.roadmaps.planning.models import Roadmap
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import (
    GG2_PRACTICES,
    count_queries,
    enter,
    line_named,
    roadmap_with_lines,
)

TODAY = datetime.now(UTC).date()
REQM = [
    "SP 1.1",
    "SP 1.2",
    "SP 1.3",
    "SP 1.4",
    "SP 1.5",
    *GG2_PRACTICES,
]  # the 15 practices ML2 needs of REQM


def weeks_ago(weeks: int) -> datetime:
    """Ten in the morning (UTC, the tenant's zone) of the day `weeks` weeks before today."""
    return datetime.combine(TODAY - timedelta(weeks=weeks), time(10), UTC)


@pytest.fixture
def manager(members):
    return members[Role.PROGRAM_MANAGER]


@pytest.fixture
def roadmap(tenant, catalog_model):
    """REQM at CL2 with an ML2 target: 15 practices in scope, one line."""
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"])
    db.session.commit()
    return roadmap


def characterise(
    roadmap, actor, practices, value: str, *, at: datetime, line: str = "Whole organisation"
) -> None:
    with time_machine.travel(at, tick=False):
        for code in practices:
            assessments.assessment_set(
                tenant=roadmap.tenant,
                actor=actor,
                roadmap=roadmap,
                service_line=line_named(roadmap, line),
                area_code="REQM",
                practice_code=code,
                characterisation=value,
            )
    db.session.commit()


# --- the pure parts -------------------------------------------------------------------------------


def test_week_ends_count_back_from_today():
    assert week_ends(date(2027, 3, 31), date(2027, 3, 1)) == [
        date(2027, 3, 3),
        date(2027, 3, 10),
        date(2027, 3, 17),
        date(2027, 3, 24),
        date(2027, 3, 31),
    ]


def test_least_squares_through_weekly_counts():
    start = date(2027, 1, 4)
    exact = [WeekPoint(start + timedelta(weeks=week), 3 + 2 * week) for week in range(5)]
    noisy = [WeekPoint(start + timedelta(weeks=week), count) for week, count in enumerate([1, 3, 2, 4])]

    assert linear_fit(exact) == pytest.approx((2.0, 3.0))
    assert linear_fit(noisy) == pytest.approx((0.8, 1.3))  # slope = 4 / 5, intercept = 2.5 - 0.8 * 1.5


def test_the_projection_is_where_the_line_meets_the_number_needed():
    start = date(2027, 1, 4)
    points = [WeekPoint(start + timedelta(weeks=week), 3 + 2 * week) for week in range(5)]

    forecast = project("ML2", 20, points)

    assert forecast.status is ForecastStatus.PROJECTED
    assert forecast.projected_on == start + timedelta(days=math.ceil((20 - 3) / 2 * 7))
    assert (
        forecast.message
        == "At the current pace (about 2.0 practices a week), ML2 is projected for 5 March 2027."
    )
    flat = project("ML2", 20, [WeekPoint(point.on, 5) for point in points])
    assert (flat.status, flat.projected_on) == (ForecastStatus.NO_PROGRESS, None)


# --- on seeded history ------------------------------------------------------------------------------


def test_two_practices_a_week_project_the_day_all_fifteen_are_there(roadmap, manager):
    for week in range(6):  # five weeks ago to today: 2, 4, ... 12 practices FI
        characterise(roadmap, manager, REQM[2 * week : 2 * week + 2], "FI", at=weeks_ago(5 - week))

    forecast = readiness_forecast(roadmap=roadmap, today=TODAY)

    assert [point.implemented for point in forecast.points] == [2, 4, 6, 8, 10, 12]
    assert [point.on for point in forecast.points] == [TODAY - timedelta(weeks=5 - week) for week in range(6)]
    assert (forecast.required, forecast.current) == (15, 12)
    assert forecast.per_week == pytest.approx(2.0)
    first = TODAY - timedelta(weeks=5)
    assert forecast.projected_on == first + timedelta(days=math.ceil((15 - 2) / 2 * 7))
    assert forecast.status is ForecastStatus.PROJECTED


def test_under_four_weeks_of_history_is_not_enough(roadmap, manager):
    characterise(roadmap, manager, REQM[:4], "FI", at=weeks_ago(3))
    characterise(roadmap, manager, REQM[4:8], "LI", at=weeks_ago(0))

    forecast = readiness_forecast(roadmap=roadmap, today=TODAY)

    assert forecast.status is ForecastStatus.NOT_ENOUGH_HISTORY
    assert forecast.message == "Not enough history yet: the forecast needs four weeks of characterisations."


def test_falling_counts_mean_no_progress_at_the_current_pace(roadmap, manager):
    characterise(roadmap, manager, REQM[:6], "FI", at=weeks_ago(4))
    characterise(roadmap, manager, REQM[:3], "PI", at=weeks_ago(2))

    forecast = readiness_forecast(roadmap=roadmap, today=TODAY)

    assert [point.implemented for point in forecast.points] == [6, 6, 3, 3, 3]
    assert forecast.status is ForecastStatus.NO_PROGRESS
    assert forecast.message.startswith("No progress at the current pace")


def test_the_history_is_rolled_up_over_lines_with_raises_from_the_day_recorded(
    tenant, catalog_model, manager
):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"], lines=("Desk", "Field"))
    db.session.commit()
    characterise(roadmap, manager, REQM[:4], "FI", at=weeks_ago(4), line="Desk")
    characterise(roadmap, manager, REQM[:4], "PI", at=weeks_ago(4), line="Field")  # rolls up to PI
    characterise(roadmap, manager, REQM[:2], "LI", at=weeks_ago(2), line="Field")  # now LI
    with time_machine.travel(weeks_ago(1), tick=False):
        assessments.practice_raise_set(
            tenant=tenant,
            actor=manager,
            roadmap=roadmap,
            area_code="REQM",
            practice_code=REQM[2],
            raised=True,
            reason="Field's gap does not matter",
        )
    db.session.commit()

    forecast = readiness_forecast(roadmap=roadmap, today=TODAY)

    assert [point.implemented for point in forecast.points] == [0, 0, 2, 3, 3]


def test_reached_and_nothing_to_forecast(roadmap, manager, tenant, catalog_model):
    characterise(roadmap, manager, REQM, "LI", at=weeks_ago(0))
    assert readiness_forecast(roadmap=roadmap, today=TODAY).message == "Every practice ML2 needs is LI or FI."

    only_ml3 = roadmap_with_lines(tenant, catalog_model, ["CAM"], name="CAM only")  # an ML3 area, ML2 target
    forecast = readiness_forecast(roadmap=only_ml3, today=TODAY)
    assert forecast.status is ForecastStatus.NOTHING_TO_FORECAST


def test_the_forecast_reads_one_query_on_top_of_the_rating(roadmap, manager):
    for week in range(5):
        characterise(roadmap, manager, REQM[week : week + 1], "FI", at=weeks_ago(4 - week))
    enter(roadmap.tenant)
    db.session.expire_all()
    roadmap = db.session.get(Roadmap, roadmap.id)
    result = roadmap_rating(roadmap=roadmap)
    roadmap.tenant  # noqa: B018  (loaded, as the dashboard has it)

    with count_queries() as statements:
        forecast = readiness_forecast(roadmap=roadmap, today=TODAY, result=result)

    assert forecast.status is ForecastStatus.PROJECTED
    assert len(statements) == 1
    assert db.session.scalar(select(AssessmentChange.id).limit(1)) is not None


def test_the_dashboard_and_the_page_show_the_forecast_and_its_method(
    client, tenant, members, roadmap, manager
):
    for week in range(6):
        characterise(roadmap, manager, REQM[2 * week : 2 * week + 2], "FI", at=weeks_ago(5 - week))
    client.login(members[Role.VIEWER])
    expected = readiness_forecast(roadmap=roadmap, today=TODAY)

    dashboard = client.get(f"/t/{tenant.slug}/roadmaps/{roadmap.id}").get_data(as_text=True)
    page = client.get(f"/t/{tenant.slug}/roadmaps/{roadmap.id}/forecast").get_data(as_text=True)

    assert f'data-forecast="projected">{expected.message}</p>' in dashboard
    assert f'data-projected-on="{expected.projected_on.isoformat()}"' in page
    assert METHOD in page.replace("&#39;", "'")
    assert page.count("data-week=") == 6
    assert "data-chart=" in page
