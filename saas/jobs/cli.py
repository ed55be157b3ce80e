"""`flask jobs ...`: the worker, the scheduler, running periodic jobs by hand, failed jobs."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
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
    """List the failed jobs of every queue with their last error line."""
    listed = 0
    for registry in _failed_registries():
        for job in Job.fetch_many(registry.get_job_ids(), connection=redis_connection()):
            if job is None:  # expired since the registry was read
                continue
            result = job.latest_result()
            last_line = (result.exc_string or "").strip().splitlines()[-1:] if result else []
            click.echo(f"{job.id}  {registry.name}  {job.func_name}  {job.ended_at}  {' '.join(last_line)}")
            listed += 1
    if not listed:
        click.echo("no failed jobs")


@jobs_cli.command("requeue")
@click.argument("job_ids", nargs=-1)
@click.option("--all", "requeue_all", is_flag=True, help="Requeue every failed job.")
def requeue(job_ids: tuple[str, ...], requeue_all: bool) -> None:
    """Put failed jobs back on the queue they came from."""
    if not job_ids and not requeue_all:
        raise click.UsageError(
            "name the failed jobs to requeue (`flask jobs failed` lists them), or give --all"
        )
    if requeue_all:
        chosen = [
            (registry, job_id) for registry in _failed_registries() for job_id in registry.get_job_ids()
        ]
    else:
        chosen = [(_failed_registry_of(job_id), job_id) for job_id in job_ids]
    for registry, job_id in chosen:
        try:
            registry.requeue(job_id)
        except InvalidJobOperation:
            raise click.BadParameter(f"job {job_id} has not failed", param_hint="JOB_IDS") from None
    click.echo(f"requeued {len(chosen)} job(s)")


def _failed_registries() -> list[FailedJobRegistry]:
    return [FailedJobRegistry(queue=queue(name)) for name in QUEUES]


def _failed_registry_of(job_id: str) -> FailedJobRegistry:
    try:
        job = Job.fetch(job_id, connection=redis_connection())
    except NoSuchJobError:
        raise click.BadParameter(f"no job {job_id}", param_hint="JOB_IDS") from None
    return FailedJobRegistry(queue=queue(job.origin))
