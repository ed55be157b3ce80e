"""The weekly portfolio digest: one email per consultant covering every client, side by side.

Clients are those of the portfolio page (`client_memberships`), with the page's figures
(`portfolio_build`: each active roadmap's level against its target, overdue items) and the
items each client completed in the ISO week before the one the digest is sent in (UTC). One
digest per (user, week): the outbox key is portfolio:<user>:<week>. The caller scopes the
session to the user's clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from saas.accounts.models import User
from saas.accounts.services import is_opted_out, unsubscribe_token
from saas.extensions import db
from saas.mail.services import mail_queue
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.portfolio.services.portfolio import ClientRow, portfolio_build
from saas.tenants.models import Membership
from saas.tenants.permissions import CONSULTANT_ROLES

OPT_OUT_KIND = "portfolio_digest"


@dataclass(frozen=True)
class ClientWeek:
    row: ClientRow
    completed: int  # items completed in the week


@dataclass(frozen=True)
class PortfolioDigest:
    week: str  # the ISO week it is sent in, "2026-W47"
    start: date  # Monday of the week covered
    clients: list[ClientWeek]

    @property
    def last_day(self) -> date:
        return self.start + timedelta(days=6)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def consultant_ids() -> list[int]:
    """Users who are a consultant of at least one client."""
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .where(Membership.role.in_(sorted(CONSULTANT_ROLES)))
            .distinct()
            .order_by(Membership.user_id)
        )
    )


def portfolio_digest_build(*, memberships: list[Membership], week: str) -> PortfolioDigest:
    """The digest of these client memberships for the week before `week`."""
    monday = date.fromisoformat(f"{week}-1")
    start = monday - timedelta(days=7)
    board = portfolio_build(memberships=memberships, today=monday)
    completed = _completed_counts(
        [membership.tenant_id for membership in memberships],
        since=datetime.combine(start, time(), UTC),
        until=datetime.combine(monday, time(), UTC),
    )
    clients = [ClientWeek(row, completed.get(row.tenant.id, 0)) for row in board.rows]
    return PortfolioDigest(week=week, start=start, clients=clients)


def portfolio_digest_send(*, user: User, memberships: list[Membership], week: str) -> bool:
    """Record the user's digest for `week` once; False when opted out, without clients or already sent."""
    if not memberships or is_opted_out(user, OPT_OUT_KIND):
        return False
    digest = portfolio_digest_build(memberships=memberships, week=week)
    message = mail_queue(
        to=user.email,
        template="roadmaps/email/portfolio_digest",
        dedupe_key=f"portfolio:{user.id}:{week}",
        digest=digest,
        user=user,
        unsubscribe_token=unsubscribe_token(user, OPT_OUT_KIND),
    )
    return message is not None


def _completed_counts(tenant_ids: list[int], *, since: datetime, until: datetime) -> dict[int, int]:
    rows = db.session.execute(
        select(ActionItem.tenant_id, func.count())
        .where(
            ActionItem.tenant_id.in_(tenant_ids),
            ActionItem.status == ItemStatus.DONE,
            ActionItem.completed_at >= since,
            ActionItem.completed_at < until,
        )
        .group_by(ActionItem.tenant_id)
    )
    return dict(rows.all())
