"""Roadmap pages, one module per topic; importing them registers their routes on `bp`."""

from saas.roadmaps.views import adoption, assessments, calendar, items, notifications  # noqa: F401
