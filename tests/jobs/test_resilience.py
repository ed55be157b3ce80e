"""Jobs and mail under failure: a worker dying mid-digest, SMTP cutting out, Redis down at an assignment."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from redis.exceptions import ConnectionError as RedisConnectionError
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from saas.database import utcnow
from saas.extensions import db
from saas.jobs import enqueue, queue
from saas.mail import jobs as mail_jobs
from saas.mail.models import MessageStatus, OutboxMessage
from saas.roadmaps.notifications import jobs
from saas.roadmaps.notifications.services import digests
from saas.tenants.permissions import Role
from tests.mailbox import Mailbox
from tests.roadmaps.conftest import make_item
from tests.roadmaps.notifying import MONDAY, local
from tests.support import add_member, run_jobs

MANAGERS = 4


def outbox(prefix: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"{prefix}%"))))


def with_managers(tenant) -> list[str]:
    """The tenant's digest recipients: its owner and MANAGERS program managers."""
    for n in range(MANAGERS):
        add_member(tenant, Role.PROGRAM_MANAGER, f"pm{n}@{tenant.slug}.example")
    db.session.commit()
    return [recipient.email for recipient in digests.digest_recipients(tenant=tenant)]


def test_a_digest_job_killed_halfway_records_nothing_and_its_retry_sends_each_once(
    tenant, items_roadmap, mailbox, monkeypatch
):
    recipients = with_managers(tenant)
    real_mail_queue, calls = digests.mail_queue, []

    def dies_on_the_third(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 3:
            raise SystemError("worker killed")  # after two messages were recorded in the job's transaction
        return real_mail_queue(**kwargs)

    monkeypatch.setattr(digests, "mail_queue", dies_on_the_third)
    with time_machine.travel(local(MONDAY, zone="UTC")):
        enqueue(jobs.send_digests, tenant.id, MONDAY.isoformat())
        assert run_jobs() == 0
    assert outbox("digest:") == []  # the job's transaction rolled back: nothing half-recorded
    assert mailbox.messages == []
    retry = ScheduledJobRegistry(queue=queue())
    assert len(retry.get_job_ids()) == 1  # RQ retries it with backoff

    monkeypatch.undo()  # the worker restarts
    retry.requeue(retry.get_job_ids()[0])
    with time_machine.travel(local(MONDAY, zone="UTC")):
        run_jobs()
    assert sorted(m["To"] for m in mailbox.messages) == sorted(recipients)
    assert {row.status for row in outbox("digest:")} == {MessageStatus.SENT}


def refusing_after(mailbox: Mailbox, accepted: int, monkeypatch) -> None:
    """The SMTP server accepts `accepted` messages, then answers 451 to the rest."""
    real = mailbox.handle_DATA

    async def handle_DATA(server, session, envelope):
        if len(mailbox.messages) >= accepted:
            return "451 Requested action aborted: try again later"
        return await real(server, session, envelope)

    monkeypatch.setattr(mailbox, "handle_DATA", handle_DATA)


def test_smtp_cut_off_mid_digest_run_ends_with_every_row_sent_exactly_once(
    tenant, items_roadmap, mailbox, monkeypatch
):
    recipients = with_managers(tenant)
    refusing_after(mailbox, 2, monkeypatch)
    with time_machine.travel(local(MONDAY, zone="UTC")):
        enqueue(jobs.send_digests, tenant.id, MONDAY.isoformat())
        run_jobs()
    rows = outbox("digest:")
    assert len(rows) == len(recipients)
    assert sorted(row.status for row in rows).count(MessageStatus.SENT) == 2
    assert len(mailbox.messages) == 2

    monkeypatch.undo()  # the server is back
    with time_machine.travel(utcnow() + timedelta(minutes=5)):
        assert mail_jobs.sweep_outbox() == len(recipients) - 2
        run_jobs()
        assert mail_jobs.sweep_outbox() == 0
        run_jobs()
    assert sorted(m["To"] for m in mailbox.messages) == sorted(recipients)
    assert {row.status for row in outbox("digest:")} == {MessageStatus.SENT}


def test_redis_down_while_a_user_assigns_an_item_delays_the_email_but_loses_nothing(
    client, tenant, members, items_roadmap, mailbox, monkeypatch
):
    staff = members[Role.STAFF]
    item = make_item(tenant, items_roadmap, title="Write the policy")
    db.session.commit()
    client.login(members[Role.PROGRAM_MANAGER])
    token = client.csrf_token("/my/items")

    def redis_down(*_args, **_kwargs):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr("rq.Queue.enqueue", redis_down)
    response = client.post(
        f"/t/{tenant.slug}/items/{item.id}/assign", data={"csrf_token": token, "assignee": staff.id}
    )
    assert response.status_code == 302  # the page succeeds
    monkeypatch.undo()  # Redis is back, empty

    assert run_jobs() == 0
    (row,) = outbox("item-assigned:")
    assert row.status == MessageStatus.PENDING
    assert mailbox.messages == []
    with time_machine.travel(utcnow() + timedelta(minutes=3)):  # past the first backoff
        assert mail_jobs.sweep_outbox() == 1
        run_jobs()
    (message,) = mailbox.to(staff.email)
    assert message["Subject"] == "AI-1 assigned to you: Write the policy"
    assert outbox("item-assigned:")[0].status == MessageStatus.SENT
