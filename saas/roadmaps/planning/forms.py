"""Forms of the roadmap pages: allow-lists of what a request may set; the services check the rules.

Choices that name rows (phases, owners, service lines, area codes) are not validated here: the
services resolve them through tenant-scoped lookups and explain a refusal in plain words.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, Optional

from saas.roadmaps.planning.models import TargetKind
from saas.roadmaps.planning.services.selection import DEFAULT_CAPABILITY_LEVEL, normalise_code

DATE_HELP = "A date such as 2027-03-31."
TARGET_KIND_CHOICES = [
    SelectChoice(TargetKind.MATURITY_LEVEL.value, "A target maturity level: every area the level needs"),
    SelectChoice(
        TargetKind.CAPABILITY_PROFILE.value, "A capability profile: the ticked areas at the levels chosen"
    ),
    SelectChoice(TargetKind.FREE.value, "A free choice: the ticked areas, each aiming for CL2 to begin with"),
]
CAPABILITY_CHOICES = [
    SelectChoice(1, "CL1 Performed"),
    SelectChoice(2, "CL2 Managed"),
    SelectChoice(3, "CL3 Defined"),
]
PRIORITY_CHOICES = [SelectChoice(1, "High"), SelectChoice(2, "Medium"), SelectChoice(3, "Low")]


def optional_id(value: Any) -> int | None:
    """ "" (nothing chosen) -> None; anything else must be a whole number."""
    if value in (None, "", "None"):
        return None
    return int(value)


def _date(label: str) -> DateField:
    return DateField(label, validators=[Optional()], description=DATE_HELP)


class ProfileField(Field):
    """Ticked areas (`areas` checkboxes) with their levels (`cl-<CODE>` selects), as code -> level.

    Rendered by hand in _selection_table.html: one row per catalog area.
    """

    data: dict[str, int]

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors = []
        self.object_data = {} if data is unset_value or data is None else dict(data)
        self.data = dict(self.object_data)
        if formdata is None:
            return
        self.raw_data = formdata.getlist(self.name)
        self.data = {}
        for raw_code in self.raw_data:
            code = normalise_code(raw_code)
            try:
                self.data[code] = int(formdata.get(f"cl-{raw_code}", DEFAULT_CAPABILITY_LEVEL))
            except ValueError:
                self.process_errors.append(f"Choose a target capability level for {code}.")


class DatedForm(FlaskForm):
    starts_on = _date("Starts on")
    ends_on = _date("Ends on")

    def validate_ends_on(self, field: DateField) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The end date is before the start date.")


class RoadmapForm(DatedForm):
    """A new roadmap: name, dates and one of the three ways of choosing its areas."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(
        "Why this roadmap",
        validators=[Optional(), Length(max=5000)],
        description="Optional: the business reason.",
    )
    target_kind = RadioField(
        "Build it from", choices=TARGET_KIND_CHOICES, default=TargetKind.MATURITY_LEVEL.value
    )
    target_maturity_level = SelectField("Target maturity level", coerce=int, default=2)
    include_ssd = BooleanField(
        "Include Service System Development (SSD)",
        description="Leave unticked if you do not develop service systems; SSD is then kept as not applicable.",
    )
    service_line_ids = SelectMultipleField(
        "Service lines covered",
        coerce=int,
        validate_choice=False,
        description="None chosen: the whole organisation.",
    )
    areas = ProfileField("Process areas")

    def service_args(self) -> dict[str, Any]:
        """The keyword arguments of services.roadmap_create."""
        kind = self.target_kind.data
        return {
            "name": self.name.data,
            "description": self.description.data or "",
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "target_kind": kind,
            "target_maturity_level": self.target_maturity_level.data,
            "include_ssd": self.include_ssd.data,
            "profile": self.areas.data if kind == TargetKind.CAPABILITY_PROFILE else None,
            "area_codes": list(self.areas.data) if kind == TargetKind.FREE else None,
            "service_line_ids": self.service_line_ids.data or None,
        }


class RoadmapSettingsForm(DatedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Why this roadmap", validators=[Optional(), Length(max=5000)])
    service_line_ids = SelectMultipleField("Service lines covered", coerce=int, validate_choice=False)


class SelectionForm(FlaskForm):
    """The areas of an existing roadmap and their target levels (and a maturity-level target)."""

    target_maturity_level = SelectField("Target maturity level", coerce=int, validators=[Optional()])
    areas = ProfileField("Process areas")


class AreaPlanForm(FlaskForm):
    """The plan for one selected area."""

    target_capability_level = SelectField("Target capability level", coerce=int, choices=CAPABILITY_CHOICES)
    priority = SelectField("Priority", coerce=int, choices=PRIORITY_CHOICES)
    phase_id = SelectField("Phase", coerce=optional_id, validate_choice=False)
    owner_id = SelectField("Owner", coerce=optional_id, validate_choice=False)
    rationale = TextAreaField(
        "Rationale",
        validators=[Optional(), Length(max=5000)],
        description="Why this area matters to the business.",
    )
    not_applicable = BooleanField("Not applicable (scoped out of the appraisal)")


class PhaseForm(DatedForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    area_ids = SelectMultipleField(
        "Areas in this phase",
        coerce=int,
        validate_choice=False,
        description="Ticked areas move into this phase; unticked ones leave it.",
    )


class ServiceLineForm(FlaskForm):
    """A service line: where practices are carried out (a service, a team, a site)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=2000)],
        description="Optional: what the line delivers, to whom, where.",
    )
    owner_id = SelectField("Owner", coerce=optional_id, validate_choice=False)
