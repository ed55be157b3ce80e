"""What the API's views share: the request's tenant and actor, lookups that 404, pages of results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import abort, g
from sqlalchemy import Select

from saas.accounts.models import User
from saas.extensions import db
from saas.roadmaps.planning.models import Roadmap
from saas.roadmaps.planning.services.roadmaps import roadmap_get
from saas.tenants.models import Membership, Tenant


def tenant() -> Tenant:
    """The tenant of the URL, entered by the blueprint's before-request hook."""
    return g.tenant


def membership() -> Membership:
    return g.membership


def actor() -> User:
    """The user of the request's token."""
    return g.api_user


def roadmap_or_404(roadmap_id: int) -> Roadmap:
    """The tenant's roadmap with this id; 404 for any other id, another tenant's included."""
    return roadmap_get(tenant=tenant(), roadmap_id=roadmap_id) or abort(404, description="No such roadmap.")


def found_or_404(row: Any, what: str) -> Any:
    if row is None:
        abort(404, description=f"No such {what}.")
    return row


def page_of_query(query: Select, *, page: int, per_page: int) -> dict[str, Any]:
    """One page of a query's rows in the list envelope (pages past the end are empty)."""
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    return _envelope(list(result.items), page=page, per_page=per_page, total=result.total or 0)


def page_of_rows(rows: Sequence[Any], *, page: int, per_page: int) -> dict[str, Any]:
    """One page of an already loaded list, in the same envelope."""
    start = (page - 1) * per_page
    return _envelope(list(rows[start : start + per_page]), page=page, per_page=per_page, total=len(rows))


def _envelope(items: list[Any], *, page: int, per_page: int, total: int) -> dict[str, Any]:
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": -(-total // per_page),
    }
