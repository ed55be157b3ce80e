"""Errors of the catalog wing."""

from __future__ import annotations


class PackError(ValueError):
    """A model pack that cannot be read or is not valid; the message names every problem found."""
