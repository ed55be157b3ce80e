"""The demo organisation of the quick start. Uses the wings' services like any other caller."""

from __future__ import annotations

from saas.accounts import services as accounts
from saas.extensions import db
from saas.tenants import services as tenants
from saas.tenants.models import Membership
from saas.tenants.permissions import Role

DEMO_PASSWORD = "demo-password-2026!"  # noqa: S105 (printed for the quick start)
DEMO_PEOPLE = [
    ("owner@demo.example", "Olivia Owner", Role.OWNER),
    ("pm@demo.example", "Paul Manager", Role.PROGRAM_MANAGER),
    ("staff@demo.example", "Sam Staff", Role.STAFF),
    ("viewer@demo.example", "Vera Viewer", Role.VIEWER),
    ("consultant@demo.example", "Chris Consultant", Role.CONSULTANT),
]


def seed_demo() -> list[str]:
    owner_email, owner_name, _ = DEMO_PEOPLE[0]
    owner = accounts.user_get_by_email(owner_email)
    if owner is None:
        owner = accounts.user_create(email=owner_email, name=owner_name, password=DEMO_PASSWORD)
        tenant = tenants.tenant_create(name="Acme Service Desk", owner=owner)
        for email, name, role in DEMO_PEOPLE[1:]:
            user = accounts.user_create(email=email, name=name, password=DEMO_PASSWORD)
            db.session.add(Membership(tenant=tenant, user=user, role=role))
        db.session.commit()
    lines = ["Demo logins (password for all: " + DEMO_PASSWORD + "):"]
    lines += [f"  {role.label:<16} {email}" for email, _, role in DEMO_PEOPLE]
    return lines
