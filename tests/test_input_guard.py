"""Hostile input gets a 4xx with a message, never a 500: NUL characters anywhere, integers beyond
a 32-bit column in query and form fields, and a hypothesis fuzz over every page route and method."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.walker import all_rules, build_path, build_world, is_api, rolled_back, values_for, walked_methods

HUGE = "99999999999999999999"
FIELDS = [
    "name", "title", "email", "description", "body", "notes", "page", "line", "phase", "phase_id",
    "owner_id", "assignee", "assignee_id", "area_ids", "item_ids", "service_line_ids", "roadmap_id",
    "priority", "status", "due", "q", "sort", "value", "area", "next", "role", "password",
]  # fmt: skip
HOSTILE = st.one_of(
    st.sampled_from(["\x00", "a\x00b", HUGE, "-" + HUGE, "2147483648", "-1", "0", "", " ", "1e999", "NaN"]),
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


@pytest.fixture
def world():
    return build_world("Acme")


def test_a_nul_in_an_unauthenticated_signup_is_refused_with_400(client):
    response = client.submit(
        "/signup",
        {"organisation": "Nul", "name": "Ann\x00", "email": "ann@example.com", "password": "x" * 20},
        token_page="/signup",
    )

    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/t/acme/items?page=" + HUGE, "/t/acme/items?owner_id=" + HUGE, "/t/acme/items?q=a%00b", "/t/acme/%00"],
)
def test_nul_and_huge_numbers_in_urls_are_refused(app, world, path):
    response = app.test_client().login(world.owner).get(path)

    assert response.status_code in {400, 422}, response.status_code


def test_a_nul_in_a_json_body_is_refused(app, world):
    response = app.test_client().post(
        "/api/v1/t/acme/roadmaps",
        json={"name": "x\x00", "target_kind": "free"},
        headers={"Authorization": f"Bearer {world.api_token}"},
    )

    assert response.status_code == 422
    assert "name" in response.json["errors"]


def test_huge_ids_in_a_multi_select_are_refused(app, world):
    client = app.test_client().login(world.owner)
    token = client.csrf_token("/account")

    response = client.post(
        "/t/acme/items/bulk", data={"csrf_token": token, "item_ids": ["1", HUGE], "action": "status"}
    )

    assert response.status_code == 422


def test_fuzzing_every_page_route_finds_no_server_error(app: Flask, world):
    client = app.test_client().login(world.owner)
    csrf = client.csrf_token("/account")
    rules = [rule for rule in all_rules(app) if not is_api(rule) and not rule.rule.startswith("/static")]
    errors: list[str] = []
    sent: list[int] = []

    @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(fields=st.dictionaries(st.sampled_from(FIELDS), HOSTILE, max_size=6))
    def fuzz(rule, method: str, path: str, fields: dict[str, str]) -> None:
        with rolled_back():
            if method == "GET":
                response = client.get(path, query_string=fields)
            else:
                response = client.open(path, method=method, data={**fields, "csrf_token": csrf})
        sent.append(response.status_code)
        if response.status_code >= 500:
            errors.append(f"{method} {path} {fields!r}: {response.status_code}")

    for rule in rules:
        for method in walked_methods(rule):
            fuzz(rule, method, build_path(app, rule, values_for(rule, world), method))

    assert len(sent) > 2 * len(rules)  # every rule and method got several hostile requests
    assert errors == []
