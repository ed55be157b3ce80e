"""Forms of the action item pages: allow-lists of what a request may set; the services check the rest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional

from saas.accounts.models import User
from saas.database import is_row_id
from saas.roadmaps.items.models import ItemPriority, ItemStatus
from saas.roadmaps.items.services.lists import DUE_FILTERS, SORT_LABELS, ItemFilters
from saas.roadmaps.planning.models import Roadmap

DATE_HELP = "A date such as 2026-12-31."


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Options from (value, label) pairs (WTForms is retiring plain tuples)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


STATUS_CHOICES = choices((status.value, status.label) for status in ItemStatus)
PRIORITY_CHOICES = choices((priority.value, priority.value.capitalize()) for priority in ItemPriority)


def _assignee_field(label: str = "Assignee", field_id: str | None = None) -> SelectField:
    # Membership is checked by the service, which explains a refusal better than "Not a valid choice".
    return SelectField(label, validate_choice=False, id=field_id)


def _due_field(field_id: str | None = None) -> DateField:
    return DateField("Due date", validators=[Optional()], description=DATE_HELP, id=field_id)


def people_choices(people: list[User], *, first: list[tuple[str, str]]) -> list[SelectChoice]:
    return choices([*first, *((person.id, person.name) for person in people)])


def roadmap_choices(roadmaps: list[Roadmap], *, first: Iterable[tuple[str, str]] = ()) -> list[SelectChoice]:
    return choices([*first, *((roadmap.id, roadmap.name) for roadmap in roadmaps)])


def area_choices(roadmaps: list[Roadmap], *, first: Iterable[tuple[str, str]] = ()) -> list[SelectChoice]:
    """The `first` options, then every area selected in one of the roadmaps, by code."""
    areas = {ra.area.code: ra.area.name for roadmap in roadmaps for ra in roadmap.areas}
    return choices([*first, *((code, f"{code} {areas[code]}") for code in sorted(areas))])


class ItemFieldsForm(FlaskForm):
    """What a manager may set on an item, on creation and later."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=20000)], description="Markdown is supported."
    )
    area = SelectField("Process area", validate_choice=False)
    practice = StringField(
        "Practice",
        validators=[Optional(), Length(max=16)],
        description="A specific or generic practice of the area, such as SP 2.1 or GP 2.1.",
    )
    assignee = _assignee_field()
    due_on = _due_field()
    priority = SelectField("Priority", choices=PRIORITY_CHOICES, default=ItemPriority.MEDIUM.value)

    def service_fields(self) -> dict[str, Any]:
        """The values item_create / item_update take (the assignee is resolved separately)."""
        return {
            "title": self.title.data,
            "description": self.description.data or "",
            "area_code": self.area.data or None,
            "practice_code": self.practice.data or None,
            "due_on": self.due_on.data,
            "priority": self.priority.data,
        }


class ItemCreateForm(ItemFieldsForm):
    roadmap_id = SelectField("Roadmap", coerce=int)


# The item page holds the next four forms at once; explicit ids keep its element ids unique.
class StatusForm(FlaskForm):
    status = SelectField("Status", choices=STATUS_CHOICES, id="status-status")


class AssignForm(FlaskForm):
    assignee = _assignee_field(field_id="assign-assignee")


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Comment",
        validators=[DataRequired(), Length(max=10000)],
        description="Markdown is supported.",
        id="comment-body",
    )


class EvidenceLinkForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=200)], id="evidence-title")
    url = URLField(
        "Link", validators=[DataRequired(), Length(max=2000)], description="https://…", id="evidence-url"
    )


class BulkCreateForm(FlaskForm):
    roadmap_id = SelectField("Roadmap", coerce=int)
    area = SelectField("Process area", validate_choice=False)
    assignee = _assignee_field()
    due_on = _due_field()
    priority = SelectField("Priority", choices=PRIORITY_CHOICES, default=ItemPriority.MEDIUM.value)


class BulkEditForm(FlaskForm):
    """Changes for the ticked items; empty fields are left as they are."""

    item_ids = SelectMultipleField(
        "Items",
        coerce=int,
        validate_choice=False,
        validators=[DataRequired("Tick the items to change first.")],
    )
    assignee = _assignee_field("Set assignee", field_id="bulk-assignee")  # ids apart from the filter bar's
    due_on = _due_field(field_id="bulk-due_on")
    clear_due = BooleanField("Remove the due date", id="bulk-clear_due")
    status = SelectField(
        "Set status", choices=[SelectChoice("", "Keep"), *STATUS_CHOICES], default="", id="bulk-status"
    )


class FilterForm(FlaskForm):
    """The filter bar of the lists (GET, no CSRF); values it does not know are ignored."""

    class Meta:
        csrf = False

    roadmap = SelectField("Roadmap", validate_choice=False)
    area = SelectField("Area", validate_choice=False)
    practice = StringField("Practice")
    assignee = SelectField("Assignee", validate_choice=False)
    status = SelectField(
        "Status",
        choices=[*choices([("", "Any status"), ("open", "Open")]), *STATUS_CHOICES],
        validate_choice=False,
    )
    due = SelectField("Due", choices=choices([("", "Any time"), *DUE_FILTERS.items()]), validate_choice=False)
    sort = SelectField(
        "Sort by",
        choices=choices(
            [
                *SORT_LABELS.items(),
                *((f"-{key}", f"{label} (descending)") for key, label in SORT_LABELS.items()),
            ]
        ),
        validate_choice=False,
    )

    def filters(self, *, me: User | None = None) -> ItemFilters:
        """The filters asked for; "me" stands for the signed-in user."""
        assignee = self.assignee.data or ""
        if assignee == "me" and me is not None:
            assignee = str(me.id)
        if assignee.isdigit() and not is_row_id(int(assignee)):
            assignee = ""
        roadmap = self.roadmap.data or ""
        return ItemFilters(
            roadmap_id=int(roadmap) if roadmap.isdigit() and is_row_id(int(roadmap)) else None,
            area_code=(self.area.data or "").strip()[:16],
            practice_code=(self.practice.data or "").strip()[:16],
            assignee=assignee,
            status=self.status.data or "",
            due=self.due.data or "",
            sort=self.sort.data or "key",
        )
