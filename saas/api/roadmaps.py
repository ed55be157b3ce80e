"""Roadmaps of a tenant: list, create, read, update, archive and restore.

Reading is open to every member; changes need EDIT_ROADMAPS, as on the pages.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from saas.api.auth import api_blueprint
from saas.api.common import actor, roadmap_or_404, tenant
from saas.api.schemas import (
    Annotated,
    RoadmapCreateIn,
    RoadmapDetailOut,
    RoadmapListQuery,
    RoadmapOut,
    RoadmapUpdateIn,
    page_of,
)
from saas.extensions import db
from saas.roadmaps.planning.models import Roadmap, RoadmapStatus
from saas.roadmaps.planning.services import roadmaps as services
from saas.tenants.context import permission_required
from saas.tenants.permissions import Permission

bp = api_blueprint(
    "api_roadmaps",
    __name__,
    tag="Roadmaps",
    description="Improvement roadmaps: a target (maturity level, capability profile or free choice) and dates.",
    tenant=True,
)

EDIT = Permission.EDIT_ROADMAPS
ROADMAP = "/roadmaps/<int:roadmap_id>"


def detail(roadmap: Roadmap) -> Annotated:
    return Annotated(roadmap, area_count=len(roadmap.areas))


@bp.route("/roadmaps")
class Roadmaps(MethodView):
    @bp.arguments(RoadmapListQuery, location="query")
    @bp.response(200, page_of(RoadmapOut, "RoadmapPage"))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The tenant's roadmaps of one status, newest first"""
        listing = services.roadmap_list(
            tenant=tenant(),
            status=RoadmapStatus(query["status"]),
            page=query["page"],
            per_page=query["per_page"],
        )
        items = [Annotated(r, area_count=listing.area_counts.get(r.id, 0)) for r in listing.roadmaps]
        if query["page"] > listing.pages:  # the service shows the last page; the API an empty one
            items = []
        return {
            "items": items,
            "page": query["page"],
            "per_page": query["per_page"],
            "total": listing.total,
            "pages": -(-listing.total // query["per_page"]),
        }

    @permission_required(EDIT)
    @bp.arguments(
        RoadmapCreateIn,
        example={"name": "Reach ML2", "target_kind": "maturity_level", "target_maturity_level": 2},
    )
    @bp.response(201, RoadmapDetailOut)
    def post(self, data: dict[str, Any]) -> Annotated:
        """Create a roadmap

        `target_kind` maturity_level needs `target_maturity_level` (2-5); capability_profile needs
        `profile` ({"WP": 2, ...}); free needs `area_codes`. The plan caps active roadmaps (403).
        """
        roadmap = services.roadmap_create(
            tenant=tenant(),
            actor=actor(),
            name=data["name"],
            description=data["description"],
            target_kind=data["target_kind"],
            target_maturity_level=data["target_maturity_level"],
            profile=data["profile"],
            area_codes=data["area_codes"],
            include_ssd=data["include_ssd"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            service_line_ids=data["service_line_ids"],
        )
        db.session.commit()
        return detail(roadmap)


@bp.route(ROADMAP)
class RoadmapResource(MethodView):
    @bp.response(200, RoadmapDetailOut)
    def get(self, roadmap_id: int) -> Annotated:
        """One roadmap"""
        return detail(roadmap_or_404(roadmap_id))

    @permission_required(EDIT)
    @bp.arguments(RoadmapUpdateIn)
    @bp.response(200, RoadmapDetailOut)
    def patch(self, data: dict[str, Any], roadmap_id: int) -> Annotated:
        """Change a roadmap's name, description, dates or service lines (only the fields sent)"""
        roadmap = roadmap_or_404(roadmap_id)
        services.roadmap_update(
            tenant=tenant(),
            actor=actor(),
            roadmap=roadmap,
            name=data.get("name", roadmap.name),
            description=data.get("description", roadmap.description),
            starts_on=data.get("starts_on", roadmap.starts_on),
            ends_on=data.get("ends_on", roadmap.ends_on),
            service_line_ids=data.get("service_line_ids"),
        )
        db.session.commit()
        return detail(roadmap)


@bp.route(ROADMAP + "/archive")
class Archive(MethodView):
    @permission_required(EDIT)
    @bp.response(200, RoadmapDetailOut)
    def post(self, roadmap_id: int) -> Annotated:
        """Archive a roadmap (nothing is lost; restore brings it back)"""
        roadmap = services.roadmap_archive(tenant=tenant(), actor=actor(), roadmap=roadmap_or_404(roadmap_id))
        db.session.commit()
        return detail(roadmap)


@bp.route(ROADMAP + "/restore")
class Restore(MethodView):
    @permission_required(EDIT)
    @bp.response(200, RoadmapDetailOut)
    def post(self, roadmap_id: int) -> Annotated:
        """Bring an archived roadmap back to the active list, within the plan's limit"""
        roadmap = services.roadmap_restore(tenant=tenant(), actor=actor(), roadmap=roadmap_or_404(roadmap_id))
        db.session.commit()
        return detail(roadmap)
