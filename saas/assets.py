"""Built browser assets: frontend/ writes hashed files and a manifest into saas/static/dist/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Flask, current_app, url_for

DIST = Path(__file__).resolve().parent / "static" / "dist"
BUILD_COMMAND = "npm ci --prefix frontend && npm run --prefix frontend build"


class AssetsNotBuilt(RuntimeError):
    """The manifest is missing (`pip install -e .` alone builds nothing): run BUILD_COMMAND, as the
    quick start does. Pages answer 503 with that command until then (saas/errors.py)."""

    def __init__(self, manifest: Path) -> None:
        super().__init__(f"{manifest} not found: build the assets with `{BUILD_COMMAND}`")


@cache
def _manifest(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise AssetsNotBuilt(path) from exc


def asset_url(name: str) -> str:
    """URL of the built file for a logical name such as 'app.js'."""
    manifest = _manifest(DIST / "manifest.json")
    if current_app.debug:
        _manifest.cache_clear()
    return url_for("static", filename=f"dist/{manifest[name]}")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
