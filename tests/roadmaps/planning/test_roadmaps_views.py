"""Roadmap pages over HTTP: creating and editing, form errors, roles, tenancy, lifecycle, query counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, insert, select

from saas.extensions import db
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.planning.models import Phase, Roadmap, RoadmapStatus, TargetKind
from saas.roadmaps.planning.services import phases
from saas.roadmaps.planning.services import roadmaps as services
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session
from tests.support import make_user, owner_of

ML2 = {"CM", "MA", "PPQA", "REQM", "SAM", "SD", "WMC", "WP"}


def path(tenant, suffix: str = "") -> str:
    return f"/t/{tenant.slug}/roadmaps{suffix}"


def submit(client, url: str, data: dict | None = None):
    """POST a form as a browser would, with the token of the tenant's roadmap list."""
    return client.submit(url, data, token_page=url.split("/roadmaps")[0] + "/roadmaps")


def create(tenant, actor=None, **overrides) -> Roadmap:
    args = {
        "name": "Programme",
        "target_kind": TargetKind.MATURITY_LEVEL,
        "target_maturity_level": 2,
        "starts_on": date(2027, 1, 1),
        "ends_on": date(2027, 12, 31),
    } | overrides
    roadmap = services.roadmap_create(tenant=tenant, actor=actor or owner_of(tenant), **args)
    db.session.commit()
    return roadmap


def levels(roadmap_id: int) -> dict[str, int]:
    db.session.expire_all()
    roadmap = db.session.get(Roadmap, roadmap_id)
    return {selected.area.code: selected.target_capability_level for selected in roadmap.areas}


def roadmap_names(tenant) -> list[str]:
    return list(
        db.session.scalars(select(Roadmap.name).where(Roadmap.tenant_id == tenant.id).order_by(Roadmap.id))
    )


@pytest.fixture
def owner(members):
    return members[Role.OWNER]


@pytest.fixture
def signed_in(client, owner):
    return client.login(owner)


# --- creating -------------------------------------------------------------------------------


def new_roadmap_form(**fields) -> dict:
    return {
        "name": "Service programme",
        "target_kind": "maturity_level",
        "target_maturity_level": "2",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
    } | fields


def created_roadmap(tenant, response) -> Roadmap:
    assert response.status_code == 302, response.get_data(as_text=True)
    roadmap = db.session.scalar(select(Roadmap).where(Roadmap.tenant_id == tenant.id))
    assert response.headers["Location"].endswith(f"/roadmaps/{roadmap.id}")
    return roadmap


def test_creating_from_ml2_selects_exactly_the_ml2_areas(signed_in, tenant):
    response = submit(signed_in, path(tenant), new_roadmap_form(target_maturity_level="2"))

    roadmap = created_roadmap(tenant, response)
    assert levels(roadmap.id) == dict.fromkeys(ML2, 2)


def test_creating_from_ml3_selects_the_twenty_areas(signed_in, tenant):
    response = submit(signed_in, path(tenant), new_roadmap_form(target_maturity_level="3", include_ssd="y"))

    roadmap = created_roadmap(tenant, response)
    chosen = levels(roadmap.id)
    assert len(chosen) == 20
    assert ML2 | {"SSD", "STSM", "IRP", "SCON"} <= set(chosen)
    assert set(chosen.values()) == {3}


def test_creating_a_capability_profile_keeps_the_chosen_levels(signed_in, tenant):
    form = new_roadmap_form(
        target_kind="capability_profile",
        areas=["WP", "SD", "IRP"],
        **{"cl-WP": "3", "cl-SD": "2", "cl-IRP": "1"},
    )

    roadmap = created_roadmap(tenant, submit(signed_in, path(tenant), form))

    assert levels(roadmap.id) == {"WP": 3, "SD": 2, "IRP": 1}


def test_creating_a_free_choice_takes_the_ticked_areas(signed_in, tenant):
    roadmap = created_roadmap(
        tenant, submit(signed_in, path(tenant), new_roadmap_form(target_kind="free", areas=["SCON", "IRP"]))
    )

    assert levels(roadmap.id) == {"SCON": 2, "IRP": 2}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"target_kind": "capability_profile", "areas": ["WP", "XYZ"]},
            "Unknown process area code(s): XYZ.",
        ),
        ({"starts_on": "2027-06-01", "ends_on": "2027-01-01"}, "The end date is before the start date."),
        ({"target_kind": "free"}, "Select at least one process area."),
        ({"target_maturity_level": "9"}, "Not a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_refused_roadmap_shows_why_and_saves_nothing(signed_in, tenant, fields, message):
    response = submit(signed_in, path(tenant), new_roadmap_form(**fields))

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert roadmap_names(tenant) == []


def test_a_taken_name_is_refused_on_its_field(signed_in, tenant):
    create(tenant, name="Service programme")

    response = submit(signed_in, path(tenant), new_roadmap_form())

    assert response.status_code == 422
    assert "There is already a roadmap called" in response.get_data(as_text=True)
    assert roadmap_names(tenant) == ["Service programme"]


def test_the_new_page_guides_the_selection(signed_in, tenant):
    html = signed_in.get(path(tenant, "/new")).get_data(as_text=True)

    assert "Service Establishment and Delivery" in html  # grouped by category
    assert "Handling and preventing incidents" in html  # the themes an area serves
    assert 'name="cl-IRP"' in html
    assert f'hx-post="{path(tenant, "/selection-effect")}"' in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_the_selection_effect_fragment_names_the_reachable_level(signed_in, tenant):
    token = signed_in.csrf_token(path(tenant))
    headers = {"X-CSRFToken": token, "HX-Request": "true"}
    profile = {"target_kind": "capability_profile", "areas": sorted(ML2)} | {
        f"cl-{code}": "2" for code in ML2
    }

    html = signed_in.post(path(tenant, "/selection-effect"), data=profile, headers=headers).get_data(
        as_text=True
    )
    assert "maturity level 2" in html
    assert "For ML3 every area up to that level must aim for CL3" in html

    ml3 = {"target_kind": "maturity_level", "target_maturity_level": "3"}
    html = signed_in.post(path(tenant, "/selection-effect"), data=ml3, headers=headers).get_data(as_text=True)
    assert "20</span> areas selected" in html
    assert "Kept as not applicable: SSD" in html

    unknown = {"target_kind": "free", "areas": ["NOPE"]}
    html = signed_in.post(path(tenant, "/selection-effect"), data=unknown, headers=headers).get_data(
        as_text=True
    )
    assert "Unknown process area code(s): NOPE." in html
    assert "<html" not in html  # a fragment, not a page


def test_creating_is_audited(signed_in, tenant, owner):
    submit(signed_in, path(tenant), new_roadmap_form())

    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roadmap.created")).one()
    assert (event.actor_id, event.subject_type) == (owner.id, "Roadmap")


# --- editing ---------------------------------------------------------------------------------


def test_editing_the_selection_adds_removes_and_changes_levels(signed_in, tenant):
    roadmap = create(tenant)
    form = {
        "target_maturity_level": "3",
        "areas": ["WP", "SD", "IRP"],
        "cl-WP": "3",
        "cl-SD": "2",
        "cl-IRP": "3",
    }

    response = submit(signed_in, path(tenant, f"/{roadmap.id}/selection"), form)

    assert response.status_code == 302
    assert levels(roadmap.id) == {"WP": 3, "SD": 2, "IRP": 3}
    assert db.session.get(Roadmap, roadmap.id).target_maturity_level == 3


def test_editing_the_selection_with_an_unknown_code_changes_nothing(signed_in, tenant):
    roadmap = create(tenant)

    response = submit(signed_in, path(tenant, f"/{roadmap.id}/selection"), {"areas": ["WP", "ZZZ"]})

    assert response.status_code == 422
    assert "Unknown process area code(s): ZZZ." in response.get_data(as_text=True)
    assert levels(roadmap.id) == dict.fromkeys(ML2, 2)


def area_form(**fields) -> dict:
    return {
        "target_capability_level": "3",
        "priority": "1",
        "phase_id": "",
        "owner_id": "",
        "rationale": "",
    } | fields


def test_editing_an_area_sets_its_plan(signed_in, tenant, owner, members):
    roadmap = create(tenant)
    phase = phases.phase_create(
        tenant=tenant, actor=owner, roadmap=roadmap, name="Wave 1", starts_on=None, ends_on=None
    )
    db.session.commit()
    selected_id = roadmap.areas[0].id
    form = area_form(
        phase_id=str(phase.id), owner_id=str(members[Role.STAFF].id), rationale="Fewer missed SLAs"
    )

    response = submit(signed_in, path(tenant, f"/{roadmap.id}/areas/{selected_id}"), form)

    assert response.status_code == 302
    db.session.expire_all()
    selected = db.session.get(Roadmap, roadmap.id).areas[0]
    assert (selected.target_capability_level, selected.priority, selected.phase_id) == (3, 1, phase.id)
    assert (selected.owner_id, selected.rationale) == (members[Role.STAFF].id, "Fewer missed SLAs")


def test_a_phase_of_another_roadmap_or_tenant_is_a_form_error(signed_in, tenant, owner, foreign_tenant):
    roadmap = create(tenant, name="Mine")
    other = create(tenant, name="Other")
    other_phase = phases.phase_create(
        tenant=tenant, actor=owner, roadmap=other, name="Theirs", starts_on=None, ends_on=None
    )
    foreign = create(foreign_tenant, name="Foreign")
    foreign_phase = phases.phase_create(
        tenant=foreign_tenant,
        actor=owner_of(foreign_tenant),
        roadmap=foreign,
        name="F",
        starts_on=None,
        ends_on=None,
    )
    db.session.commit()
    roadmap_id, phase_ids = roadmap.id, (other_phase.id, foreign_phase.id)
    url = path(tenant, f"/{roadmap.id}/areas/{roadmap.areas[0].id}")
    db.session.expunge_all()

    for phase_id in phase_ids:
        response = submit(signed_in, url, area_form(phase_id=phase_id))
        assert response.status_code == 422
        assert "Choose one of this roadmap" in response.get_data(as_text=True)
    db.session.expunge_all()
    assert db.session.get(Roadmap, roadmap_id).areas[0].phase_id is None


def test_an_owner_from_outside_the_tenant_is_a_form_error(signed_in, tenant):
    roadmap = create(tenant)
    stranger = make_user("stranger@example.com")
    db.session.commit()

    response = submit(
        signed_in, path(tenant, f"/{roadmap.id}/areas/{roadmap.areas[0].id}"), area_form(owner_id=stranger.id)
    )

    assert response.status_code == 422
    assert "The owner must be a member of this organisation." in response.get_data(as_text=True)


def test_removing_an_area(signed_in, tenant):
    roadmap = create(tenant)
    wp = next(selected for selected in roadmap.areas if selected.area.code == "WP")

    response = submit(signed_in, path(tenant, f"/{roadmap.id}/areas/{wp.id}/remove"))

    assert response.status_code == 302
    assert set(levels(roadmap.id)) == ML2 - {"WP"}


def test_phases_and_dates_are_edited_over_http(signed_in, tenant):
    roadmap = create(tenant)
    wp = next(selected for selected in roadmap.areas if selected.area.code == "WP")
    phase_form = {"name": "Wave 1", "starts_on": "2027-01-01", "ends_on": "2027-03-31", "area_ids": [wp.id]}

    assert submit(signed_in, path(tenant, f"/{roadmap.id}/phases/new"), phase_form).status_code == 302
    phase = db.session.scalars(select(Phase).where(Phase.roadmap_id == roadmap.id)).one()
    assert db.session.get(Roadmap, roadmap.id).areas[wp.position].phase_id == phase.id

    moved = phase_form | {"ends_on": "2027-04-30", "area_ids": []}
    assert submit(signed_in, path(tenant, f"/{roadmap.id}/phases/{phase.id}"), moved).status_code == 302
    db.session.expire_all()
    assert db.session.get(Phase, phase.id).ends_on == date(2027, 4, 30)

    settings = {"name": "Renamed", "starts_on": "2027-02-01", "ends_on": "2028-01-31"}
    assert submit(signed_in, path(tenant, f"/{roadmap.id}/settings"), settings).status_code == 302
    db.session.expire_all()
    edited = db.session.get(Roadmap, roadmap.id)
    assert (edited.name, edited.starts_on, edited.ends_on) == ("Renamed", date(2027, 2, 1), date(2028, 1, 31))

    assert submit(signed_in, path(tenant, f"/{roadmap.id}/phases/{phase.id}/delete")).status_code == 302
    assert db.session.scalar(select(func.count(Phase.id)).where(Phase.roadmap_id == roadmap.id)) == 0


@pytest.mark.parametrize("page", ["phases/new", "phase", "settings"])
def test_an_end_before_the_start_is_a_form_error_and_saves_nothing(signed_in, tenant, owner, page):
    roadmap = create(tenant)
    phase = phases.phase_create(
        tenant=tenant, actor=owner, roadmap=roadmap, name="Wave 1", starts_on=None, ends_on=None
    )
    db.session.commit()
    url = path(tenant, f"/{roadmap.id}/" + (f"phases/{phase.id}" if page == "phase" else page))

    response = submit(signed_in, url, {"name": "Changed", "starts_on": "2027-05-01", "ends_on": "2027-04-01"})

    assert response.status_code == 422
    assert "The end date is before the start date." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Roadmap, roadmap.id).name == "Programme"
    assert [(p.name, p.ends_on) for p in db.session.get(Roadmap, roadmap.id).phases] == [("Wave 1", None)]


def test_the_plan_page_draws_the_timeline(signed_in, tenant, owner):
    roadmap = create(tenant)
    phases.phase_create(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        name="Wave 1",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 3, 31),
        area_ids=[roadmap.areas[0].id],
    )
    db.session.commit()

    html = signed_in.get(path(tenant, f"/{roadmap.id}/plan")).get_data(as_text=True)

    assert "<svg" in html
    assert "Wave 1: 2027-01-01 to 2027-03-31" in html
    assert "Jan 2027" in html


# --- lifecycle ---------------------------------------------------------------------------------


def test_archive_restore_and_duplicate(signed_in, tenant):
    roadmap = create(tenant, name="Programme")

    assert submit(signed_in, path(tenant, f"/{roadmap.id}/archive")).status_code == 302
    archived = signed_in.get(path(tenant, "?status=archived")).get_data(as_text=True)
    assert "Programme" in archived
    assert db.session.get(Roadmap, roadmap.id).status == RoadmapStatus.ARCHIVED

    assert submit(signed_in, path(tenant, f"/{roadmap.id}/restore")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Roadmap, roadmap.id).status == RoadmapStatus.ACTIVE

    response = submit(signed_in, path(tenant, f"/{roadmap.id}/duplicate"))
    assert response.status_code == 302
    assert roadmap_names(tenant) == ["Programme", "Programme (copy)"]


def test_delete_asks_for_confirmation_and_removes_the_roadmap(signed_in, tenant):
    roadmap = create(tenant)
    page = signed_in.get(path(tenant, f"/{roadmap.id}")).get_data(as_text=True)
    assert 'data-confirm="Delete' in page

    response = submit(signed_in, path(tenant, f"/{roadmap.id}/delete"))

    assert response.status_code == 302
    assert roadmap_names(tenant) == []
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "roadmap.deleted")).one()


@pytest.mark.parametrize(("role", "status"), [(Role.PROGRAM_MANAGER, 302), (Role.CONSULTANT, 403)])
def test_only_owners_and_program_managers_may_delete(client, tenant, members, role, status):
    roadmap = create(tenant)
    client.login(members[role])

    assert submit(client, path(tenant, f"/{roadmap.id}/delete")).status_code == status
    assert len(roadmap_names(tenant)) == (0 if status == 302 else 1)
    page = client.get(path(tenant, f"/{roadmap.id}" if status == 403 else "")).get_data(as_text=True)
    assert ('data-confirm="Delete' in page) is False


# --- the list ------------------------------------------------------------------------------------


def test_an_empty_list_invites_to_create_a_roadmap(signed_in, tenant):
    html = signed_in.get(path(tenant)).get_data(as_text=True)

    assert "Create your first roadmap" in html
    assert f'href="{path(tenant, "/new")}"' in html


def test_the_list_is_paginated(signed_in, tenant, catalog_model):
    from tests.roadmaps.conftest import build_roadmap

    for number in range(21):
        build_roadmap(tenant, catalog_model, ["WP"], name=f"Roadmap {number:02}")
    db.session.commit()

    first = signed_in.get(path(tenant)).get_data(as_text=True)
    second = signed_in.get(path(tenant, "?page=2")).get_data(as_text=True)

    assert "Roadmap 20" in first
    assert "Roadmap 00" not in first
    assert "Roadmap 00" in second
    assert 'aria-label="Pages"' in first


def test_roadmaps_appear_in_the_tenant_navigation(signed_in, tenant):
    html = signed_in.get(f"/t/{tenant.slug}/").get_data(as_text=True)

    assert f'href="{path(tenant)}">Roadmaps</a>' in html


# --- roles and tenancy ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER])
def test_staff_and_viewers_see_but_cannot_change(client, tenant, members, role):
    roadmap = create(tenant)
    selected_id = roadmap.areas[0].id
    client.login(members[role])

    for page in ("", f"/{roadmap.id}", f"/{roadmap.id}/plan"):
        response = client.get(path(tenant, page))
        assert response.status_code == 200
        assert "Archive</button>" not in response.get_data(as_text=True)
    assert client.get(path(tenant, "/new")).status_code == 403
    changes = {
        "": new_roadmap_form(name="Sneaky"),
        "/selection-effect": {},
        f"/{roadmap.id}/settings": {"name": "Sneaky"},
        f"/{roadmap.id}/selection": {"areas": ["WP"]},
        f"/{roadmap.id}/areas/{selected_id}": area_form(),
        f"/{roadmap.id}/areas/{selected_id}/remove": {},
        f"/{roadmap.id}/phases/new": {"name": "Sneaky"},
        f"/{roadmap.id}/archive": {},
        f"/{roadmap.id}/duplicate": {},
        f"/{roadmap.id}/delete": {},
    }
    for page, form in changes.items():
        assert submit(client, path(tenant, page), form).status_code == 403, page
    assert roadmap_names(tenant) == ["Programme"]


def test_consultants_change_roadmaps_of_clients_that_made_them_consultants(client, tenant, members):
    client.login(members[Role.CONSULTANT])

    response = submit(client, path(tenant), new_roadmap_form(name="Consultant's plan"))
    roadmap = created_roadmap(tenant, response)
    assert submit(client, path(tenant, f"/{roadmap.id}/settings"), {"name": "Reworked"}).status_code == 302
    assert roadmap_names(tenant) == ["Reworked"]


def test_a_non_member_gets_404(client, tenant):
    roadmap = create(tenant)
    client.login(make_user("outsider@example.com"))

    assert client.get(path(tenant)).status_code == 404
    assert client.get(path(tenant, f"/{roadmap.id}")).status_code == 404


def test_a_roadmap_of_another_tenant_gets_404(signed_in, tenant, foreign_tenant):
    foreign = create(foreign_tenant, name="Theirs")
    base, foreign_tenant_id = path(tenant, f"/{foreign.id}"), foreign_tenant.id
    area_id = foreign.areas[0].id
    db.session.expunge_all()

    for page in ("", "/plan", "/settings", "/selection", f"/areas/{area_id}"):
        assert signed_in.get(base + page).status_code == 404, page
    for action in ("archive", "duplicate", "delete"):
        assert submit(signed_in, f"{base}/{action}").status_code == 404
    scope_session(db.session, [foreign_tenant_id])
    assert db.session.scalars(select(Roadmap.name).where(Roadmap.tenant_id == foreign_tenant_id)).all() == [
        "Theirs"
    ]


# --- the dashboard's cost --------------------------------------------------------------------------


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def add_items(tenant, roadmap: Roadmap, count: int, *, first_number: int, people: list) -> None:
    """`count` items in one INSERT: every status, due dates around today, several assignees."""
    today = date.today()
    area_ids = [selected.id for selected in roadmap.areas]
    statuses = list(ItemStatus)
    db.session.execute(
        insert(ActionItem),
        [
            {
                "tenant_id": tenant.id,
                "roadmap_id": roadmap.id,
                "roadmap_area_id": area_ids[n % len(area_ids)],
                "number": first_number + n,
                "title": f"Item {n}",
                "status": statuses[n % len(statuses)],
                "due_on": today + timedelta(days=n % 60 - 30),
                "assignee_id": people[n % len(people)].id,
            }
            for n in range(count)
        ],
    )


def test_dashboard_queries_do_not_grow_with_the_number_of_items(signed_in, tenant, members, owner):
    people = list(members.values())
    small = create(tenant, name="Small", target_maturity_level=5)
    big = create(tenant, name="Big", target_maturity_level=5)
    for roadmap, count, first in ((small, 10, 1), (big, 1000, 100)):
        add_items(tenant, roadmap, count, first_number=first, people=people)
        phases.phase_create(
            tenant=tenant,
            actor=owner,
            roadmap=roadmap,
            name="Wave 1",
            starts_on=date.today(),
            ends_on=date.today() + timedelta(days=90),
            area_ids=[selected.id for selected in roadmap.areas],
        )
    db.session.commit()
    urls = [path(tenant, f"/{small.id}"), path(tenant, f"/{big.id}")]

    counts = []
    for url in urls:
        db.session.expunge_all()  # as in a fresh request: nothing already loaded
        with counted_queries() as statements:
            response = signed_in.get(url)
        assert response.status_code == 200
        counts.append(len(statements))

    assert counts[0] == counts[1]
    assert counts[1] < 30
    html = response.get_data(as_text=True)
    assert "25% <span" in html  # 250 of 1,000 done


def test_the_plan_caps_active_roadmaps_with_a_message_and_an_upgrade_link(signed_in, tenant):
    """The trial plan allows three active roadmaps; a fourth (new, restored or copied) is refused."""
    first = create(tenant, name="One")
    create(tenant, name="Two")
    create(tenant, name="Three")

    refused = submit(signed_in, path(tenant, f"/{first.id}/duplicate"))
    assert refused.status_code == 403
    assert "allows 3 active roadmaps" in refused.get_data(as_text=True)
    assert roadmap_names(tenant) == ["One", "Two", "Three"]

    assert submit(signed_in, path(tenant, f"/{first.id}/archive")).status_code == 302
    create(tenant, name="Four")
    assert submit(signed_in, path(tenant, f"/{first.id}/restore")).status_code == 403
    db.session.expire_all()
    assert db.session.get(Roadmap, first.id).status == RoadmapStatus.ARCHIVED
