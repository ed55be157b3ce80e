"""`python -m bench`: seed a large tenant and a consultant's 50 clients into a database of its own,
then print page latencies (in process and under gunicorn), SQL statements per page, reminder
and digest throughput into an SMTP sink, and the server's ceiling on a plain "ok" endpoint.

    BENCH_DATABASE_URL  postgresql+psycopg://postgres@127.0.0.1/saas_bench (dropped and re-created)
    BENCH_REDIS_URL     redis://127.0.0.1:6379/13 (emptied)

Figures are printed, never asserted. About 2 minutes on 2 cores; --quick for a smoke run.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/saas_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--client-items", type=int, default=40)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page in process")
    parser.add_argument(
        "--load-requests", type=int, default=300, help="requests per page under gunicorn (at most)"
    )
    parser.add_argument(
        "--load-seconds", type=float, default=20.0, help="seconds per page under gunicorn (at most)"
    )
    parser.add_argument("--threads", type=int, default=2, help="concurrent clients per page (one per worker)")
    parser.add_argument(
        "--ceiling-threads", type=int, default=4, help="concurrent clients on the ceiling endpoint"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (the Procfile's default)")
    parser.add_argument("--quick", action="store_true", help="a smaller run to check the benchmark itself")
    args = parser.parse_args()
    if args.quick:
        args.users, args.items, args.clients, args.client_items = 40, 500, 5, 10
        args.requests, args.load_requests, args.load_seconds = 5, 40, 5.0
    run(args)


def run(args: argparse.Namespace) -> None:
    from bench import measure, seed
    from saas.database import url_as
    from saas.extensions import db

    began = time.perf_counter()
    sink = measure.SmtpSink()
    with sink.running() as mail_url:
        env = {
            "APP_ENV": "production",
            "SECRET_KEY": "bench-only-secret-key",
            "DATABASE_URL": url_as(args.database_url, seed.APP_LOGIN_ROLE),  # bound by RLS, as in production
            "MIGRATION_DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "MAIL_URL": mail_url,
            "BASE_URL": "https://bench.example",
            "INSTANCE_DIR": str(ROOT / "instance" / "bench"),
            "UPLOAD_DIR": str(ROOT / "instance" / "bench" / "uploads"),
        }
        os.environ.update(env)
        from saas import create_app

        say(f"database {args.database_url} (re-created), Redis {args.redis_url} (emptied)")
        seed.recreate_database(args.database_url)
        app = create_app()
        app.extensions["redis"].flushdb()
        started = time.perf_counter()
        seed.migrate(app, str(ROOT / "migrations"))
        migrated = time.perf_counter() - started
        started = time.perf_counter()
        data = seed.seed(
            app,
            users=args.users,
            items=args.items,
            clients=args.clients,
            client_items=args.client_items,
            rng=random.Random(2026),
        )
        seeded = time.perf_counter() - started
        say(f"migrated in {migrated:.1f} s; seeded in {seeded:.1f} s: {data.counts}")

        pages = [
            measure.Page(
                "roadmap dashboard", f"/t/{data.big_slug}/roadmaps/{data.big_roadmap_id}", data.owner_id
            ),
            measure.Page("action item list", f"/t/{data.big_slug}/items", data.owner_id),
            measure.Page(
                f"my items ({data.busiest_staff_items} assigned)", "/my/items", data.busiest_staff_id
            ),
        ]
        if "/portfolio" in {rule.rule for rule in app.url_map.iter_rules()}:
            pages.append(
                measure.Page(f"portfolio ({data.client_count} clients)", "/portfolio", data.consultant_id)
            )
        else:
            say("portfolio: not available (no /portfolio endpoint yet)")
        cookies = {page.user_id: measure.session_cookie(app, page.user_id) for page in pages}

        rows = []
        for page in pages:
            timing, statements, size = measure.in_process(
                app, page, cookies[page.user_id], count=args.requests
            )
            rows.append((page, timing, statements, size))
        table(
            f"In process (Flask test client, {args.requests} requests each after 2 warm-ups)",
            ["page", "median ms", "p95 ms", "SQL statements", "KiB", "statuses"],
            [
                [p.name, f"{t.median:.0f}", f"{t.p95:.0f}", str(s), f"{size / 1024:.0f}", statuses(t)]
                for p, t, s, size in rows
            ],
        )

        load_rows = []
        with measure.gunicorn(measure.environment(**env), workers=args.workers, root=ROOT) as port:
            ceiling_path = (
                "/healthz/ping"
                if "/healthz/ping" in {r.rule for r in app.url_map.iter_rules()}
                else "/healthz"
            )
            measure.load(port, ceiling_path, cookie=None, threads=args.ceiling_threads, count=50, seconds=5)
            ceiling = measure.load(
                port,
                ceiling_path,
                cookie=None,
                threads=args.ceiling_threads,
                count=args.load_requests * 10,
                seconds=args.load_seconds / 2,
            )
            for page in pages:
                measure.load(
                    port, page.path, cookie=cookies[page.user_id], threads=args.threads, count=8, seconds=10
                )
                timing = measure.load(
                    port,
                    page.path,
                    cookie=cookies[page.user_id],
                    threads=args.threads,
                    count=args.load_requests,
                    seconds=args.load_seconds,
                )
                load_rows.append((page.name, timing))
        table(
            f"Under gunicorn ({args.workers} sync workers) on loopback: {args.threads} concurrent clients per page "
            f"(http.client; at most {args.load_requests} requests or {args.load_seconds:.0f} s), "
            f"{args.ceiling_threads} on the ceiling",
            ["page", "median ms", "p95 ms", "req/s", "requests", "statuses", "errors"],
            [
                [
                    name,
                    f"{t.median:.0f}",
                    f"{t.p95:.0f}",
                    f"{t.rate:.1f}",
                    str(len(t.samples)),
                    statuses(t),
                    str(t.errors),
                ]
                for name, t in load_rows
            ]
            + [
                [
                    f"ceiling: GET {ceiling_path}",
                    f"{ceiling.median:.1f}",
                    f"{ceiling.p95:.1f}",
                    f"{ceiling.rate:.0f}",
                    str(len(ceiling.samples)),
                    statuses(ceiling),
                    str(ceiling.errors),
                ]
            ],
        )

        with app.app_context():
            db.session.commit()
        runs = measure.reminder_and_digest_jobs(
            app, sink, tenant_ids=_tenant_ids(app), consultant_id=data.consultant_id
        )
        table(
            "Jobs into a local SMTP sink (aiosmtpd on loopback): record into the outbox, then one RQ worker "
            "(in process) delivers each message over SMTP",
            ["job", "messages recorded", "record s", "delivered", "deliver s", "messages/s", "note"],
            [
                [
                    r.name,
                    str(r.recorded),
                    f"{r.record_seconds:.2f}",
                    str(r.delivered),
                    f"{r.deliver_seconds:.2f}",
                    f"{r.per_second:.1f}",
                    r.note,
                ]
                for r in runs
            ],
        )
    say(f"done in {time.perf_counter() - began:.0f} s")


def _tenant_ids(app) -> list[int]:
    from sqlalchemy import select

    from saas.extensions import db
    from saas.tenants.models import Tenant

    with app.app_context():
        return list(db.session.scalars(select(Tenant.id).order_by(Tenant.id)))


def statuses(timing) -> str:
    return " ".join(f"{status}x{count}" for status, count in sorted(timing.statuses.items()))


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    print(f"\n{title}", flush=True)
    print("  " + "  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=False)))
    print("  " + "  ".join("-" * width for width in widths))
    for row in rows:
        print(
            "  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)),
            flush=True,
        )


if __name__ == "__main__":
    main()
