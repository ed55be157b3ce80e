"""The model explorer and the catalog's read-only JSON, for every signed-in user (not tenant-scoped)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, render_template, request
from flask_login import current_user, login_required

from saas.catalog import bp, schemas, services
from saas.catalog.models import CatalogModel, ProcessArea

GROUPINGS = {"category": "By category", "level": "By maturity level"}


@bp.get("/catalog/", defaults={"model_key": services.DEFAULT_MODEL_KEY})
@bp.get("/catalog/<model_key>/")
@login_required
def index(model_key: str):
    model = _model_or_404(model_key)
    grouping = request.args.get("group", "category")
    if grouping not in GROUPINGS:
        grouping = "category"
    areas = services.area_list(model)
    groups = (
        services.areas_by_maturity_level(model, areas)
        if grouping == "level"
        else services.areas_by_category(model, areas)
    )
    return render_template(
        "catalog/index.html",
        model=model,
        models=services.model_list(),
        groups=groups,
        grouping=grouping,
        groupings=GROUPINGS,
        areas_by_code={area.code: area for area in areas},
    )


@bp.get("/catalog/<model_key>/areas/<code>")
@login_required
def area(model_key: str, code: str):
    model = _model_or_404(model_key)
    area = _area_or_404(model, code)
    return render_template(
        "catalog/area.html",
        model=model,
        area=area,
        themes=services.area_themes(model, area),
        goals=services.goals_with_practices(area),
        generic_goals=services.generic_goals(model),
        maturity_names=services.level_names(model, "maturity_levels"),
        capability_names=services.level_names(model, "capability_levels"),
    )


@bp.get("/catalog/<model_key>/search")
@login_required
def search(model_key: str):
    model = _model_or_404(model_key)
    results = services.search(model, request.args.get("q", ""))
    return render_template("catalog/search.html", model=model, results=results, query=results.query)


def _json_signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like login_required, but a JSON 401 instead of a redirect to the login page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _json_error(401, "Sign in to read the catalog.")
        return view(*args, **kwargs)

    return wrapped


@bp.get("/catalog/<model_key>.json")
@_json_signed_in
def model_json(model_key: str):
    model = services.model_get(model_key)
    if model is None:
        return _json_error(404, f"No model '{model_key[:40]}' in the catalog.")
    return schemas.model_document(
        model, areas=services.areas_with_goals(model), generic_goals=services.generic_goals(model)
    )


@bp.get("/catalog/<model_key>/areas/<code>.json")
@_json_signed_in
def area_json(model_key: str, code: str):
    model = services.model_get(model_key)
    area = services.area_get(model, code) if model else None
    if model is None or area is None:
        return _json_error(404, f"No process area '{code[:40]}' in model '{model_key[:40]}'.")
    return schemas.area_document(model, area, goals=services.goals_with_practices(area))


def _json_error(status: int, message: str) -> tuple[dict[str, Any], int]:
    # The app's error handler answers HTML unless the path is under /api/ or the client asks
    # for JSON; a *.json URL should get JSON whatever the Accept header says.
    return {"status": status, "message": message}, status


def _model_or_404(key: str) -> CatalogModel:
    model = services.model_get(key)
    if model is None:
        abort(404, description=f"There is no model '{key[:40]}' in the catalog.")
    return model


def _area_or_404(model: CatalogModel, code: str) -> ProcessArea:
    area = services.area_get(model, code)
    if area is None:
        abort(404, description=f"{model.name} has no process area '{code[:40]}'.")
    return area
