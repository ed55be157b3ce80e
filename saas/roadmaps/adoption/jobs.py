"""Adoption jobs: daily snapshots of every active roadmap's figures, for trends and the portfolio.

Jobs take ids, scope their session to the tenant they touch and are idempotent: a second run the
same day only rewrites that day's rows.
"""

from __future__ import annotations

from sqlalchemy import select

from saas.extensions import db
from saas.jobs import enqueue, job
from saas.roadmaps.adoption.services.ratings import snapshot_refresh
from saas.roadmaps.planning.models import Roadmap, RoadmapStatus
from saas.tenants.models import Tenant
from saas.tenants.scoping import scope_session


@job
def snapshot_sweep() -> int:
    """Enqueue one snapshot job per tenant; running it twice a day only rewrites the day's rows."""
    tenant_ids = list(db.session.scalars(select(Tenant.id).order_by(Tenant.id)))
    for tenant_id in tenant_ids:
        enqueue(snapshot_tenant, tenant_id)
    return len(tenant_ids)


@job
def snapshot_tenant(tenant_id: int) -> int:
    """Write today's snapshot of each of the tenant's active roadmaps; returns how many."""
    if db.session.get(Tenant, tenant_id) is None:
        return 0
    scope_session(db.session, [tenant_id])
    roadmaps = db.session.scalars(
        select(Roadmap).where(Roadmap.tenant_id == tenant_id, Roadmap.status == RoadmapStatus.ACTIVE)
    ).all()
    for roadmap in roadmaps:
        snapshot_refresh(roadmap=roadmap)
    return len(roadmaps)
