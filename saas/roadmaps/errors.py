"""Errors of the roadmaps wing; every message is safe to show to the user as it is."""

from __future__ import annotations


class RoadmapError(ValueError):
    """A roadmap rule refused the request (views answer 422 and show the message)."""

    field: str | None = None  # the form field the message belongs to, if any

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


class NameTaken(RoadmapError):
    field = "name"


class DatesOutOfOrder(RoadmapError):
    field = "ends_on"


class InvalidTarget(RoadmapError):
    """A target maturity level or capability level outside the model's range."""

    field = "target_maturity_level"


class UnknownAreaCodes(RoadmapError):
    field = "areas"

    def __init__(self, codes: list[str]) -> None:
        self.codes = sorted(codes)
        super().__init__(f"Unknown process area code(s): {', '.join(self.codes)}.")


class EmptySelection(RoadmapError):
    field = "areas"


class InvalidLevel(RoadmapError):
    """A capability level or priority outside 1-3."""

    field = "areas"


class PhaseNotInRoadmap(RoadmapError):
    field = "phase_id"


class AreaNotInRoadmap(RoadmapError):
    field = "area_ids"


class NotAMember(RoadmapError):
    field = "owner_id"


class UnknownServiceLine(RoadmapError):
    field = "service_line_ids"


class NotApplicableRefused(RoadmapError):
    field = "not_applicable"


class CatalogMissing(RoadmapError):
    """The improvement model is not loaded (an installation problem, not the user's)."""


class NotAllowed(RoadmapError):
    """The actor's role may not do this (views answer 403)."""


class ServiceLineInUse(RoadmapError):
    """A service line cannot be retired or deleted while something still depends on it."""
