"""Invitations through HTTP: new and existing users, resend, revoke, expiry, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from saas.accounts import services as accounts
from saas.extensions import db
from saas.tenants import invitations
from saas.tenants import services as tenants
from saas.tenants.errors import NotAllowed
from saas.tenants.models import AuditEvent, Invitation, Membership
from saas.tenants.permissions import Role
from saas.tenants.scoping import clear_scope
from tests.accounts.helpers import COMMON, link_path, mail_to, sign_in, strong_password
from tests.support import add_member, make_user


def invite(client, tenant, email: str, role: str = "staff"):
    return client.submit(
        f"/t/{tenant.slug}/members/invitations", {"email": email, "role": role}, token_page="/account"
    )


def invitations_to(tenant, email: str) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation).where(Invitation.tenant_id == tenant.id, Invitation.email == email)
        )
    )


def audit_actions(tenant) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.tenant_id == tenant.id).order_by(AuditEvent.id)
        )
    )


def invitation_link(client, tenant, mailbox, email: str, role: str = "staff") -> str:
    assert invite(client, tenant, email, role).status_code == 302
    message = mail_to(mailbox, email)
    mailbox.clear()
    return link_path(message)


def fresh_request_scope() -> None:
    """The accept page is not a tenant page: a real request starts it with no tenant scope."""
    clear_scope(db.session)


def test_new_user_accepts_an_invitation_by_creating_an_account(app, client, acme, owner, mailbox):
    client.login(owner)

    response = invite(client, acme, "New.Person@Example.com", "staff")

    assert response.status_code == 302
    assert response.location == "/t/acme/members"
    message = mail_to(mailbox, "new.person@example.com")
    assert message["Subject"] == "Acme Owner invited you to Acme"
    path = link_path(message)
    token = path.rsplit("/", 1)[1]
    [stored] = invitations_to(acme, "new.person@example.com")
    assert stored.token_hash == accounts.token_digest(token)  # only the digest is kept

    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200
    assert "Create my account and join" in page.get_data(as_text=True)
    fresh_request_scope()
    response = newcomer.submit(path, {"name": "Nina New", "password": strong_password(20)}, token_page=path)

    assert response.status_code == 302
    assert response.location == "/t/acme/"
    assert newcomer.get("/t/acme/").status_code == 200
    user = accounts.user_get_by_email("new.person@example.com")
    assert user.name == "Nina New"
    assert user.email_verified_at is not None  # the link proved the address
    assert tenants.membership_get(tenant=acme, user=user).role == Role.STAFF
    assert invitations_to(acme, "new.person@example.com") == []
    assert audit_actions(acme)[-2:] == ["invitation.sent", "invitation.accepted"]
    assert app.test_client().get(path).status_code == 404  # used up


def test_existing_user_signs_in_and_gets_a_membership(app, client, acme, owner, mailbox):
    existing = make_user("erin@example.com", "Erin Existing")
    client.login(owner)
    path = invitation_link(client, acme, mailbox, "erin@example.com", "viewer")

    invited = app.test_client()
    page = invited.get(path)
    assert "Sign in to accept" in page.get_data(as_text=True)
    response = sign_in(invited, "erin@example.com", path=f"/login?next={path}")
    assert response.location == path
    assert "Join Acme" in invited.get(path).get_data(as_text=True)
    fresh_request_scope()
    response = invited.submit(path, token_page=path)

    assert response.status_code == 302
    assert response.location == "/t/acme/"
    assert tenants.membership_get(tenant=acme, user=existing).role == Role.VIEWER
    assert invited.get("/t/acme/").status_code == 200


def test_someone_signed_in_with_another_address_cannot_use_the_link(app, client, acme, owner, mailbox):
    make_user("erin@example.com", "Erin Existing")
    other = make_user("mallory@example.com", "Mallory Other")
    client.login(owner)
    path = invitation_link(client, acme, mailbox, "erin@example.com")

    forwarded = app.test_client().login(other)
    page = forwarded.get(path)
    response = forwarded.submit(path, token_page=path)

    assert "is for erin@example.com" in page.get_data(as_text=True)
    assert response.status_code == 403
    assert "was sent to erin@example.com" in response.get_data(as_text=True)
    assert tenants.membership_get(tenant=acme, user=other) is None
    assert len(invitations_to(acme, "erin@example.com")) == 1


def test_accepting_as_an_existing_member_adds_no_second_membership(app, client, acme, owner, mailbox):
    erin = make_user("erin@example.com", "Erin Existing")
    client.login(owner)
    path = invitation_link(client, acme, mailbox, "erin@example.com", "program_manager")
    db.session.add(Membership(tenant=acme, user=erin, role=Role.VIEWER))  # joined meanwhile
    db.session.commit()

    response = app.test_client().login(erin).submit(path, token_page=path)

    assert response.status_code == 302
    count = db.session.scalar(
        select(func.count()).where(Membership.tenant_id == acme.id, Membership.user_id == erin.id)
    )
    assert count == 1
    assert tenants.membership_get(tenant=acme, user=erin).role == Role.VIEWER
    assert invitations_to(acme, "erin@example.com") == []


def test_inviting_a_member_is_refused(client, acme, owner):
    add_member(acme, Role.STAFF, "sam@example.com")
    client.login(owner)

    response = invite(client, acme, "SAM@example.com")

    assert response.status_code == 422
    assert "sam@example.com is already a member of Acme" in response.get_data(as_text=True)
    assert invitations_to(acme, "sam@example.com") == []


def test_sending_again_renews_the_one_invitation(app, client, acme, owner, mailbox):
    client.login(owner)
    first_path = invitation_link(client, acme, mailbox, "ivy@example.com", "staff")
    [first] = invitations_to(acme, "ivy@example.com")
    first_hash, first_expiry = first.token_hash, first.expires_at

    with time_machine.travel(datetime.now(UTC) + timedelta(days=3)):
        second_path = invitation_link(client, acme, mailbox, "ivy@example.com", "viewer")
        [again] = invitations_to(acme, "ivy@example.com")
        assert again.id == first.id
        assert again.role == Role.VIEWER
        assert again.token_hash != first_hash
        assert again.expires_at - first_expiry >= timedelta(days=3) - timedelta(minutes=1)

        response = client.submit(f"/t/acme/members/invitations/{again.id}/resend", token_page="/account")
        assert response.status_code == 302
        third_path = link_path(mail_to(mailbox, "ivy@example.com"))

    assert len(invitations_to(acme, "ivy@example.com")) == 1
    assert app.test_client().get(first_path).status_code == 404
    assert app.test_client().get(second_path).status_code == 404
    assert app.test_client().get(third_path).status_code == 200
    assert audit_actions(acme)[-3:] == ["invitation.sent", "invitation.resent", "invitation.resent"]


def test_revoked_invitation_link_gets_404_with_a_message(app, client, acme, owner, mailbox):
    client.login(owner)
    path = invitation_link(client, acme, mailbox, "rex@example.com")
    [invitation] = invitations_to(acme, "rex@example.com")

    members_page = client.get("/t/acme/members").get_data(as_text=True)
    response = client.submit(f"/t/acme/members/invitations/{invitation.id}/revoke", token_page="/account")

    assert 'data-confirm="Revoke the invitation of rex@example.com?' in members_page
    assert response.status_code == 302
    assert invitations_to(acme, "rex@example.com") == []
    page = app.test_client().get(path)
    assert page.status_code == 404
    assert "revoked" in page.get_data(as_text=True)
    assert audit_actions(acme)[-1] == "invitation.revoked"


def test_expired_invitation_gets_410_and_can_be_sent_again(app, client, acme, owner, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATION_DAYS", 3)
    client.login(owner)
    path = invitation_link(client, acme, mailbox, "eve@example.com")

    with time_machine.travel(datetime.now(UTC) + timedelta(days=3, minutes=1)):
        page = app.test_client().get(path)
        members_page = client.get("/t/acme/members").get_data(as_text=True)
        new_path = invitation_link(client, acme, mailbox, "eve@example.com")
        renewed = app.test_client().get(new_path)

    assert page.status_code == 410
    assert "expired" in page.get_data(as_text=True)
    assert "expired</span>" in members_page
    assert renewed.status_code == 200


def test_program_manager_cannot_invite_an_owner(client, acme):
    manager = add_member(acme, Role.PROGRAM_MANAGER)
    client.login(manager)

    page = client.get("/t/acme/members").get_data(as_text=True)
    response = invite(client, acme, "boss@example.com", "owner")

    assert 'value="owner"' not in page
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert invitations_to(acme, "boss@example.com") == []
    with pytest.raises(NotAllowed):
        invitations.invitation_send(tenant=acme, actor=manager, email="boss@example.com", role=Role.OWNER)


def test_program_manager_invites_other_roles(client, acme):
    client.login(add_member(acme, Role.PROGRAM_MANAGER))

    assert invite(client, acme, "helper@example.com", "consultant").status_code == 302
    assert invitations_to(acme, "helper@example.com")[0].role == Role.CONSULTANT


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("", "staff", "This field is required."),
        ("not-an-address", "staff", "Invalid email address."),
        ("a" * 10_000 + "@example.com", "staff", "Invalid email address."),
        ("ok@example.com\r\nBcc: victim@example.com", "staff", "Invalid email address."),
        ("ok@example.com", "superuser", "Not a valid choice."),
        ("ok@example.com", "", "Not a valid choice."),
    ],
)
def test_bad_invitation_input_gets_a_form_error(client, acme, owner, email, role, message):
    client.login(owner)

    response = invite(client, acme, email, role)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Invitation.tenant_id == acme.id)) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "", "password": strong_password(20)}, "This field is required."),
        ({"name": "Nina", "password": ""}, "This field is required."),
        ({"name": "Nina", "password": COMMON}, "too common"),
        ({"name": "Nina", "password": strong_password(11)}, "between 12 and 128 characters"),
        ({"name": "Nina", "password": strong_password(129)}, "between 12 and 128 characters"),
        ({"name": "x" * 10_000, "password": strong_password(20)}, "cannot be longer than 120 characters"),
    ],
)
def test_bad_input_when_accepting_gets_a_form_error_and_the_link_stays_usable(
    app, client, acme, owner, mailbox, fields, message
):
    client.login(owner)
    path = invitation_link(client, acme, mailbox, "nina@example.com")
    newcomer = app.test_client()

    response = newcomer.submit(path, fields, token_page=path)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert accounts.user_get_by_email("nina@example.com") is None
    assert newcomer.get(path).status_code == 200


def test_creating_an_account_that_exists_meanwhile_asks_to_sign_in(app, client, acme, owner, mailbox):
    client.login(owner)
    path = invitation_link(client, acme, mailbox, "nina@example.com")
    newcomer = app.test_client()
    token = newcomer.csrf_token(path)
    make_user("nina@example.com", "Nina Meanwhile")
    db.session.commit()

    response = newcomer.post(
        path, data={"csrf_token": token, "name": "Nina", "password": strong_password(20)}
    )

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "An account with this email already exists" in body
    assert "Sign in to accept" in body


@pytest.mark.parametrize("token", ["unknown", "x" * 10_000, "%0d%0a"])
def test_bad_invitation_token_gets_404_with_a_message(client, token):
    response = client.get(f"/invitations/{token}")

    assert response.status_code == 404
    assert "This invitation link does not work" in response.get_data(as_text=True)


def test_a_nul_in_an_invitation_token_is_refused_by_the_request_guard(client):
    assert client.get("/invitations/%00%0d%0a").status_code == 400
