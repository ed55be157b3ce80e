"""The reminder and digest settings form: an allow-list of the settings; the service checks the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange

from saas.roadmaps.notifications.models import DigestFrequency
from saas.roadmaps.notifications.services.schedule import MAX_DAYS, SETTING_FIELDS, WEEKDAYS

WEEKDAY_CHOICES = [SelectChoice(number, name) for number, name in enumerate(WEEKDAYS)]
HOUR_CHOICES = [SelectChoice(hour, f"{hour:02d}:00") for hour in range(24)]
FREQUENCY_CHOICES = [
    SelectChoice(DigestFrequency.WEEKLY.value, "Weekly"),
    SelectChoice(DigestFrequency.DAILY.value, "Daily, on every sending day"),
    SelectChoice(DigestFrequency.OFF.value, "Off"),
]


def _days(label: str, description: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[InputRequired("Give a number of days."), NumberRange(0, MAX_DAYS)],
        description=description,
    )


class NotificationSettingsForm(FlaskForm):
    days_before = _days("Remind assignees this many days before the due date", "0: no advance reminder.")
    on_due_date = BooleanField("Remind assignees on the due date")
    overdue_every_days = _days(
        "While an item is overdue, remind its assignee every", "Days after the due date; 0: never."
    )
    quiet_weekdays = SelectMultipleField(
        "Quiet days",
        coerce=int,
        choices=WEEKDAY_CHOICES,
        description="Nothing is sent on these days; what falls on them goes out on the next sending day.",
    )
    send_hour = SelectField(
        "Send at", coerce=int, choices=HOUR_CHOICES, description="In the organisation's time zone."
    )
    digest_frequency = SelectField(
        "Progress digest to owners and program managers", choices=FREQUENCY_CHOICES
    )
    digest_weekday = SelectField("Weekly digest day", coerce=int, choices=WEEKDAY_CHOICES)

    def data_for_service(self) -> dict[str, Any]:
        return {name: self[name].data for name in SETTING_FIELDS}
