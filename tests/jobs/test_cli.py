"""Every `flask jobs ...` command, run as flaskr runs its commands: through the app's CLI runner."""

from __future__ import annotations

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from rq.cron import CronScheduler

from saas.jobs import DEFAULT_QUEUE, MAIL_QUEUE, enqueue, queue
from saas.jobs.schedule import periodic_jobs
from tests.jobs.commands import beside, wait_until
from tests.mail.test_outbox import queue_notice
from tests.support import run_jobs

DONE: list[str] = []


def probe_job(tag: str) -> str:
    DONE.append(tag)
    return tag


def broken_job() -> None:
    raise ValueError("the reason it failed")


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    DONE.clear()
    return app.test_cli_runner()


def jobs(runner: FlaskCliRunner, *args: str) -> Result:
    return runner.invoke(args=["jobs", *args])


def test_worker_burst_runs_every_queue_and_exits(runner, db_session, mailbox):
    enqueue(probe_job, "dispatch")
    queue_notice()  # a delivery job on the mail queue, after the commit
    db_session.commit()
    result = jobs(runner, "worker", "--burst")
    assert result.exit_code == 0, result.output
    assert DONE == ["dispatch"]
    assert len(mailbox.messages) == 1
    assert queue(DEFAULT_QUEUE).count == queue(MAIL_QUEUE).count == 0


def test_worker_burst_on_one_queue_leaves_the_other(runner, db_session, mailbox):
    enqueue(probe_job, "dispatch")
    queue_notice()
    db_session.commit()
    assert jobs(runner, "worker", "--burst", "--queue", MAIL_QUEUE).exit_code == 0
    assert len(mailbox.messages) == 1
    assert DONE == []
    assert queue(DEFAULT_QUEUE).count == 1


def test_worker_refuses_an_unknown_queue(runner):
    result = jobs(runner, "worker", "--burst", "--queue", "nightly")
    assert result.exit_code == 2
    assert "'nightly' is not one of 'default', 'mail'" in result.output


def test_scheduler_starts_with_the_timed_jobs_of_the_registry_and_stops_on_sigterm(runner, redis):
    def registered() -> list[str]:
        schedulers = CronScheduler.all(redis)
        return sorted(job.name for s in schedulers for job in s.get_jobs())

    timed = sorted(job.name for job in periodic_jobs() if job.cron)
    with beside(
        lambda: wait_until(lambda: registered() == timed, "the scheduler to register its jobs")
    ) as failures:
        result = jobs(runner, "scheduler")
    assert failures == []
    assert result.exit_code == 0, result.output


def test_run_names_the_jobs_when_given_an_unknown_one(runner):
    result = jobs(runner, "run", "nightly")
    assert result.exit_code == 2
    assert "'nightly' is not a periodic job; choose one of: outbox-sweep," in result.output


def test_run_runs_a_periodic_job_now(runner):
    assert jobs(runner, "run", "outbox-sweep").output == "outbox-sweep: 0\n"


def test_failed_lists_each_failed_job_with_its_last_error_line(runner):
    enqueue(broken_job, retry=None)
    run_jobs()
    (job_id,) = queue().failed_job_registry.get_job_ids()
    result = jobs(runner, "failed")
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"{job_id}  default  tests.jobs.test_cli.broken_job  ")
    assert line.endswith("ValueError: the reason it failed")


def test_failed_says_when_there_are_none(runner):
    assert jobs(runner, "failed").output == "no failed jobs\n"


def test_requeue_puts_a_failed_job_back_and_the_worker_runs_it_again(runner):
    enqueue(broken_job, retry=None)
    run_jobs()
    (job_id,) = queue().failed_job_registry.get_job_ids()
    result = jobs(runner, "requeue", job_id)
    assert result.output == "requeued 1 job(s)\n"
    assert queue().job_ids == [job_id]
    assert queue().failed_job_registry.get_job_ids() == []


def test_requeue_all_of_every_queue(runner):
    enqueue(broken_job, retry=None)
    enqueue(broken_job, retry=None, queue_name=MAIL_QUEUE)
    run_jobs()
    assert jobs(runner, "requeue", "--all").output == "requeued 2 job(s)\n"
    assert queue(DEFAULT_QUEUE).count == queue(MAIL_QUEUE).count == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name the failed jobs to requeue"),
        (("no-such-job",), "no job no-such-job"),
    ],
)
def test_requeue_refuses_without_ids_or_with_unknown_ones(runner, args, message):
    result = jobs(runner, "requeue", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_requeue_refuses_a_job_that_has_not_failed(runner):
    enqueue(probe_job, "fine")
    run_jobs()
    (job_id,) = queue().finished_job_registry.get_job_ids()
    result = jobs(runner, "requeue", job_id)
    assert result.exit_code == 2
    assert f"job {job_id} has not failed" in result.output
