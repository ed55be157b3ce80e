"""`flask jobs ...`: the worker, the scheduler, running periodic jobs by hand, failed jobs."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from rq.registry import FailedJobRegistry

from saas.jobs import DEFAULT_QUEUE, QUEUES, queue, redis_connection
from saas.jobs.heartbeats import ProcessKind
from saas.jobs.processes import Pulse, Scheduler, Worker, run_until_stopped
from saas.jobs.schedule import periodic_job, periodic_jobs

jobs_cli = AppGroup("jobs", help="Background jobs: worker, scheduler and maintenance.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option(
    "--queue",
    "queue_names",
    multiple=True,
    type=click.Choice(QUEUES),
    help=f"A queue to take jobs from, first ones first (repeatable; default: {', '.join(QUEUES)}).",
)
def worker(burst: bool, queue_names: tuple[str, ...]) -> None:
    """Run jobs inside this app until stopped; a Redis outage is waited out, never fatal.

    SimpleWorker: no fork, so pooled DB connections stay valid.
    """
    pulse = Pulse(ProcessKind.WORKER)

    def start() -> bool:
        worker = Worker(
            [queue(name) for name in queue_names or QUEUES], connection=redis_connection(), pulse=pulse
        )
        worker.work(burst=burst, with_scheduler=True)
        return burst or worker.stop_requested

    if burst:
        start()
    else:
        run_until_stopped(start, pulse)


@jobs_cli.command("scheduler")
def scheduler() -> None:
    """Enqueue the periodic jobs until stopped; a Redis outage is waited out, never fatal.

    Run one; dedupe keys make an accidental second one harmless.
    """
    pulse = Pulse(ProcessKind.SCHEDULER)
    cron = Scheduler(connection=redis_connection(), name="saas-scheduler", pulse=pulse)
    for periodic in (p for p in periodic_jobs() if p.cron):
        cron.register(periodic.func, queue_name=DEFAULT_QUEUE, cron=periodic.cron, name=periodic.name)

    def start() -> bool:
        cron.start()  # returns on a stop signal; raises on a Redis error
        return True

    run_until_stopped(start, pulse)


@jobs_cli.command("run")
@click.argument("name")
def run(name: str) -> None:
    """Run one periodic job now, in this process (`flask jobs run --help` lists them)."""
    periodic = periodic_job(name)
    if periodic is None:
        names = ", ".join(p.name for p in periodic_jobs())
        raise click.BadParameter(f"{name!r} is not a periodic job; choose one of: {names}", param_hint="NAME")
    click.echo(f"{name}: {periodic.func()}")


@jobs_cli.command("failed")
def failed() -> None:
    """List failed jobs with their last error line."""
    registry = FailedJobRegistry(queue=queue())
    for job in registry.get_jobs():
        last_line = (
            (job.latest_result().exc_string or "").strip().splitlines()[-1:] if job.latest_result() else []
        )
        click.echo(f"{job.id}  {job.func_name}  {job.ended_at}  {' '.join(last_line)}")


@jobs_cli.command("requeue")
@click.argument("job_ids", nargs=-1)
@click.option("--all", "requeue_all", is_flag=True, help="Requeue every failed job.")
def requeue(job_ids: tuple[str, ...], requeue_all: bool) -> None:
    """Put failed jobs back on the queue."""
    registry = FailedJobRegistry(queue=queue())
    ids = registry.get_job_ids() if requeue_all else list(job_ids)
    for job_id in ids:
        registry.requeue(job_id)
    click.echo(f"requeued {len(ids)} job(s)")
