"""Catalog fixtures: the shipped model (loaded once per run by tests/conftest.py) and pack files."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from saas.catalog import services
from saas.catalog.loader import PACKS_DIR
from saas.catalog.models import CatalogModel
from tests.support import make_user

SHIPPED_PACK = PACKS_DIR / "cmmi-svc-1.3.yaml"


@cache
def _shipped_pack() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED_PACK.read_text(encoding="utf-8"))


@pytest.fixture
def pack() -> dict[str, Any]:
    """A private copy of the shipped pack's data, to change and write with `write_pack`."""
    return copy.deepcopy(_shipped_pack())


def write_pack(directory: Path, data: dict[str, Any], name: str = "pack.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def pack_area(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(area for area in data["process_areas"] if area["code"] == code)


@pytest.fixture
def model() -> CatalogModel:
    found = services.model_get()
    assert found is not None, "the test session loads the shipped packs"
    return found


@pytest.fixture
def signed_in(client):
    return client.login(make_user())
