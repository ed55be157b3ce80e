"""The tenant's members and their roles (read-only: people are invited and managed on the pages)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from saas.api.auth import api_blueprint
from saas.api.common import page_of_rows, tenant
from saas.api.schemas import MemberOut, PageQuery, page_of
from saas.tenants.context import permission_required
from saas.tenants.permissions import Permission
from saas.tenants.services import membership_list

bp = api_blueprint(
    "api_members",
    __name__,
    tag="Members",
    description="Who belongs to the organisation, with their roles (user ids are what assignee_id takes).",
    tenant=True,
)


@bp.route("/members")
class Members(MethodView):
    @permission_required(Permission.VIEW)
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, page_of(MemberOut, "MemberPage"))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The members by name, with their roles"""
        return page_of_rows(membership_list(tenant=tenant()), **query)
