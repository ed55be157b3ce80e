"""The schedule and running periodic jobs by hand (`flask jobs run NAME`)."""

from __future__ import annotations

import time_machine
from rq.cron import CronScheduler

from saas.extensions import db
from saas.jobs.schedule import periodic_jobs
from saas.tenants.permissions import Role
from tests.roadmaps.conftest import make_item
from tests.roadmaps.notifying import MONDAY, local, reminder_subjects, settle
from tests.support import run_jobs

SATURDAY = MONDAY.replace(day=21)


def test_the_schedule():
    crons = {job.name: job.cron for job in periodic_jobs()}
    assert crons == {
        "outbox-sweep": "* * * * *",
        "roadmap-snapshots": "15 2 * * *",
        "trial-reminders": "0 7 * * *",
        "notifications": "5 * * * *",
        "portfolio-digests": "0 7 * * 1",
        "reminders": None,
        "digests": None,
    }


def test_the_scheduler_registers_only_the_timed_jobs(app, monkeypatch):
    registered = []
    monkeypatch.setattr(CronScheduler, "register", lambda self, func, **kw: registered.append(kw["name"]))
    monkeypatch.setattr(CronScheduler, "start", lambda self: None)
    result = app.test_cli_runner().invoke(args=["jobs", "scheduler"])
    assert result.exit_code == 0, result.output
    assert registered == [job.name for job in periodic_jobs() if job.cron]


def test_reminders_and_digests_run_by_hand_whatever_the_hour_or_day(
    app, tenant, members, items_roadmap, mailbox
):
    make_item(tenant, items_roadmap, assignee=members[Role.STAFF], due_on=SATURDAY)
    settle(mailbox)
    db.session.commit()
    cli = app.test_cli_runner()
    with time_machine.travel(local(SATURDAY, hour=15, zone="UTC")):  # a quiet day, not the send hour
        assert cli.invoke(args=["jobs", "run", "reminders"]).output == "reminders: 1\n"
        assert cli.invoke(args=["jobs", "run", "digests"]).output == "digests: 1\n"
        run_jobs()
        cli.invoke(args=["jobs", "run", "reminders"])  # again: nothing more
        run_jobs()
    assert reminder_subjects(mailbox) == ["Due today: AI-1 Write the work plan"]
    digests = [m["To"] for m in mailbox.messages if "digest" in m["Subject"]]
    assert sorted(digests) == sorted([members[Role.OWNER].email, members[Role.PROGRAM_MANAGER].email])
