"""Action item pages: the list, the board, an item with its comments and history, "my items".

Thin: parse a form, call a service, commit once, then redirect or render. Managers
(MANAGE_ITEMS) work on every item; staff only on items assigned to them (403 otherwise).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup

from saas.database import is_row_id
from saas.extensions import db
from saas.forms import form_status, show_error
from saas.roadmaps.blueprint import bp
from saas.roadmaps.items.forms import (
    AssignForm,
    BulkCreateForm,
    BulkEditForm,
    CommentForm,
    EvidenceLinkForm,
    FilterForm,
    ItemCreateForm,
    ItemFieldsForm,
    StatusForm,
    area_choices,
    people_choices,
    roadmap_choices,
)
from saas.roadmaps.items.markdown import render_markdown
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.items.services import bulk, items, lists
from saas.roadmaps.planning.services.members import member_list
from saas.roadmaps.planning.services.roadmaps import roadmap_get
from saas.tenants.clock import tenant_today
from saas.tenants.context import current_role, export_view, has_permission, permission_required
from saas.tenants.nav import NavItem, add_nav_item
from saas.tenants.permissions import Permission
from saas.tenants.scoping import scope_session

my_bp = Blueprint("my", __name__)  # the signed-in person's pages across their tenants (/my/...)

add_nav_item(NavItem("Action items", "roadmaps.items", order=20))

FILTER_KEYS = ("roadmap", "area", "practice", "assignee", "status", "due", "sort")
BOARD_LIMIT = 200  # cards per column; the list pages through the rest


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> Markup:
    return render_markdown(text)


# --- lists ----------------------------------------------------------------------------------


@bp.get("/items", endpoint="items")
@permission_required(Permission.VIEW)
def items_list():
    """The tenant's items, filtered, sorted and paginated, with bulk editing for managers."""
    return _render_list(BulkEditForm(formdata=None))


def _render_list(bulk_form: BulkEditForm, status: int = 200) -> tuple[str, int]:
    form = _filter_form()
    today = _today()
    query = lists.items_query(tenant_ids=[g.tenant.id], filters=form.filters(me=current_user), today=today)
    page = lists.items_page(query, request.args.get("page", 1, type=int))
    _people_choices(bulk_form.assignee, [("", "Keep"), ("none", "Nobody")])
    return render_template(
        "roadmaps/items/list.html",
        form=form,
        page=page,
        bulk_form=bulk_form,
        can_manage=has_permission(Permission.MANAGE_ITEMS),
        can_export=has_permission(Permission.EXPORT_DATA),
        args=_list_args(),
        today=today,
    ), status


@bp.get("/items/export.csv")
@export_view()
def items_export():
    """The filtered list (every page) as CSV."""
    filters = _filter_form().filters(me=current_user)
    query = lists.items_query(tenant_ids=[g.tenant.id], filters=filters, today=_today())
    body = lists.items_csv(db.session.scalars(query))
    filename = f"{g.tenant.slug}-action-items.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/items/board")
@permission_required(Permission.VIEW)
def items_board():
    """Columns by status; cards the member may move carry the URL the drop POSTs to."""
    form = _filter_form()
    filters = form.filters(me=current_user)
    columns = []
    for status in ItemStatus:
        wanted = replace(filters, status=status.value)
        query = lists.items_query(tenant_ids=[g.tenant.id], filters=wanted, today=_today())
        columns.append((status, list(db.session.scalars(query.limit(BOARD_LIMIT)))))
    return render_template(
        "roadmaps/items/board.html",
        form=form,
        columns=columns,
        can_drag=has_permission(Permission.WORK_ON_OWN_ITEMS),
        args=_list_args(),
    )


@bp.post("/items/bulk")
@permission_required(Permission.MANAGE_ITEMS)
def items_bulk_edit():
    """Set assignee, due date or status on the ticked items; ids of other tenants are counted and ignored."""
    form = BulkEditForm()
    if not form.validate_on_submit():
        return _render_list(form, 422)
    try:
        result = bulk.items_bulk_edit(
            tenant=g.tenant, actor=current_user, item_ids=form.item_ids.data, **_bulk_changes(form)
        )
    except items.ItemError as error:
        db.session.rollback()
        show_error(form, error)
        return _render_list(form, 422)
    db.session.commit()
    message = f"Updated {result.updated} item(s)."
    if result.ignored:
        message += f" Ignored {result.ignored} that are not items of this organisation."
    flash(message, "success" if not result.ignored else "warning")
    return redirect(url_for("roadmaps.items", **_list_args()))


def _bulk_changes(form: BulkEditForm) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if form.assignee.data == "none":
        changes["assignee"] = None
    elif form.assignee.data:
        changes["assignee"] = items.member_resolve(tenant=g.tenant, user_id=form.assignee.data)
    if form.clear_due.data:
        changes["due_on"] = None
    elif form.due_on.data:
        changes["due_on"] = form.due_on.data
    if form.status.data:
        changes["status"] = form.status.data
    return changes


# --- creating -------------------------------------------------------------------------------


@bp.route("/items/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_ITEMS)
def item_new():
    """New item; ?area=WP&practice=SP%202.1 (and ?roadmap_id=) prefill it from a practice."""
    roadmaps = lists.roadmaps_for_items(tenant=g.tenant)
    form = _creation_form(ItemCreateForm, roadmaps, first=[("", "No particular area")])
    if form.validate_on_submit():
        try:
            item = items.item_create(
                tenant=g.tenant,
                actor=current_user,
                roadmap=roadmap_get(tenant=g.tenant, roadmap_id=form.roadmap_id.data),
                assignee=items.member_resolve(tenant=g.tenant, user_id=form.assignee.data),
                **form.service_fields(),
            )
        except items.ItemError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Created {item.key}.", "success")
            return redirect(url_for("roadmaps.item_show", item_id=item.id))
    status = form_status(form)
    return render_template("roadmaps/items/new.html", form=form, roadmaps=roadmaps), status


def _creation_form(form_class: type[FlaskForm], roadmaps: list, **area_options: Any) -> FlaskForm:
    """A creation form with its choices, prefilled from the query string on GET."""
    form = form_class(data=_prefill(roadmaps) if request.method == "GET" else None)
    form.roadmap_id.choices = roadmap_choices(roadmaps)
    form.area.choices = area_choices(roadmaps, **area_options)
    _people_choices(form.assignee, [("", "Nobody yet")])
    return form


def _prefill(roadmaps: list) -> dict[str, Any]:
    area = request.args.get("area", "").strip().upper()[:16]
    wanted = request.args.get("roadmap_id", 0, type=int)
    roadmap = roadmap_get(tenant=g.tenant, roadmap_id=wanted) if is_row_id(wanted) else None
    roadmap = roadmap or lists.roadmap_with_area(roadmaps, area)
    practice = request.args.get("practice", "").strip()[:16]
    data: dict[str, Any] = {"area": area, "practice": practice}
    if roadmap is not None:
        data["roadmap_id"] = roadmap.id
    if area and practice:
        data["title"] = f"{area} {items.normalise_practice_code(practice)}: "
    return data


@bp.route("/items/new-for-area", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_ITEMS)
def items_new_for_area():
    """One item for each practice of an area that is below its target."""
    roadmaps = lists.roadmaps_for_items(tenant=g.tenant)
    form = _creation_form(BulkCreateForm, roadmaps)
    if form.validate_on_submit():
        roadmap = roadmap_get(tenant=g.tenant, roadmap_id=form.roadmap_id.data)
        try:
            created = bulk.items_create_for_area(
                tenant=g.tenant,
                actor=current_user,
                roadmap=roadmap,
                area_code=form.area.data,
                assignee=items.member_resolve(tenant=g.tenant, user_id=form.assignee.data),
                due_on=form.due_on.data,
                priority=form.priority.data,
            )
        except items.ItemError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Created {len(created)} item(s) for {form.area.data}.", "success")
            return redirect(url_for("roadmaps.items", roadmap=roadmap.id, area=form.area.data))
    status = form_status(form)
    return render_template("roadmaps/items/new_for_area.html", form=form, roadmaps=roadmaps), status


# --- one item -------------------------------------------------------------------------------


@bp.get("/items/<int:item_id>")
@permission_required(Permission.VIEW)
def item_show(item_id: int):
    """The item with its description, evidence, history and comments; forms for who may use them."""
    return _render_item(_item_or_404(item_id))


def _render_item(item: ActionItem, status: int = 200, **forms: Any) -> tuple[str, int]:
    forms.setdefault("status_form", StatusForm(formdata=None, status=item.status))
    forms.setdefault("comment_form", CommentForm(formdata=None))
    forms.setdefault("evidence_form", EvidenceLinkForm(formdata=None))
    forms.setdefault("assign_form", AssignForm(formdata=None, assignee=str(item.assignee_id or "")))
    _people_choices(forms["assign_form"].assignee, [("", "Nobody")])
    return render_template(
        "roadmaps/items/show.html",
        item=item,
        history=lists.item_history(tenant=g.tenant, item=item),
        evidence=lists.item_evidence(item=item),
        can_manage=has_permission(Permission.MANAGE_ITEMS),
        can_work=_may_work_on(item),
        **forms,
    ), status


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_ITEMS)
def item_edit(item_id: int):
    """Managers change an item's fields and assignee (the new assignee is emailed)."""
    item = _item_or_404(item_id)
    form = ItemFieldsForm(data=_item_data(item) if request.method == "GET" else None)
    form.area.choices = area_choices([item.roadmap], first=[("", "No particular area")])
    _people_choices(form.assignee, [("", "Nobody")])
    if form.validate_on_submit():
        try:
            assignee = items.member_resolve(tenant=g.tenant, user_id=form.assignee.data)
            items.item_update(tenant=g.tenant, actor=current_user, item=item, **form.service_fields())
            items.item_assign(tenant=g.tenant, actor=current_user, item=item, assignee=assignee)
        except items.ItemError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Saved {item.key}.", "success")
            return redirect(url_for("roadmaps.item_show", item_id=item.id))
    status = form_status(form)
    return render_template("roadmaps/items/edit.html", form=form, item=item), status


def _item_data(item: ActionItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "description": item.description,
        "area": item.roadmap_area.area.code if item.roadmap_area else "",
        "practice": item.practice.code if item.practice else "",
        "assignee": str(item.assignee_id or ""),
        "due_on": item.due_on,
        "priority": item.priority,
    }


@bp.post("/items/<int:item_id>/assign")
@permission_required(Permission.MANAGE_ITEMS)
def item_assign(item_id: int):
    """Managers give the item to a member, or to nobody."""
    item = _item_or_404(item_id)
    form = AssignForm()
    if form.validate_on_submit():
        try:
            assignee = items.member_resolve(tenant=g.tenant, user_id=form.assignee.data)
            items.item_assign(tenant=g.tenant, actor=current_user, item=item, assignee=assignee)
        except items.ItemError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                f"{item.key} is assigned to {assignee.name}." if assignee else f"{item.key} is unassigned.",
                "success",
            )
            return redirect(url_for("roadmaps.item_show", item_id=item.id))
    return _render_item(item, 422, assign_form=form)


@bp.post("/items/<int:item_id>/status")
@permission_required(Permission.WORK_ON_OWN_ITEMS)
def item_status(item_id: int):
    """The assignee, or a manager, moves the item to another status (done completes it)."""
    item = _item_or_404(item_id)
    _require_work_on(item)
    form = StatusForm()
    if not form.validate_on_submit():
        return _render_item(item, 422, status_form=form)
    items.item_set_status(tenant=g.tenant, actor=current_user, item=item, status=form.status.data)
    db.session.commit()
    flash(f"{item.key} is now {ItemStatus(item.status).label.lower()}.", "success")
    return redirect(url_for("roadmaps.item_show", item_id=item.id))


@bp.post("/items/<int:item_id>/move")
@permission_required(Permission.WORK_ON_OWN_ITEMS)
def item_move(item_id: int):
    """The board's drop: set the status and answer with the card (htmx swaps it in place)."""
    item = _item_or_404(item_id)
    if not _may_work_on(item):
        return _refuse_move("You can only move items assigned to you.", 403)
    try:
        items.item_set_status(
            tenant=g.tenant, actor=current_user, item=item, status=request.form.get("status", "")
        )
    except items.ItemError as error:
        db.session.rollback()
        return _refuse_move(str(error), 422)
    db.session.commit()
    return render_template("roadmaps/items/_card.html", item=item, can_drag=True)


def _refuse_move(message: str, status: int) -> tuple[str, int, dict[str, str]]:
    """Refusals reload the board (HX-Refresh), so the card goes back where it belongs."""
    flash(message, "error")
    return message, status, {"HX-Refresh": "true"}


@bp.post("/items/<int:item_id>/comments")
@permission_required(Permission.WORK_ON_OWN_ITEMS)
def item_comment(item_id: int):
    """The assignee, or a manager, comments (Markdown)."""
    item = _item_or_404(item_id)
    _require_work_on(item)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_item(item, 422, comment_form=form)
    items.comment_add(tenant=g.tenant, actor=current_user, item=item, body=form.body.data)
    db.session.commit()
    flash("Comment added.", "success")
    return redirect(url_for("roadmaps.item_show", item_id=item.id, _anchor="history"))


@bp.post("/items/<int:item_id>/evidence")
@permission_required(Permission.WORK_ON_OWN_ITEMS)
def item_evidence(item_id: int):
    """The assignee, or a manager, links evidence (files come with practice adoption)."""
    item = _item_or_404(item_id)
    _require_work_on(item)
    form = EvidenceLinkForm()
    if form.validate_on_submit():
        try:
            items.evidence_link_add(
                tenant=g.tenant, actor=current_user, item=item, title=form.title.data or "", url=form.url.data
            )
        except items.ItemError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Evidence added.", "success")
            return redirect(url_for("roadmaps.item_show", item_id=item.id, _anchor="evidence"))
    return _render_item(item, 422, evidence_form=form)


# --- my items (every tenant of the signed-in user) ------------------------------------------


@my_bp.get("/my/items", endpoint="items")
@login_required
def my_items():
    """The items assigned to me in every organisation I belong to."""
    tenant_ids = lists.user_tenant_ids(current_user)
    scope_session(db.session, tenant_ids)
    form = FilterForm(request.args)
    form.status.data = form.status.data if "status" in request.args else "open"
    today = tenant_today(None)
    query = lists.my_items_query(
        user=current_user, tenant_ids=tenant_ids, filters=form.filters(), today=today
    )
    page = lists.items_page(query, request.args.get("page", 1, type=int))
    return render_template("roadmaps/items/mine.html", form=form, page=page, args=_list_args(), today=today)


# --- helpers --------------------------------------------------------------------------------


def _item_or_404(item_id: int) -> ActionItem:
    item = items.item_get(tenant=g.tenant, item_id=item_id)
    if item is None:
        abort(404)
    return item


def _may_work_on(item: ActionItem) -> bool:
    return items.may_work_on(role=current_role(), actor=current_user, item=item)


def _require_work_on(item: ActionItem) -> None:
    if not _may_work_on(item):
        abort(403, description="You can only work on items assigned to you.")


def _today() -> date:
    return tenant_today(g.tenant)


def _filter_form() -> FilterForm:
    form = FilterForm(request.args)
    roadmaps = lists.roadmaps_for_items(tenant=g.tenant)
    form.roadmap.choices = roadmap_choices(roadmaps, first=[("", "All roadmaps")])
    form.area.choices = area_choices(roadmaps, first=[("", "All areas")])
    _people_choices(form.assignee, [("", "Anyone"), ("me", "Me"), ("none", "Nobody")])
    return form


def _people_choices(field: Any, first: list[tuple[str, str]]) -> None:
    field.choices = people_choices(member_list(tenant=g.tenant), first=first)


def _list_args() -> dict[str, str]:
    """The filters of the query string, for links that keep them (only these: url_for would
    honour `_scheme` or `_external` from a crafted URL)."""
    return {key: value for key, value in request.args.items() if key in FILTER_KEYS}
