"""Reset and invitation links leave the outbox once sent: the email has them, the stored row no longer."""

from __future__ import annotations

from sqlalchemy import select

from saas.accounts import credentials
from saas.extensions import db
from saas.mail.models import OutboxMessage
from saas.mail.secret_links import REMOVED
from saas.tenants import invitations
from saas.tenants.permissions import Role
from tests.accounts.helpers import link_path, mail_to
from tests.mailbox import body_text
from tests.support import make_tenant, make_user, owner_of


def stored_body(email: str) -> str:
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == email))
    return row.text_body + row.html_body


def test_a_sent_reset_link_is_removed_from_the_stored_message(app, client, mailbox):
    make_user("rita@example.com", "Rita Reset")
    credentials.password_reset_send("rita@example.com")
    db.session.commit()

    received = mail_to(mailbox, "rita@example.com")
    path = link_path(received)

    assert "\ue000" not in body_text(received)  # the marks never reach the recipient
    assert client.get(path).status_code == 200  # the emailed link works
    assert path.rsplit("/", 1)[1] not in stored_body("rita@example.com")
    assert REMOVED in stored_body("rita@example.com")


def test_a_sent_invitation_link_is_removed_from_the_stored_message(app, mailbox):
    acme = make_tenant("Acme")
    invitations.invitation_send(tenant=acme, actor=owner_of(acme), email="ivy@example.com", role=Role.STAFF)
    db.session.commit()

    path = link_path(mail_to(mailbox, "ivy@example.com"))

    assert "/invitations/" in path
    assert path.rsplit("/", 1)[1] not in stored_body("ivy@example.com")
