"""The demo organisations of the quick start, built with the wings' services like any other caller."""

from __future__ import annotations

from datetime import date, timedelta

from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.extensions import db
from saas.roadmaps.adoption.services import assessments
from saas.roadmaps.items.services import items
from saas.roadmaps.planning.models import Roadmap, TargetKind
from saas.roadmaps.planning.services import phases, service_lines
from saas.roadmaps.planning.services import roadmaps as roadmap_services
from saas.tenants import services as tenants
from saas.tenants.models import Membership, Tenant
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session

DEMO_PASSWORD = "demo-password-2026!"  # noqa: S105 (printed for the quick start)
DEMO_PEOPLE = [
    ("owner@demo.example", "Olivia Owner", Role.OWNER),
    ("pm@demo.example", "Paul Manager", Role.PROGRAM_MANAGER),
    ("staff@demo.example", "Sam Staff", Role.STAFF),
    ("viewer@demo.example", "Vera Viewer", Role.VIEWER),
    ("consultant@demo.example", "Chris Consultant", Role.CONSULTANT),
]
# (area, practice, characterisation) already reached in the demo's first service line.
DEMO_ASSESSMENTS = [
    *(("WP", f"SP {n}", "FI") for n in ("1.1", "1.2", "1.3", "1.4", "1.5")),
    *(("WP", f"SP 2.{n}", "LI") for n in range(1, 8)),
    ("WP", "SP 3.1", "PI"),
    *(("SD", f"SP {n}", "LI") for n in ("1.1", "1.2", "2.1", "2.2", "2.3")),
    ("SD", "SP 3.1", "PI"),
]
DEMO_ITEMS = [
    ("Agree the service strategy with the leadership team", "WP", "SP 1.1", -10, "done"),
    ("Write the work plan template", "WP", "SP 2.7", -3, "in_progress"),
    ("Review plans that affect the service desk", "WP", "SP 3.1", 4, "todo"),
    ("Document the request management system", "SD", "SP 2.3", 7, "todo"),
    ("Run the first progress review", "WMC", "SP 1.6", 12, "todo"),
    ("Choose the first measures for incident handling", "MA", "SP 1.2", -1, "blocked"),
]


def seed_demo() -> list[str]:
    """Create the demo data once (idempotent) and return the lines to print."""
    if accounts.user_get_by_email(DEMO_PEOPLE[0][0]) is None:
        people = {role: _person(email, name) for email, name, role in DEMO_PEOPLE}
        acme = _organisation("Acme Service Desk", people)
        _programme(acme, people)
        _organisation(
            "Northwind Field Services",
            {Role.OWNER: people[Role.PROGRAM_MANAGER]} | {Role.CONSULTANT: people[Role.CONSULTANT]},
        )
        db.session.commit()
    lines = ["Demo logins (password for all: " + DEMO_PASSWORD + "):"]
    lines += [f"  {role.label:<16} {email}" for email, _, role in DEMO_PEOPLE]
    return lines


def _person(email: str, name: str) -> User:
    return accounts.user_create(email=email, name=name, password=DEMO_PASSWORD, email_verified=True)


def _organisation(name: str, people: dict[Role, User]) -> Tenant:
    tenant = tenants.tenant_create(name=name, owner=people[Role.OWNER])
    for role, user in people.items():
        if role is not Role.OWNER:
            db.session.add(Membership(tenant=tenant, user=user, role=role))
    db.session.flush()
    return tenant


def _programme(tenant: Tenant, people: dict[Role, User]) -> Roadmap:
    """An ML2 roadmap in two phases, with work under way and the first practices characterised."""
    scope_session(db.session, [tenant.id])
    manager, today = people[Role.PROGRAM_MANAGER], date.today()
    roadmap = roadmap_services.roadmap_create(
        tenant=tenant,
        actor=manager,
        name="Managed service delivery (ML2)",
        target_kind=TargetKind.MATURITY_LEVEL,
        target_maturity_level=2,
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=300),
        description="Reach maturity level 2 across the service desk within the year.",
    )
    by_code = {selected.area.code: selected.id for selected in roadmap.areas}
    phases.phase_create(
        tenant=tenant,
        actor=manager,
        roadmap=roadmap,
        name="Foundations",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=90),
        area_ids=[by_code[code] for code in ("WP", "WMC", "SD", "MA")],
    )
    phases.phase_create(
        tenant=tenant,
        actor=manager,
        roadmap=roadmap,
        name="Support processes",
        starts_on=today + timedelta(days=91),
        ends_on=today + timedelta(days=300),
        area_ids=[by_code[code] for code in ("CM", "PPQA", "REQM", "SAM")],
    )
    for title, area, practice, due_in, status in DEMO_ITEMS:
        item = items.item_create(
            tenant=tenant,
            actor=manager,
            roadmap=roadmap,
            title=title,
            area_code=area,
            practice_code=practice,
            assignee=people[Role.STAFF],
            due_on=today + timedelta(days=due_in),
        )
        items.item_set_status(tenant=tenant, actor=manager, item=item, status=status)
    line = service_lines.roadmap_service_lines(roadmap=roadmap)[0]
    for area, practice, value in DEMO_ASSESSMENTS:
        assessments.assessment_set(
            tenant=tenant,
            actor=manager,
            roadmap=roadmap,
            service_line=line,
            area_code=area,
            practice_code=practice,
            characterisation=value,
        )
    return roadmap
