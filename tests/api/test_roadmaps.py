"""Roadmaps, their selected areas and phases through the API, with the pages' rule: EDIT_ROADMAPS changes."""

from __future__ import annotations

import pytest

from saas.tenants.permissions import Permission, Role, can
from tests.api.conftest import ApiClient, audit_count, token_for


@pytest.fixture
def base(tenant):
    return f"/t/{tenant.slug}"


def test_a_roadmap_is_created_listed_read_updated_archived_and_restored(owner_api, base):
    created = owner_api.post(
        f"{base}/roadmaps",
        json={
            "name": "Reach ML2",
            "target_kind": "maturity_level",
            "target_maturity_level": 2,
            "starts_on": "2027-01-01",
        },
    )
    assert created.status_code == 201, created.json
    roadmap = created.json
    assert (roadmap["target_maturity_level"], roadmap["area_count"], roadmap["status"]) == (2, 8, "active")
    assert roadmap["service_lines"] == [
        {"id": roadmap["service_lines"][0]["id"], "name": "Whole organisation", "is_default": True}
    ]

    listed = owner_api.get(f"{base}/roadmaps").json
    assert [(item["id"], item["area_count"]) for item in listed["items"]] == [(roadmap["id"], 8)]

    changed = owner_api.patch(
        f"{base}/roadmaps/{roadmap['id']}", json={"name": "Reach ML2 by summer", "ends_on": "2027-06-30"}
    )
    assert changed.status_code == 200
    assert (changed.json["name"], changed.json["starts_on"], changed.json["ends_on"]) == (
        "Reach ML2 by summer",
        "2027-01-01",
        "2027-06-30",
    )
    backwards = owner_api.patch(f"{base}/roadmaps/{roadmap['id']}", json={"ends_on": "2026-01-01"})
    assert backwards.status_code == 422
    assert "ends_on" in backwards.json["errors"]

    assert owner_api.post(f"{base}/roadmaps/{roadmap['id']}/archive").json["status"] == "archived"
    assert owner_api.get(f"{base}/roadmaps").json["total"] == 0
    assert owner_api.get(f"{base}/roadmaps?status=archived").json["total"] == 1
    assert owner_api.post(f"{base}/roadmaps/{roadmap['id']}/restore").json["status"] == "active"


def test_the_three_ways_to_build_a_roadmap_and_their_refusals(owner_api, base):
    profile = owner_api.post(
        f"{base}/roadmaps",
        json={"name": "Profile", "target_kind": "capability_profile", "profile": {"wp": 3, "SD": 2}},
    )
    free = owner_api.post(
        f"{base}/roadmaps", json={"name": "Free", "target_kind": "free", "area_codes": ["CAM"]}
    )
    unknown = owner_api.post(
        f"{base}/roadmaps", json={"name": "Bad", "target_kind": "free", "area_codes": ["XYZ"]}
    )
    taken = owner_api.post(
        f"{base}/roadmaps", json={"name": "Free", "target_kind": "free", "area_codes": ["WP"]}
    )

    assert (profile.status_code, profile.json["area_count"]) == (201, 2)
    assert (free.status_code, free.json["area_count"]) == (201, 1)
    assert unknown.status_code == 422
    assert "area_codes" in unknown.json["errors"]
    assert taken.status_code == 422
    assert "name" in taken.json["errors"]


def test_the_plan_caps_active_roadmaps_with_a_json_refusal(owner_api, base):
    for name in ("One", "Two", "Three"):
        assert (
            owner_api.post(
                f"{base}/roadmaps", json={"name": name, "target_kind": "free", "area_codes": ["WP"]}
            ).status_code
            == 201
        )

    refused = owner_api.post(
        f"{base}/roadmaps", json={"name": "Four", "target_kind": "free", "area_codes": ["WP"]}
    )

    assert refused.status_code == 403
    assert "allows 3 active roadmaps" in refused.json["message"]
    assert refused.json["upgrade_url"].endswith("/billing")
    assert owner_api.get(f"{base}/roadmaps").json["total"] == 3


def test_selected_areas_are_added_planned_and_removed(owner_api, base, roadmap, people):
    areas = f"{base}/roadmaps/{roadmap.id}/areas"
    phase = owner_api.post(f"{base}/roadmaps/{roadmap.id}/phases", json={"name": "Wave 1"}).json

    added = owner_api.post(areas, json={"area_code": "cam", "target_capability_level": 3})
    assert added.status_code == 201, added.json
    assert (added.json["area_code"], added.json["target_capability_level"]) == ("CAM", 3)
    assert owner_api.post(areas, json={"area_code": "CAM"}).status_code == 409

    planned = owner_api.patch(
        f"{areas}/{added.json['id']}",
        json={
            "priority": 1,
            "phase_id": phase["id"],
            "owner_id": people[Role.STAFF].id,
            "rationale": "Capacity is tight.",
        },
    )
    assert planned.status_code == 200, planned.json
    assert planned.json["owner"]["id"] == people[Role.STAFF].id
    assert planned.json["phase_id"] == phase["id"]
    unplaced = owner_api.patch(f"{areas}/{added.json['id']}", json={"phase_id": None})
    assert unplaced.json["phase_id"] is None
    assert unplaced.json["priority"] == 1

    assert owner_api.patch(f"{areas}/{added.json['id']}", json={"owner_id": 999_999}).status_code == 422
    assert owner_api.patch(f"{areas}/{added.json['id']}", json={"not_applicable": True}).status_code == 422
    assert [a["area_code"] for a in owner_api.get(areas).json["items"]].count("CAM") == 1
    assert owner_api.delete(f"{areas}/{added.json['id']}").status_code == 204
    assert owner_api.get(f"{areas}/{added.json['id']}").status_code == 404


def test_phases_are_created_read_updated_and_deleted(owner_api, base, roadmap):
    phases = f"{base}/roadmaps/{roadmap.id}/phases"
    wp = next(
        a
        for a in owner_api.get(f"{base}/roadmaps/{roadmap.id}/areas").json["items"]
        if a["area_code"] == "WP"
    )

    created = owner_api.post(
        phases, json={"name": "Foundations", "starts_on": "2027-02-01", "area_ids": [wp["id"]]}
    )
    assert created.status_code == 201, created.json
    assert created.json["area_ids"] == [wp["id"]]
    late = owner_api.post(phases, json={"name": "Later", "starts_on": "2027-01-01"}).json
    assert [p["name"] for p in owner_api.get(phases).json["items"]] == [
        "Later",
        "Foundations",
    ]  # by start date

    moved = owner_api.patch(f"{phases}/{created.json['id']}", json={"area_ids": [], "ends_on": "2027-03-01"})
    assert (moved.json["area_ids"], moved.json["ends_on"]) == ([], "2027-03-01")
    assert owner_api.patch(f"{phases}/{late['id']}", json={"area_ids": [2**31 - 1]}).status_code == 422
    assert owner_api.delete(f"{phases}/{late['id']}").status_code == 204
    assert owner_api.get(f"{phases}/{late['id']}").status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_every_member_reads_roadmaps_and_only_editors_change_them(
    client, base, tenant, roadmap, people, role
):
    api = ApiClient(client, token_for(people[role]))
    before = audit_count(tenant)

    reads = [
        api.get(f"{base}/roadmaps"),
        api.get(f"{base}/roadmaps/{roadmap.id}"),
        api.get(f"{base}/roadmaps/{roadmap.id}/areas"),
        api.get(f"{base}/roadmaps/{roadmap.id}/phases"),
        api.get(f"{base}/members"),
    ]
    writes = [
        api.post(f"{base}/roadmaps", json={"name": "Mine", "target_kind": "free", "area_codes": ["WP"]}),
        api.patch(f"{base}/roadmaps/{roadmap.id}", json={"name": "Renamed"}),
        api.post(f"{base}/roadmaps/{roadmap.id}/phases", json={"name": "Wave"}),
        api.post(f"{base}/roadmaps/{roadmap.id}/areas", json={"area_code": "CAM"}),
        api.post(f"{base}/roadmaps/{roadmap.id}/archive"),
    ]

    assert [response.status_code for response in reads] == [200] * len(reads)
    expected = [201, 200, 201, 201, 200] if can(role, Permission.EDIT_ROADMAPS) else [403] * len(writes)
    assert [response.status_code for response in writes] == expected
    if expected[0] == 403:
        assert audit_count(tenant) == before
