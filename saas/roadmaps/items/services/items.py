"""Action item rules: create, edit, assign, move through statuses, comment and attach evidence.

Every function takes the tenant and the actor explicitly, flushes and never commits; every
change is recorded in the audit trail with the item as its subject (the item's history).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from saas.accounts.models import User
from saas.catalog.models import Practice, PracticeKind
from saas.database import is_row_id, utcnow
from saas.extensions import db
from saas.mail.services import mail_queue
from saas.roadmaps.adoption.models import Evidence
from saas.roadmaps.errors import RoadmapError
from saas.roadmaps.items.models import ActionItem, ItemComment, ItemPriority, ItemStatus, TenantCounter
from saas.roadmaps.planning.models import Roadmap, RoadmapArea
from saas.roadmaps.planning.services.members import member_get
from saas.tenants.models import AuditEvent, Tenant
from saas.tenants.permissions import Permission, can
from saas.tenants.services import audit

ITEM_COUNTER = "action_item"
OPEN_STATUSES = (ItemStatus.TODO, ItemStatus.IN_PROGRESS, ItemStatus.BLOCKED)
UPDATABLE_FIELDS = frozenset({"title", "description", "area_code", "practice_code", "due_on", "priority"})
FIELD_LABELS = {
    "title": "title",
    "description": "description",
    "area_code": "process area",
    "practice_code": "practice",
    "due_on": "due date",
    "priority": "priority",
}
_PRACTICE_CODE = re.compile(r"^(SP|GP)\s*(\d+\.\d+)$")


class ItemError(RoadmapError):
    """An action item rule refused the request; the message is safe to show to the user."""


class AssigneeNotMember(ItemError):
    field = "assignee"


class UnknownArea(ItemError):
    field = "area"


class UnknownPractice(ItemError):
    field = "practice"


class InvalidStatus(ItemError):
    field = "status"


class InvalidPriority(ItemError):
    field = "priority"


class InvalidTitle(ItemError):
    field = "title"


class InvalidLink(ItemError):
    field = "url"


# --- reads --------------------------------------------------------------------------------


def item_get(*, tenant: Tenant, item_id: int) -> ActionItem | None:
    """The item with this id in this tenant, or None (callers answer 404)."""
    if not is_row_id(item_id):
        return None
    return db.session.scalar(
        select(ActionItem).where(ActionItem.tenant_id == tenant.id, ActionItem.id == item_id)
    )


def member_resolve(*, tenant: Tenant, user_id: int | str | None) -> User | None:
    """The member with this user id (None for none); AssigneeNotMember for anyone else."""
    if user_id in (None, ""):
        return None
    try:
        wanted = int(user_id)
    except (TypeError, ValueError):
        raise AssigneeNotMember("Choose a member of this organisation.") from None
    user = member_get(tenant=tenant, user_id=wanted) if is_row_id(wanted) else None
    if user is None:
        raise AssigneeNotMember("Items can only be assigned to members of this organisation.")
    return user


def may_work_on(*, role: str, actor: User, item: ActionItem) -> bool:
    """Managers work on every item; staff only on the items assigned to them; viewers on none."""
    if can(role, Permission.MANAGE_ITEMS):
        return True
    return can(role, Permission.WORK_ON_OWN_ITEMS) and item.assignee_id == actor.id


# --- creating -----------------------------------------------------------------------------


def next_number(*, tenant: Tenant, name: str = ITEM_COUNTER) -> int:
    """The next value of a per-tenant sequence, taken under a row lock (SELECT ... FOR UPDATE)."""
    counter = _locked_counter(tenant, name)
    if counter is None:
        try:
            with db.session.begin_nested():
                db.session.add(TenantCounter(tenant=tenant, name=name, value=0))
        except IntegrityError:  # created concurrently: lock that one instead
            pass
        counter = _locked_counter(tenant, name)
    counter.value += 1
    db.session.flush()
    return counter.value


def _locked_counter(tenant: Tenant, name: str) -> TenantCounter | None:
    return db.session.scalar(
        select(TenantCounter)
        .where(TenantCounter.tenant_id == tenant.id, TenantCounter.name == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def item_create(
    *,
    tenant: Tenant,
    actor: User | None,
    roadmap: Roadmap,
    title: str,
    description: str = "",
    area_code: str | None = None,
    practice_code: str | None = None,
    assignee: User | None = None,
    due_on: date | None = None,
    priority: str = ItemPriority.MEDIUM,
) -> ActionItem:
    """A new item AI-<n> in `roadmap`, optionally on one of its areas and a practice of that area."""
    if roadmap.tenant_id != tenant.id:
        raise ItemError("That roadmap is not in this organisation.")
    roadmap_area = roadmap_area_resolve(roadmap, area_code)
    item = ActionItem(
        tenant=tenant,
        roadmap=roadmap,
        roadmap_area=roadmap_area,
        practice=practice_resolve(roadmap, roadmap_area, practice_code),
        title=_clean_title(title),
        description=description.strip(),
        due_on=due_on,
        priority=_checked_priority(priority),
        status=ItemStatus.TODO,
        created_by=actor,
    )
    member_check(tenant, assignee)
    item.number = next_number(tenant=tenant)
    db.session.add(item)
    db.session.flush()
    audit(tenant=tenant, actor=actor, action="item.created", subject=item, summary=f"Created {item.key}")
    if assignee is not None:
        _assign(tenant=tenant, actor=actor, item=item, assignee=assignee)
    return item


# --- changing -----------------------------------------------------------------------------


def item_update(*, tenant: Tenant, actor: User | None, item: ActionItem, **changes: Any) -> ActionItem:
    """Change the fields named in UPDATABLE_FIELDS (assignee and status have their own rules)."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"item_update cannot change {', '.join(sorted(unknown))}")
    before = _field_values(item)
    if "area_code" in changes or "practice_code" in changes:
        area_code = changes.get("area_code", before["area_code"])
        practice_code = changes.get("practice_code", before["practice_code"])
        item.roadmap_area = roadmap_area_resolve(item.roadmap, area_code)
        item.practice = practice_resolve(item.roadmap, item.roadmap_area, practice_code)
    if "title" in changes:
        item.title = _clean_title(changes["title"])
    if "description" in changes:
        item.description = (changes["description"] or "").strip()
    if "due_on" in changes:
        item.due_on = changes["due_on"]
    if "priority" in changes:
        item.priority = _checked_priority(changes["priority"])
    after = _field_values(item)
    changed = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if changed:
        db.session.flush()
        audit(
            tenant=tenant,
            actor=actor,
            action="item.updated",
            subject=item,
            summary="Changed " + ", ".join(FIELD_LABELS[name] for name in changed),
            fields=sorted(changed),
            changes={name: values for name, values in changed.items() if name != "description"},
        )
    return item


def item_assign(*, tenant: Tenant, actor: User | None, item: ActionItem, assignee: User | None) -> ActionItem:
    """Give the item to a member (or to nobody); the new assignee is emailed unless they did it."""
    member_check(tenant, assignee)
    if item.assignee_id != (assignee.id if assignee else None):
        _assign(tenant=tenant, actor=actor, item=item, assignee=assignee)
    return item


def item_set_status(*, tenant: Tenant, actor: User | None, item: ActionItem, status: str) -> ActionItem:
    """Move the item to `status`; done stamps completed_at, reopening clears it."""
    try:
        new = ItemStatus(status)
    except ValueError:
        raise InvalidStatus(f"Status must be one of: {', '.join(s.value for s in ItemStatus)}.") from None
    old = ItemStatus(item.status)
    if new is old:
        return item
    item.status = new
    item.completed_at = utcnow() if new is ItemStatus.DONE else None
    db.session.flush()
    verb = "Completed" if new is ItemStatus.DONE else ("Reopened" if old is ItemStatus.DONE else "Moved")
    audit(
        tenant=tenant,
        actor=actor,
        action="item.status_changed",
        subject=item,
        summary=f"{verb}: {old.label} → {new.label}",
        from_status=old.value,
        to_status=new.value,
    )
    return item


def item_delete(*, tenant: Tenant, actor: User | None, item: ActionItem) -> None:
    """Delete the item with its comments and evidence; the audit trail keeps that it existed."""
    if item.tenant_id != tenant.id:
        raise ItemError("That item is not in this organisation.")
    audit(
        tenant=tenant,
        actor=actor,
        action="item.deleted",
        subject=item,
        summary=f"Deleted {item.key}: {item.title}",
    )
    db.session.delete(item)
    db.session.flush()


def comment_add(*, tenant: Tenant, actor: User | None, item: ActionItem, body: str) -> ItemComment:
    """A comment on the item (Markdown, sanitised when shown)."""
    text = (body or "").strip()
    if not text:
        raise ItemError("Write something first.")
    comment = ItemComment(tenant=tenant, item_id=item.id, author=actor, body=text)
    db.session.add(comment)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="item.commented",
        subject=item,
        summary="Commented",
        comment_id=comment.id,
    )
    return comment


def evidence_link_add(
    *, tenant: Tenant, actor: User | None, item: ActionItem, title: str, url: str
) -> Evidence:
    """A link (http or https) supporting the item; file uploads come with practice adoption."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InvalidLink("Give a full web address starting with https:// or http://.")
    evidence = Evidence(
        tenant=tenant,
        item_id=item.id,
        kind="link",
        title=(title or url).strip()[:200],
        url=url,
        added_by=actor,
    )
    db.session.add(evidence)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="item.evidence_added",
        subject=item,
        summary=f"Added evidence: {evidence.title}",
        evidence_id=evidence.id,
    )
    return evidence


# --- helpers ------------------------------------------------------------------------------


def _assign(*, tenant: Tenant, actor: User | None, item: ActionItem, assignee: User | None) -> None:
    previous = item.assignee
    item.assignee = assignee
    db.session.flush()
    if assignee is None:
        summary = f"Unassigned {previous.name}" if previous else "Unassigned"
    elif previous is not None:
        summary = f"Reassigned from {previous.name} to {assignee.name}"
    else:
        summary = f"Assigned to {assignee.name}"
    audit(
        tenant=tenant,
        actor=actor,
        action="item.assigned",
        subject=item,
        summary=summary,
        assignee_id=assignee.id if assignee else None,
        previous_id=previous.id if previous else None,
    )
    if assignee is not None and (actor is None or assignee.id != actor.id):
        _email_assignee(tenant=tenant, actor=actor, item=item, assignee=assignee)


def _email_assignee(*, tenant: Tenant, actor: User | None, item: ActionItem, assignee: User) -> None:
    """One email per assignment: the key counts the item's assignments, so a retry sends nothing."""
    assignments = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.tenant_id == tenant.id,
            AuditEvent.subject_type == ActionItem.__name__,
            AuditEvent.subject_id == item.id,
            AuditEvent.action == "item.assigned",
        )
    )
    mail_queue(
        to=assignee.email,
        template="roadmaps/email/item_assigned",
        dedupe_key=f"item-assigned:{item.id}:{assignee.id}:{assignments}",
        tenant=tenant,
        item=item,
        assignee=assignee,
        actor=actor,
    )


def member_check(tenant: Tenant, user: User | None) -> None:
    if user is not None:
        member_resolve(tenant=tenant, user_id=user.id)


def roadmap_area_resolve(roadmap: Roadmap, area_code: str | None) -> RoadmapArea | None:
    if not area_code or not area_code.strip():
        return None
    code = area_code.strip().upper()
    found = next((ra for ra in roadmap.areas if ra.area.code == code), None)
    if found is None:
        raise UnknownArea(f"{code} is not a process area of the roadmap {roadmap.name}.")
    return found


def normalise_practice_code(code: str) -> str:
    """'sp2.1', ' SP  2.1 ' -> 'SP 2.1'; anything else is returned upper-cased for the error message."""
    text = " ".join(code.upper().split())
    match = _PRACTICE_CODE.match(text)
    return f"{match[1]} {match[2]}" if match else text


def practice_resolve(roadmap: Roadmap, roadmap_area: RoadmapArea | None, code: str | None) -> Practice | None:
    if not code or not code.strip():
        return None
    if roadmap_area is None:
        raise UnknownPractice("Choose the process area the practice belongs to.")
    wanted = normalise_practice_code(code)
    area = roadmap_area.area
    practice = db.session.scalar(
        select(Practice).where(
            Practice.model_id == roadmap.model_id,
            Practice.code == wanted,
            or_(
                Practice.area_id == area.id,
                and_(Practice.area_id.is_(None), Practice.kind == PracticeKind.GENERIC),
            ),
        )
    )
    if practice is None:
        raise UnknownPractice(f"{wanted} is not a practice of {area.code}.")
    return practice


def _clean_title(title: str | None) -> str:
    text = " ".join((title or "").split())
    if not text:
        raise InvalidTitle("Give the item a title.")
    if len(text) > 200:
        raise InvalidTitle("Keep the title under 200 characters.")
    return text


def _checked_priority(priority: str) -> str:
    try:
        return ItemPriority(priority).value
    except ValueError:
        raise InvalidPriority(
            f"Priority must be one of: {', '.join(p.value for p in ItemPriority)}."
        ) from None


def _field_values(item: ActionItem) -> dict[str, Any]:
    """The updatable fields as JSON-friendly values, to record what changed."""
    return {
        "title": item.title,
        "description": item.description,
        "area_code": item.roadmap_area.area.code if item.roadmap_area else None,
        "practice_code": item.practice.code if item.practice else None,
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "priority": item.priority,
    }
