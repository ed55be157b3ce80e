"""The one tenant clock: every date a tenant sees (today, due dates, send hours) is on its time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from saas.tenants.models import Tenant


def tenant_zone(tenant: Tenant | None) -> ZoneInfo:
    """The tenant's zone; UTC without a tenant (pages across tenants) or for a zone this host lacks."""
    try:
        return ZoneInfo(tenant.timezone) if tenant is not None else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def tenant_now(tenant: Tenant | None) -> datetime:
    return datetime.now(UTC).astimezone(tenant_zone(tenant))


def tenant_today(tenant: Tenant | None) -> date:
    """Today on the tenant's clock: the day of a snapshot, of "due today", of "overdue"."""
    return tenant_now(tenant).date()
