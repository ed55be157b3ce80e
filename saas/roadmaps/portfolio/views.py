"""The roadmap dashboard (/t/<slug>/roadmaps/<id>) and the consultant portfolio (/portfolio): the
figures of one roadmap, and every client of the signed-in consultant side by side."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from saas.extensions import db
from saas.roadmaps.blueprint import bp
from saas.roadmaps.planning.views.roadmaps import roadmap_or_404
from saas.roadmaps.portfolio.services import figures, portfolio
from saas.tenants import services as tenants
from saas.tenants.scoping import scope_session

portfolio_bp = Blueprint("portfolio", __name__)


@bp.get("/roadmaps/<int:roadmap_id>")
def show(roadmap_id: int):
    """The roadmap's dashboard: levels, progress, what blocks the target, milestones, overdue items."""
    roadmap = roadmap_or_404(roadmap_id)
    return render_template(
        "roadmaps/show.html",
        roadmap=roadmap,
        figures=figures.roadmap_figures(roadmap=roadmap),
        count_labels=figures.practice_count_labels(roadmap),
    )


@portfolio_bp.get("/portfolio")
@login_required
def index():
    """Every client that made me a consultant, sortable by any column (?sort=, "-" for descending).

    The session sees exactly those clients; someone who consults for nobody gets the page with
    a note on how clients grant access.
    """
    memberships = tenants.client_memberships(user=current_user)
    scope_session(db.session, [membership.tenant_id for membership in memberships])
    board = portfolio.portfolio_build(memberships=memberships, sort=request.args.get("sort", ""))
    return render_template(
        "roadmaps/portfolio.html",
        board=board,
        args={"sort": board.sort},
        sort_labels=portfolio.SORT_LABELS,
    )
