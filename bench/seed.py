"""The benchmark's data: a database made from nothing, one large tenant and a consultant's 50 clients.

Structure (tenants, roadmaps, areas, service lines) goes through the services, as the product
makes it; volume (users, memberships, action items, comments, assessments) goes in as bulk
INSERTs through the same tenant-scoped session, so row-level security still applies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, insert, pool, select, table, text, update
from sqlalchemy.engine import make_url

from saas.accounts.models import User
from saas.accounts.passwords import hash_password
from saas.catalog.models import Practice, PracticeKind
from saas.database import ensure_login_role, utcnow
from saas.extensions import db
from saas.roadmaps.adoption.models import PracticeAssessment
from saas.roadmaps.items.models import ActionItem, ItemComment, TenantCounter
from saas.roadmaps.items.services.items import ITEM_COUNTER
from saas.roadmaps.planning.models import Roadmap, RoadmapArea, ServiceLine
from saas.roadmaps.planning.services import roadmaps as roadmap_services
from saas.tenants import services as tenants
from saas.tenants.models import Membership, Tenant
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session

PASSWORD = "bench-password-2026!"  # noqa: S105 (a throwaway database)
VALUES = [
    "FI",
    "LI",
    "LI",
    "PI",
    "PI",
    "NI",
    "NY",
    None,
]  # characterisations, roughly as a programme's middle
STATUSES = ["todo"] * 8 + ["in_progress"] * 5 + ["blocked"] + ["done"] * 6


@dataclass
class Seeded:
    """What the measurements need to find again."""

    big_slug: str = ""
    big_roadmap_id: int = 0
    owner_id: int = 0
    busiest_staff_id: int = 0
    busiest_staff_items: int = 0
    consultant_id: int = 0
    client_count: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database (PostgreSQL), so migrations start from nothing."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql"):
        raise SystemExit("the benchmark needs PostgreSQL (row-level security and realistic plans)")
    admin = create_engine(
        target.set(database="postgres"), poolclass=pool.NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


APP_LOGIN_ROLE = "saas_app_login"


def migrate(app: Flask, migrations: str) -> None:
    """Migrate as the owner, then make the app's login role and load the catalog through it."""
    with app.app_context():
        upgrade(directory=migrations, revision="head")
        ensure_login_role(
            app.config["MIGRATION_DATABASE_URI"],
            login_role=APP_LOGIN_ROLE,
            group_role=app.config["DATABASE_APP_ROLE"],
        )
        app.extensions["catalog_loader"]()
        db.session.commit()


def seed(
    app: Flask, *, users: int, items: int, clients: int, client_items: int, rng: random.Random
) -> Seeded:
    with app.app_context():
        seeded = Seeded()
        password_hash = hash_password(PASSWORD)
        _big_tenant(seeded, users=users, items=items, password_hash=password_hash, rng=rng)
        _consultant(seeded, clients=clients, client_items=client_items, password_hash=password_hash, rng=rng)
        db.session.commit()
        seeded.counts = _counts()
        return seeded


def _big_tenant(seeded: Seeded, *, users: int, items: int, password_hash: str, rng: random.Random) -> None:
    owner = User(
        email="owner@big.bench", name="Big Owner", password_hash=password_hash, email_verified_at=utcnow()
    )
    db.session.add(owner)
    db.session.flush()
    tenant = tenants.tenant_create(name="Big Services", owner=owner)
    scope_session(db.session, [tenant.id])
    roles = [Role.PROGRAM_MANAGER] * 5 + [Role.VIEWER] * 14
    people = _bulk_users("big", users - 1, password_hash)
    db.session.execute(
        insert(Membership),
        [
            {"tenant_id": tenant.id, "user_id": user_id, "role": roles[n] if n < len(roles) else Role.STAFF}
            for n, user_id in enumerate(people)
        ],
    )
    lines = [ServiceLine(tenant=tenant, name=name) for name in ("Service desk", "Field services", "Hosting")]
    db.session.add_all(lines)
    db.session.flush()
    roadmap = roadmap_services.roadmap_create(
        tenant=tenant,
        actor=owner,
        name="Every process area",
        target_kind="maturity_level",
        target_maturity_level=5,
        include_ssd=True,
        starts_on=date.today() - timedelta(days=90),
        ends_on=date.today() + timedelta(days=365),
        service_line_ids=[line.id for line in lines],
    )
    workers = people[:5] + people[len(roles) :]  # program managers and staff get items; viewers none
    assignees = [rng.choice(workers) for _ in range(items)]
    busiest = max(set(assignees), key=assignees.count)
    _bulk_items(tenant, roadmap, owner.id, assignees, rng)
    _bulk_assessments(tenant, roadmap, rng)
    seeded.big_slug, seeded.big_roadmap_id, seeded.owner_id = tenant.slug, roadmap.id, owner.id
    seeded.busiest_staff_id, seeded.busiest_staff_items = busiest, assignees.count(busiest)


def _consultant(
    seeded: Seeded, *, clients: int, client_items: int, password_hash: str, rng: random.Random
) -> None:
    consultant = User(
        email="consultant@bench.example",
        name="Casey Consultant",
        password_hash=password_hash,
        email_verified_at=utcnow(),
    )
    db.session.add(consultant)
    db.session.flush()
    for number in range(clients):
        owner = User(
            email=f"owner@client{number}.bench", name=f"Client {number} Owner", password_hash=password_hash
        )
        db.session.add(owner)
        db.session.flush()
        tenant = tenants.tenant_create(name=f"Client {number:02d}", owner=owner)
        scope_session(db.session, [tenant.id])
        db.session.add(Membership(tenant=tenant, user=consultant, role=Role.CONSULTANT))
        staff = _bulk_users(f"client{number}", 5, password_hash)
        db.session.execute(
            insert(Membership),
            [{"tenant_id": tenant.id, "user_id": user_id, "role": Role.STAFF} for user_id in staff],
        )
        roadmap = roadmap_services.roadmap_create(
            tenant=tenant,
            actor=owner,
            name="ML2",
            target_kind="maturity_level",
            target_maturity_level=2,
            starts_on=None,
            ends_on=None,
        )
        _bulk_items(tenant, roadmap, owner.id, [rng.choice(staff) for _ in range(client_items)], rng)
        _bulk_assessments(tenant, roadmap, rng)
    seeded.consultant_id, seeded.client_count = consultant.id, clients


def _bulk_users(prefix: str, count: int, password_hash: str) -> list[int]:
    rows = [
        {
            "email": f"person{n}@{prefix}.bench",
            "name": f"Person {n} of {prefix}",
            "password_hash": password_hash,
        }
        for n in range(count)
    ]
    return list(db.session.scalars(insert(User).returning(User.id), rows))


def _bulk_items(
    tenant: Tenant, roadmap: Roadmap, creator_id: int, assignees: list[int], rng: random.Random
) -> None:
    areas = list(db.session.scalars(select(RoadmapArea).where(RoadmapArea.roadmap_id == roadmap.id)))
    practices = {
        area.id: list(db.session.scalars(select(Practice.id).where(Practice.area_id == area.area_id)))
        for area in areas
    }
    today, now = date.today(), utcnow()
    rows = []
    for number, assignee in enumerate(assignees, start=1):
        area = rng.choice(areas)
        status = rng.choice(STATUSES)
        rows.append(
            {
                "tenant_id": tenant.id,
                "number": number,
                "roadmap_id": roadmap.id,
                "roadmap_area_id": area.id,
                "practice_id": rng.choice(practices[area.id]) if practices[area.id] else None,
                "title": f"Put {area.id}-{number} into practice",
                "description": "Agree the procedure, train the team, keep the records.",
                "assignee_id": assignee,
                "due_on": today + timedelta(days=rng.randint(-60, 120)),
                "status": status,
                "priority": rng.choice(["low", "medium", "medium", "high"]),
                "created_by_id": creator_id,
                "completed_at": now if status == "done" else None,
            }
        )
    item_ids = list(db.session.scalars(insert(ActionItem).returning(ActionItem.id), rows))
    db.session.execute(
        insert(ItemComment),
        [
            {
                "tenant_id": tenant.id,
                "item_id": item_id,
                "author_id": creator_id,
                "body": "Draft shared for review.",
            }
            for item_id in item_ids[::4]
        ],
    )
    counter = db.session.scalar(
        select(TenantCounter).where(TenantCounter.tenant_id == tenant.id, TenantCounter.name == ITEM_COUNTER)
    )
    if counter is None:
        db.session.add(TenantCounter(tenant=tenant, name=ITEM_COUNTER, value=len(rows)))
    else:
        db.session.execute(
            update(TenantCounter).where(TenantCounter.id == counter.id).values(value=len(rows))
        )


def _bulk_assessments(tenant: Tenant, roadmap: Roadmap, rng: random.Random) -> None:
    """Each area's specific practices and the generic practices its target level needs, in every line."""
    areas = list(db.session.scalars(select(RoadmapArea).where(RoadmapArea.roadmap_id == roadmap.id)))
    lines = roadmap_services.roadmap_service_lines(roadmap=roadmap)
    generic = {
        level: list(
            db.session.scalars(
                select(Practice.id).where(
                    Practice.model_id == roadmap.model_id,
                    Practice.kind == PracticeKind.GENERIC,
                    Practice.code.like(f"GP {level}.%") if level == 3 else Practice.code.like("GP 2.%"),
                )
            )
        )
        for level in (2, 3)
    }
    rows = []
    for area in areas:
        specific = list(db.session.scalars(select(Practice.id).where(Practice.area_id == area.area_id)))
        wanted = specific + generic[2] + (generic[3] if area.target_capability_level >= 3 else [])
        for line in lines:
            for practice_id in wanted:
                rows.append(
                    {
                        "tenant_id": tenant.id,
                        "roadmap_id": roadmap.id,
                        "service_line_id": line.id,
                        "area_id": area.area_id,
                        "practice_id": practice_id,
                        "characterisation": rng.choice(VALUES),
                        "notes": "",
                    }
                )
    if rows:
        db.session.execute(insert(PracticeAssessment), rows)


def _counts() -> dict[str, int]:
    """Rows per table, as the database owner sees them (row-level security would hide most)."""
    engine = create_engine(current_app.config["MIGRATION_DATABASE_URI"], poolclass=pool.NullPool)
    names = [
        "users",
        "tenants",
        "memberships",
        "roadmap_areas",
        "action_items",
        "item_comments",
        "practice_assessments",
    ]
    with engine.connect() as connection:
        counts = {name: connection.scalar(select(func.count()).select_from(table(name))) for name in names}
    engine.dispose()
    return counts
