"""The members page through HTTP: who sees what, role changes, removal, the last owner."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.tenants import services as tenants
from saas.tenants.errors import LastOwner
from saas.tenants.models import AuditEvent, Membership
from saas.tenants.permissions import Role
from tests.support import add_member, make_user


def change_role(client, tenant, membership: Membership, role: str):
    return client.submit(
        f"/t/{tenant.slug}/members/{membership.id}/role", {"role": role}, token_page="/account"
    )


def remove(client, tenant, membership: Membership):
    return client.submit(f"/t/{tenant.slug}/members/{membership.id}/remove", token_page="/account")


def membership_of(tenant, user) -> Membership | None:
    return tenants.membership_get(tenant=tenant, user=user)


def last_event(tenant) -> AuditEvent:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant.id).order_by(AuditEvent.id.desc())
    ).first()


def test_every_member_sees_the_members_but_only_managers_get_the_controls(app, acme, owner):
    viewer = add_member(acme, Role.VIEWER)
    add_member(acme, Role.STAFF, "sam@example.com")

    as_viewer = app.test_client().login(viewer).get("/t/acme/members").get_data(as_text=True)
    as_owner = app.test_client().login(owner).get("/t/acme/members").get_data(as_text=True)

    for page in (as_viewer, as_owner):
        assert "sam@example.com" in page
        assert "Acme Owner" in page
    assert "Remove" not in as_viewer
    assert "Invite someone" not in as_viewer
    assert "Pending invitations" not in as_viewer
    assert 'data-confirm="Remove Staff from Acme?' in as_owner
    assert "No pending invitations" in as_owner  # the empty state


def test_owner_changes_a_role(client, acme, owner):
    sam = add_member(acme, Role.STAFF, "sam@example.com")
    client.login(owner)

    response = change_role(client, acme, membership_of(acme, sam), "program_manager")

    assert response.status_code == 302
    assert membership_of(acme, sam).role == Role.PROGRAM_MANAGER
    event = last_event(acme)
    assert (event.action, event.actor_id, event.actor_role) == ("member.role_changed", owner.id, "owner")
    assert event.summary == "Changed Staff's role from Staff to Program manager"
    assert event.data == {"user_id": sam.id, "old_role": "staff", "new_role": "program_manager"}


def test_owner_removes_a_member_who_then_gets_404(app, client, acme, owner):
    sam = add_member(acme, Role.STAFF, "sam@example.com")
    sams_browser = app.test_client().login(sam)
    assert sams_browser.get("/t/acme/").status_code == 200
    client.login(owner)

    response = remove(client, acme, membership_of(acme, sam))

    assert response.status_code == 302
    assert membership_of(acme, sam) is None
    assert sams_browser.get("/t/acme/").status_code == 404
    assert last_event(acme).action == "member.removed"


def test_the_last_owner_cannot_demote_themselves(client, acme, owner):
    client.login(owner)

    response = change_role(client, acme, membership_of(acme, owner), "program_manager")

    assert response.status_code == 422
    assert "Acme Owner is the last owner of Acme" in response.get_data(as_text=True)
    assert membership_of(acme, owner).role == Role.OWNER


def test_the_last_owner_cannot_be_removed(client, acme, owner):
    client.login(owner)

    response = remove(client, acme, membership_of(acme, owner))

    assert response.status_code == 422
    assert "last owner" in response.get_data(as_text=True)
    assert membership_of(acme, owner) is not None


def test_with_a_second_owner_an_owner_may_step_down_or_leave(client, acme, owner):
    co_owner = add_member(acme, Role.OWNER, "co@example.com")
    client.login(owner)

    assert change_role(client, acme, membership_of(acme, owner), "staff").status_code == 302
    assert membership_of(acme, owner).role == Role.STAFF
    client.login(co_owner)
    response = remove(client, acme, membership_of(acme, co_owner))
    assert response.status_code == 422  # now the last owner again
    assert "last owner" in response.get_data(as_text=True)


def test_an_owner_leaving_lands_on_their_home_page(client, acme, owner):
    add_member(acme, Role.OWNER, "co@example.com")
    client.login(owner)

    response = remove(client, acme, membership_of(acme, owner))

    assert response.status_code == 302
    assert response.location == "/home"
    assert client.get("/t/acme/").status_code == 404


def test_last_owner_rule_holds_in_the_service_too(acme, owner):
    with pytest.raises(LastOwner):
        tenants.membership_remove(tenant=acme, actor=owner, membership=membership_of(acme, owner))


def test_program_manager_can_neither_touch_owners_nor_grant_owner(client, acme, owner):
    manager = add_member(acme, Role.PROGRAM_MANAGER)
    sam = add_member(acme, Role.STAFF, "sam@example.com")
    client.login(manager)

    page = client.get("/t/acme/members").get_data(as_text=True)
    demote = change_role(client, acme, membership_of(acme, owner), "viewer")
    removal = remove(client, acme, membership_of(acme, owner))
    promote = change_role(client, acme, membership_of(acme, sam), "owner")

    assert 'Remove<span class="visually-hidden"> Acme Owner' not in page
    assert demote.status_code == 422
    assert "Only owners can give or take away the owner role." in demote.get_data(as_text=True)
    assert removal.status_code == 422
    assert promote.status_code == 422
    assert membership_of(acme, owner).role == Role.OWNER
    assert membership_of(acme, sam).role == Role.STAFF


def test_program_manager_may_step_down_while_an_owner_remains(client, acme):
    manager = add_member(acme, Role.PROGRAM_MANAGER)
    client.login(manager)

    response = change_role(client, acme, membership_of(acme, manager), "staff")

    assert response.status_code == 302
    assert membership_of(acme, manager).role == Role.STAFF
    assert client.get("/t/acme/settings").status_code == 403


def test_choosing_the_same_role_changes_nothing(client, acme, owner):
    sam = add_member(acme, Role.STAFF, "sam@example.com")
    client.login(owner)
    before = last_event(acme).id

    assert change_role(client, acme, membership_of(acme, sam), "staff").status_code == 302
    assert last_event(acme).id == before


@pytest.mark.parametrize("role", ["", "admin", "x" * 10_000])
def test_bad_role_gets_422_with_a_message(client, acme, owner, role):
    sam = add_member(acme, Role.STAFF, "sam@example.com")
    client.login(owner)

    response = change_role(client, acme, membership_of(acme, sam), role)

    assert response.status_code == 422
    assert "Pick one of the roles offered." in response.get_data(as_text=True)
    assert membership_of(acme, sam).role == Role.STAFF


def test_unknown_membership_id_gets_404(client, acme, owner):
    client.login(owner)

    assert (
        client.submit("/t/acme/members/999999/role", {"role": "staff"}, token_page="/account").status_code
        == 404
    )
    assert client.submit("/t/acme/members/999999/remove", token_page="/account").status_code == 404


def test_a_user_in_two_tenants_sees_both_in_the_switcher(client, acme):
    both = make_user("both@example.com", "Both Places")
    db.session.add(Membership(tenant=acme, user=both, role=Role.VIEWER))
    other = tenants.tenant_create(name="Other Org", owner=both)
    db.session.flush()
    client.login(both)

    page = client.get(f"/t/{other.slug}/").get_data(as_text=True)

    assert 'href="/t/acme/"' in page
    assert f'href="/t/{other.slug}/"' in page
