"""Action items: list with filters, create, read, update, delete, move through statuses, assign.

The same rules as the pages: every member reads; managers (MANAGE_ITEMS) create, edit, assign
and delete; staff (WORK_ON_OWN_ITEMS) move only the items assigned to them (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort
from flask.views import MethodView

from saas.api.auth import api_blueprint
from saas.api.common import actor, found_or_404, membership, page_of_query, tenant
from saas.api.schemas import (
    ItemAssigneeIn,
    ItemCreateIn,
    ItemListQuery,
    ItemOut,
    ItemStatusIn,
    ItemUpdateIn,
    page_of,
)
from saas.extensions import db
from saas.roadmaps.items.models import ActionItem
from saas.roadmaps.items.services import items, lists
from saas.roadmaps.items.services.items import ItemError
from saas.roadmaps.planning.services.roadmaps import roadmap_get
from saas.tenants.clock import tenant_today
from saas.tenants.context import permission_required
from saas.tenants.permissions import Permission

bp = api_blueprint(
    "api_items",
    __name__,
    tag="Action items",
    description="The work that turns practices into reality, with per-tenant keys (AI-42).",
    tenant=True,
)

ITEM = "/items/<int:item_id>"


def _item(item_id: int) -> ActionItem:
    return found_or_404(items.item_get(tenant=tenant(), item_id=item_id), "action item")


def _assignee(user_id: int | None):
    """The member with this id, or None; 422 on assignee_id for anyone else."""
    if user_id is None:
        return None
    return items.member_resolve(tenant=tenant(), user_id=user_id)


def _filters(query: dict[str, Any]) -> lists.ItemFilters:
    assignee = query.get("assignee", "")
    return lists.ItemFilters(
        roadmap_id=query.get("roadmap_id"),
        area_code=query.get("area", ""),
        practice_code=query.get("practice", ""),
        assignee=str(actor().id) if assignee == "me" else assignee,
        status=query.get("status", ""),
        due=query.get("due", ""),
        sort=query["sort"],
    )


@bp.route("/items")
class Items(MethodView):
    @permission_required(Permission.VIEW)
    @bp.arguments(ItemListQuery, location="query")
    @bp.response(200, page_of(ItemOut, "ItemPage"))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The tenant's action items, filtered and sorted

        `due=overdue` gives the items due before today (in the organisation's time zone) that are
        not done; `assignee=me` the token user's own.
        """
        statement = lists.items_query(
            tenant_ids=[tenant().id], filters=_filters(query), today=tenant_today(tenant())
        )
        return page_of_query(statement, page=query["page"], per_page=query["per_page"])

    @permission_required(Permission.MANAGE_ITEMS)
    @bp.arguments(ItemCreateIn)
    @bp.response(201, ItemOut)
    def post(self, data: dict[str, Any]) -> ActionItem:
        """Create an item in one of the tenant's roadmaps, optionally on one of its areas and a practice"""
        roadmap = roadmap_get(tenant=tenant(), roadmap_id=data.pop("roadmap_id"))
        if roadmap is None:
            raise ItemError("Choose one of this organisation's roadmaps.", field="roadmap_id")
        item = items.item_create(
            tenant=tenant(),
            actor=actor(),
            roadmap=roadmap,
            assignee=_assignee(data.pop("assignee_id")),
            **data,
        )
        db.session.commit()
        return item


@bp.route(ITEM)
class Item(MethodView):
    @permission_required(Permission.VIEW)
    @bp.response(200, ItemOut)
    def get(self, item_id: int) -> ActionItem:
        """One action item"""
        return _item(item_id)

    @permission_required(Permission.MANAGE_ITEMS)
    @bp.arguments(ItemUpdateIn)
    @bp.response(200, ItemOut)
    def patch(self, data: dict[str, Any], item_id: int) -> ActionItem:
        """Change an item's fields (only those sent); status and assignee have their own endpoints"""
        item = _item(item_id)
        items.item_update(tenant=tenant(), actor=actor(), item=item, **data)
        db.session.commit()
        return item

    @permission_required(Permission.MANAGE_ITEMS)
    @bp.response(204)
    def delete(self, item_id: int) -> Response:
        """Delete an item with its comments and evidence (the audit trail keeps that it existed)"""
        items.item_delete(tenant=tenant(), actor=actor(), item=_item(item_id))
        db.session.commit()
        return Response(status=204)


@bp.route(ITEM + "/status")
class Status(MethodView):
    @permission_required(Permission.WORK_ON_OWN_ITEMS)
    @bp.arguments(ItemStatusIn, example={"status": "in_progress"})
    @bp.response(200, ItemOut)
    def put(self, data: dict[str, Any], item_id: int) -> ActionItem:
        """Move an item to another status (done completes it)

        Managers move any item; staff only the items assigned to them.
        """
        item = _item(item_id)
        if not items.may_work_on(role=membership().role, actor=actor(), item=item):
            abort(403, description="You can only work on items assigned to you.")
        items.item_set_status(tenant=tenant(), actor=actor(), item=item, status=data["status"])
        db.session.commit()
        return item


@bp.route(ITEM + "/assignee")
class Assignee(MethodView):
    @permission_required(Permission.MANAGE_ITEMS)
    @bp.arguments(ItemAssigneeIn)
    @bp.response(200, ItemOut)
    def put(self, data: dict[str, Any], item_id: int) -> ActionItem:
        """Give the item to a member, or to nobody (null); the new assignee is emailed"""
        item = _item(item_id)
        items.item_assign(tenant=tenant(), actor=actor(), item=item, assignee=_assignee(data["assignee_id"]))
        db.session.commit()
        return item
