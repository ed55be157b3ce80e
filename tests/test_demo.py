"""The quick start's demo data: built through the services, once, and usable right away."""

from __future__ import annotations

from sqlalchemy import func, select

from saas.accounts.services import user_get_by_email
from saas.demo import seed_demo
from saas.extensions import db
from saas.roadmaps.items.models import ActionItem
from saas.roadmaps.planning.models import Roadmap
from saas.tenants.models import Membership, Tenant
from saas.tenants.scoping import scope_session


def test_demo_seed_is_idempotent_and_gives_the_consultant_two_clients(db_session):
    seed_demo()
    seed_demo()
    consultant = user_get_by_email("consultant@demo.example")
    clients = db_session.scalars(select(Membership).where(Membership.user_id == consultant.id)).all()
    assert len(clients) == 2
    assert db_session.scalar(select(func.count(Tenant.id))) == 2


def test_demo_roadmap_has_work_under_way_and_its_dashboard_renders(client, db_session):
    seed_demo()
    acme = db_session.scalar(select(Tenant).where(Tenant.name == "Acme Service Desk"))
    scope_session(db.session, [acme.id])
    roadmap = db_session.scalar(select(Roadmap))
    assert db_session.scalar(select(func.count(ActionItem.id))) == 6
    client.login(user_get_by_email("pm@demo.example"))
    page = client.get(f"/t/{acme.slug}/roadmaps/{roadmap.id}")
    assert page.status_code == 200
    assert "Managed service delivery (ML2)" in page.get_data(as_text=True)
