"""Placeholder until the roadmaps pages land."""

from saas.roadmaps import bp  # noqa: F401
