"""The catalog, read-only and global: models, their process areas, one area with goals and practices."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from saas.api.auth import api_blueprint
from saas.api.common import found_or_404, page_of_rows
from saas.api.schemas import (
    CatalogAreaDetailOut,
    CatalogAreaOut,
    CatalogModelDetailOut,
    CatalogModelOut,
    PageQuery,
    page_of,
)
from saas.catalog import services as catalog
from saas.catalog.models import CatalogModel, ProcessArea

bp = api_blueprint(
    "api_catalog",
    __name__,
    tag="Catalog",
    description="The improvement models (CMMI-SVC v1.3): process areas, goals and practices.",
    tenant=False,
)

MODEL = "/catalog/models/<key:model_key>"


def _model(model_key: str) -> CatalogModel:
    return found_or_404(catalog.model_get(model_key), "model")


@bp.route("/catalog/models")
class Models(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, page_of(CatalogModelOut, "CatalogModelPage"))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The loaded models"""
        return page_of_rows(catalog.model_list(), **query)


@bp.route(MODEL)
class Model(MethodView):
    @bp.response(200, CatalogModelDetailOut)
    def get(self, model_key: str) -> dict[str, Any]:
        """One model with its scales and generic goals"""
        model = _model(model_key)
        return {
            "key": model.key,
            "version": model.version,
            "name": model.name,
            "summary": model.summary,
            "scales": model.scales,
            "generic_goals": catalog.generic_goals(model),
        }


@bp.route(MODEL + "/areas")
class Areas(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, page_of(CatalogAreaOut, "CatalogAreaPage"))
    def get(self, query: dict[str, Any], model_key: str) -> dict[str, Any]:
        """The model's process areas, by code"""
        return page_of_rows(catalog.area_list(_model(model_key)), **query)


@bp.route(MODEL + "/areas/<code:area_code>")
class Area(MethodView):
    @bp.response(200, CatalogAreaDetailOut)
    def get(self, model_key: str, area_code: str) -> ProcessArea:
        """One process area with its specific goals and practices"""
        model = _model(model_key)
        area = found_or_404(catalog.area_get(model, area_code.upper()), "process area")
        catalog.goals_with_practices(area)  # loads goals and practices in two queries
        return area
