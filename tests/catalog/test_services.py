"""The catalog reads other wings use: lookups, ordered goals, search, and their query budgets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from saas.catalog import services
from saas.extensions import db


@contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_unknown_model_and_area_are_none(model):
    assert services.model_get("no-such-model") is None
    assert services.area_get(model, "NOPE") is None
    assert services.area_get(model, "x" * 5000) is None


def test_areas_come_by_code(model):
    codes = [area.code for area in services.area_list(model)]
    assert codes == sorted(codes)
    assert codes[:3] == ["CAM", "CAR", "CM"]


def test_goals_with_practices_in_display_order(model):
    sd = services.area_get(model, "SD")

    with count_queries() as queries:
        goals = services.goals_with_practices(sd)
        shown = [(goal.code, [practice.code for practice in goal.practices]) for goal in goals]

    assert shown == [
        ("SG 1", ["SP 1.1", "SP 1.2"]),
        ("SG 2", ["SP 2.1", "SP 2.2", "SP 2.3"]),
        ("SG 3", ["SP 3.1", "SP 3.2", "SP 3.3"]),
    ]
    assert len(queries) == 2


def test_whole_model_loads_in_a_fixed_number_of_queries(model):
    with count_queries() as queries:
        areas = services.areas_with_goals(model)
        practice_count = sum(len(goal.practices) for area in areas for goal in area.goals)
    assert practice_count == 181
    assert len(queries) == 3


def test_areas_group_by_category_and_by_maturity_level(model):
    areas = services.area_list(model)

    by_category = services.areas_by_category(model, areas)
    by_level = services.areas_by_maturity_level(model, areas)

    assert [group.name for group in by_category] == [
        "Process Management",
        "Project and Work Management",
        "Service Establishment and Delivery",
        "Support",
    ]
    assert sum(len(group.areas) for group in by_category) == 24
    assert [(group.name, len(group.areas)) for group in by_level] == [
        ("Maturity level 2: Managed", 8),
        ("Maturity level 3: Defined", 12),
        ("Maturity level 4: Quantitatively Managed", 2),
        ("Maturity level 5: Optimizing", 2),
    ]


def test_area_themes_split_served_and_contributing(model):
    themes = services.area_themes(model, services.area_get(model, "CAR"))
    assert themes.serves == []
    assert [theme["key"] for theme in themes.contributes] == ["incidents"]


def test_search_by_area_code(model):
    assert [area.code for area in services.search(model, "sd").areas] == ["SD"]
    assert [area.code for area in services.search(model, "SSD").areas] == ["SSD"]


@pytest.mark.parametrize("query", ["SP 2.1", "sp2.1", "  SP   2.1 "])
def test_search_by_practice_code_finds_it_in_every_area(model, query):
    results = services.search(model, query)
    assert len(results.practices) == 20
    assert {practice.code for practice in results.practices} == {"SP 2.1"}


@pytest.mark.parametrize("query", ["WP SP 2.1", "wp:sp 2.1", "WP SP2.1"])
def test_search_by_area_and_practice_code_finds_one(model, query):
    results = services.search(model, query)
    assert [practice.key for practice in results.practices] == ["WP:SP 2.1"]


def test_search_by_generic_practice_and_goal_code(model):
    assert [p.key for p in services.search(model, "GP 2.10").practices] == ["GP 2.10"]
    assert "GG 2" in [g.key for g in services.search(model, "GG 2").goals]


def test_search_by_words_needs_every_word(model):
    results = services.search(model, "incident")
    assert "IRP" in [area.code for area in results.areas]
    assert "IRP:SP 2.3" in [practice.key for practice in results.practices]
    assert "IRP:SG 2" in [goal.key for goal in results.goals]

    narrowed = services.search(model, "incidents closure")
    assert [practice.key for practice in narrowed.practices] == ["IRP:SP 2.4"]


def test_search_runs_three_queries_however_many_results(model):
    with count_queries() as queries:
        results = services.search(model, "e")
        [(p.area.code if p.area else None, p.goal.code) for p in results.practices]
    assert results.truncated
    assert len(queries) == 3


@pytest.mark.parametrize(
    "query", ["%", "_", "'", '"', "\\", "%_%", "'; DROP TABLE practices; --", "\x00", "a" * 5000, "", "   "]
)
def test_search_takes_any_input_literally(model, query):
    results = services.search(model, query)
    assert len(results.query) <= services.MAX_QUERY_LENGTH
    if query.strip(" \x00") in {"%", "_", "%_%", "\\", '"'}:
        assert results.total == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=300))
def test_search_never_fails_whatever_the_text(model, query):
    results = services.search(model, query)
    assert results.total <= 3 * services.SEARCH_LIMIT
