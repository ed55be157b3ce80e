"""Service lines: the pages and rules for adding, editing, retiring and deleting them, and which lines a roadmap covers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.roadmaps.adoption.services.ratings import roadmap_rating
from saas.roadmaps.errors import NameTaken, NotAMember, ServiceLineInUse
from saas.roadmaps.planning.models import Roadmap, ServiceLine
from saas.roadmaps.planning.services import service_lines
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role
from tests.roadmaps.assessing import enter, line_named, put, roadmap_with_lines
from tests.support import make_tenant, make_user, owner_of

EDITORS = [Role.OWNER, Role.PROGRAM_MANAGER, Role.CONSULTANT]
READERS = [Role.STAFF, Role.VIEWER]


def lines_url(tenant, suffix: str = "") -> str:
    return f"/t/{tenant.slug}/service-lines{suffix}"


def submit(client, tenant, url: str, data: dict | None = None):
    return client.submit(url, data, token_page=lines_url(tenant))


def actions(tenant) -> list[str]:
    enter(tenant)
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.tenant_id == tenant.id, AuditEvent.action.like("service_line.%"))
            .order_by(AuditEvent.id)
        )
    )


def line_by_name(tenant, name: str) -> ServiceLine | None:
    enter(tenant)
    db.session.expire_all()
    return db.session.scalar(
        select(ServiceLine).where(ServiceLine.tenant_id == tenant.id, ServiceLine.name == name)
    )


def covered(roadmap_id: int) -> list[str]:
    db.session.expire_all()
    roadmap = db.session.get(Roadmap, roadmap_id)
    return sorted(link.service_line.name for link in roadmap.service_line_links)


@pytest.fixture
def two_lines(tenant, catalog_model):
    """A roadmap covering Service desk (the default line) and Field support."""
    roadmap = roadmap_with_lines(
        tenant, catalog_model, ["REQM"], lines=("Service desk", "Field support"), name="Two lines"
    )
    db.session.commit()
    return roadmap


# --- pages ------------------------------------------------------------------------------------


def test_a_tenant_with_only_the_default_line_is_not_asked_to_choose_one(
    client, tenant, members, catalog_model
):
    roadmap = roadmap_with_lines(tenant, catalog_model, ["REQM"])
    db.session.commit()
    client.login(members[Role.OWNER])

    settings = client.get(f"/t/{tenant.slug}/roadmaps/{roadmap.id}/settings").get_data(as_text=True)
    listing = client.get(lines_url(tenant)).get_data(as_text=True)

    assert 'name="service_line_ids"' not in settings
    assert "Until you add a second line, every roadmap simply covers the whole organisation." in listing


@pytest.mark.parametrize("role", EDITORS)
def test_editors_add_edit_retire_restore_and_delete_a_line(client, tenant, members, two_lines, role):
    client.login(members[role])
    owner_id = members[Role.STAFF].id

    response = submit(
        client, tenant, lines_url(tenant, "/new"), {"name": " North  site ", "owner_id": owner_id}
    )
    assert response.status_code == 302
    line = line_by_name(tenant, "North site")
    assert (line.owner_id, line.active, line.is_default) == (owner_id, True, False)

    edit = lines_url(tenant, f"/{line.id}")
    assert client.get(edit).status_code == 200
    response = submit(client, tenant, edit, {"name": "North depot", "description": "Spares", "owner_id": ""})
    assert response.status_code == 302
    line = line_by_name(tenant, "North depot")
    assert (line.description, line.owner_id) == ("Spares", None)

    for step in ("retire", "restore", "retire", "delete"):
        assert submit(client, tenant, f"{edit}/{step}").status_code == 302, step
    assert line_by_name(tenant, "North depot") is None
    assert actions(tenant)[-6:] == [
        "service_line.created",
        "service_line.updated",
        "service_line.retired",
        "service_line.restored",
        "service_line.retired",
        "service_line.deleted",
    ]
    listing = client.get(lines_url(tenant)).get_data(as_text=True)
    assert 'data-line="Field support"' in listing
    assert "Two lines" in listing  # the roadmap covering it


@pytest.mark.parametrize("role", READERS)
def test_staff_and_viewers_see_the_lines_but_cannot_change_them(client, tenant, members, two_lines, role):
    field = line_named(two_lines, "Field support")
    client.login(members[role])
    before = actions(tenant)

    listing = client.get(lines_url(tenant))
    assert listing.status_code == 200
    assert "Add a service line" not in listing.get_data(as_text=True)
    assert client.get(lines_url(tenant, "/new")).status_code == 403
    assert client.get(lines_url(tenant, f"/{field.id}")).status_code == 403
    for url, data in [
        (lines_url(tenant, "/new"), {"name": "Sneaky"}),
        (lines_url(tenant, f"/{field.id}"), {"name": "Renamed"}),
        (lines_url(tenant, f"/{field.id}/retire"), {}),
        (lines_url(tenant, f"/{field.id}/delete"), {}),
    ]:
        assert submit(client, tenant, url, data).status_code == 403, url

    assert actions(tenant) == before
    assert line_by_name(tenant, "Field support").active


@pytest.mark.parametrize("step", ["", "/retire", "/restore", "/delete"])
def test_another_tenants_line_is_404(client, tenant, members, catalog_model, step):
    stranger = make_tenant("Stranger Org")
    theirs = roadmap_with_lines(stranger, catalog_model, ["REQM"], lines=("Desk", "Field"), name="Theirs")
    field_id = line_named(theirs, "Field").id
    db.session.commit()
    client.login(members[Role.OWNER])

    url = lines_url(tenant, f"/{field_id}{step}")
    response = submit(client, tenant, url, {"name": "Mine now"}) if step else client.get(url)

    assert response.status_code == 404
    enter(stranger)
    line = db.session.get(ServiceLine, field_id)
    assert (line.name, line.active) == ("Field", True)


# --- rules ------------------------------------------------------------------------------------


def test_a_line_with_assessments_is_retired_not_deleted(client, tenant, members, two_lines):
    field = line_named(two_lines, "Field support")
    put(two_lines, field, "REQM", "SP 1.1", "PI")
    db.session.commit()
    client.login(members[Role.PROGRAM_MANAGER])

    refused = submit(client, tenant, lines_url(tenant, f"/{field.id}/delete"))
    assert refused.status_code == 422
    assert "holds 1 assessment; retire it instead" in refused.get_data(as_text=True)

    assert submit(client, tenant, lines_url(tenant, f"/{field.id}/retire")).status_code == 302
    enter(tenant)
    assert covered(two_lines.id) == ["Service desk"]
    assert not line_by_name(tenant, "Field support").active
    assert [line.name for line in roadmap_rating(roadmap=db.session.get(Roadmap, two_lines.id)).lines] == [
        "Service desk"
    ]
    summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "service_line.retired"))
    assert summary == "Retired Field support; no longer covered by Two lines"


def test_the_only_line_of_a_roadmap_and_the_last_active_line_stay(tenant, members, catalog_model):
    actor = members[Role.OWNER]
    roadmap_with_lines(tenant, catalog_model, ["REQM"], lines=("Desk",), name="Desk only")
    spare = service_lines.service_line_create(tenant=tenant, actor=actor, name="Spare")
    desk = line_by_name(tenant, "Desk")

    with pytest.raises(ServiceLineInUse, match="only service line of Desk only"):
        service_lines.service_line_retire(tenant=tenant, actor=actor, service_line=desk)
    with pytest.raises(ServiceLineInUse, match="only service line of Desk only"):
        service_lines.service_line_delete(tenant=tenant, actor=actor, service_line=desk)
    service_lines.service_line_retire(tenant=tenant, actor=actor, service_line=spare)
    service_lines.service_line_delete(tenant=tenant, actor=actor, service_line=spare)
    with pytest.raises(ServiceLineInUse, match="only active service line"):
        service_lines.service_line_retire(tenant=tenant, actor=actor, service_line=desk)


def test_names_are_unique_per_tenant_retired_lines_included(tenant, members, catalog_model):
    actor = members[Role.OWNER]
    roadmap_with_lines(tenant, catalog_model, ["REQM"], lines=("Desk", "Field"))
    field = line_by_name(tenant, "Field")
    service_lines.service_line_retire(tenant=tenant, actor=actor, service_line=field)

    with pytest.raises(NameTaken, match="retired; restore it instead"):
        service_lines.service_line_create(tenant=tenant, actor=actor, name="field")
    with pytest.raises(NameTaken, match="Give the service line a name"):
        service_lines.service_line_create(tenant=tenant, actor=actor, name="   ")
    other = make_tenant("Other Org")  # the session now works in the other tenant
    assert (
        service_lines.service_line_create(tenant=other, actor=owner_of(other), name="Field").name == "Field"
    )


def test_the_owner_must_be_a_member(client, tenant, members, two_lines):
    outsider = make_user("outsider@example.com", "Outsider")
    db.session.commit()
    client.login(members[Role.OWNER])

    response = submit(client, tenant, lines_url(tenant, "/new"), {"name": "Lab", "owner_id": outsider.id})

    assert response.status_code == 422
    assert "The owner must be a member of this organisation." in response.get_data(as_text=True)
    assert line_by_name(tenant, "Lab") is None
    with pytest.raises(NotAMember):
        service_lines.service_line_create(
            tenant=tenant, actor=members[Role.OWNER], name="Lab", owner_id=outsider.id
        )


# --- which lines a roadmap covers ---------------------------------------------------------------


def test_a_roadmap_chooses_its_lines_and_keeps_at_least_one(client, tenant, members, two_lines):
    manager = members[Role.PROGRAM_MANAGER]
    north = service_lines.service_line_create(tenant=tenant, actor=manager, name="North site")
    retired = service_lines.service_line_create(tenant=tenant, actor=manager, name="Old site")
    service_lines.service_line_retire(tenant=tenant, actor=manager, service_line=retired)
    desk = line_named(two_lines, "Service desk")
    db.session.commit()
    client.login(manager)
    url = f"/t/{tenant.slug}/roadmaps/{two_lines.id}/settings"
    form = {"name": "Two lines", "description": "", "starts_on": "", "ends_on": ""}

    page = client.get(url).get_data(as_text=True)
    assert "North site" in page
    assert "Old site" not in page  # retired lines are not offered
    assert "Add, rename or retire service lines" in page

    assert submit(client, tenant, url, {**form, "service_line_ids": [desk.id, north.id]}).status_code == 302
    enter(tenant)
    assert covered(two_lines.id) == ["North site", "Service desk"]
    summary = db.session.scalar(
        select(AuditEvent.summary)
        .where(AuditEvent.action == "roadmap.updated")
        .order_by(AuditEvent.id.desc())
    )
    assert summary == "Edited “Two lines”: now covers North site; drops Field support"

    none_chosen = submit(client, tenant, url, form)
    assert none_chosen.status_code == 422
    assert "Choose at least one service line." in none_chosen.get_data(as_text=True)
    retired_chosen = submit(client, tenant, url, {**form, "service_line_ids": [retired.id]})
    assert retired_chosen.status_code == 422
    assert covered(two_lines.id) == ["North site", "Service desk"]
