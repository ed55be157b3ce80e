"""/healthz turns red, with the reason, when the scheduler or the workers stop showing signs of life."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from saas.database import utcnow
from saas.extensions import db
from saas.jobs.heartbeats import ProcessKind, heartbeat_record


def beat(kind: ProcessKind, *, progress: bool = True, name: str = "") -> None:
    heartbeat_record(
        name=name or f"{kind}:host:1", kind=kind, progress_at=utcnow() if progress else None, error=""
    )
    db.session.commit()


def test_health_is_ok_while_the_scheduler_ticks_and_a_worker_beats(client):
    beat(ProcessKind.SCHEDULER)
    beat(ProcessKind.WORKER)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["scheduler"] == "ok"
    assert response.json["workers"] == "ok"
    assert response.json["scheduler_last_tick"] is not None
    assert response.json["problems"] == []


def test_a_dead_scheduler_turns_health_red_with_the_reason(client):
    beat(ProcessKind.SCHEDULER)
    last_beat = utcnow()
    with time_machine.travel(last_beat + timedelta(minutes=6)):
        beat(ProcessKind.WORKER)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["scheduler"] == "down"
    assert response.json["workers"] == "ok"
    (problem,) = response.json["problems"]
    assert problem.startswith("scheduler: no heartbeat since ")


def test_a_scheduler_alive_but_unable_to_tick_turns_health_red(client):
    beat(ProcessKind.SCHEDULER)
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        heartbeat_record(
            name="scheduler:host:1",
            kind=ProcessKind.SCHEDULER,
            progress_at=utcnow() - timedelta(minutes=6),
            error="ConnectionError: Redis is down",
        )
        beat(ProcessKind.WORKER)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["problems"][0].startswith("scheduler: alive but no tick reached Redis since ")
    assert "ConnectionError" not in response.get_data(as_text=True)  # error texts stay in the logs


def test_one_live_worker_among_dead_ones_is_enough(client):
    beat(ProcessKind.SCHEDULER)
    beat(ProcessKind.WORKER, name="worker:old:1")
    with time_machine.travel(utcnow() + timedelta(minutes=10)):
        beat(ProcessKind.SCHEDULER)
        beat(ProcessKind.WORKER, name="worker:new:2", progress=False)
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["workers"] == "ok"
    assert response.json["worker_last_job"] is not None  # the old worker's last job


def test_no_worker_alive_turns_health_red(client):
    beat(ProcessKind.WORKER)
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        beat(ProcessKind.SCHEDULER)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["problems"][0].startswith("worker: no heartbeat since ")


def test_processes_never_seen_are_down_in_production_only(app, client, monkeypatch):
    assert client.get("/healthz").json["scheduler"] == "not running"
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    response = client.get("https://localhost/healthz")
    assert response.status_code == 503
    assert response.json["problems"] == [
        "scheduler: never seen (is it running?)",
        "worker: never seen (is it running?)",
    ]
