"""Action item pages; importing them registers their routes."""

from saas.roadmaps.items.views import calendar, items  # noqa: F401
