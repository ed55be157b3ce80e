"""Roadmap pages, one module per topic; importing them registers their routes on `bp`."""

from saas.roadmaps.views import (  # noqa: F401
    adoption,
    assessments,
    calendar,
    items,
    notifications,
    roadmaps,
    service_lines,
)
