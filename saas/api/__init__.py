"""The JSON REST API under /api/v1, documented at /api/v1/openapi.json and /api/docs.

A package beside the wings: each resource module (catalog, roadmaps, areas, phases, items,
assessments, members, me) is a flask-smorest blueprint made by `auth.api_blueprint`, which
authenticates the bearer token, enters the tenant of /api/v1/t/<slug>/ with the pages' own
rules, limits the rate per token and answers every error as JSON (errors.py). Views parse with
the allow-list schemas (schemas.py), call the same services as the pages, commit once and dump.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template, url_for
from flask_smorest import Api
from werkzeug.routing import BaseConverter

from saas.api.schemas import ErrorOut

API_TITLE = "CMMI Programme API"
API_VERSION = "1.0"
SECURITY_SCHEME = "bearerAuth"
API_DESCRIPTION = (
    "Plan and run a CMMI for Services improvement programme. Authenticate with a personal API "
    "token (Account settings → API tokens) in `Authorization: Bearer <token>`. Tenant data lives "
    "under /api/v1/t/{tenant_slug}/ with the same role rules as the pages; organisations you do "
    "not belong to answer 404. Writes send JSON (415 otherwise); unknown fields and query "
    "parameters are refused (422). Lists answer "
    '`{"items", "page", "per_page", "total", "pages"}`; errors `{"status", "message", "errors"}`.'
)

pages_bp = Blueprint("api_pages", __name__, template_folder="templates")


class SlugConverter(BaseConverter):
    """A tenant slug: lower-case letters, digits and dashes (anything else is simply not found)."""

    regex = r"[a-z0-9][a-z0-9-]{0,62}"


class KeyConverter(BaseConverter):
    """A catalog model key such as cmmi-svc."""

    regex = r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}"


class CodeConverter(BaseConverter):
    """A process area code such as WP or SSAD."""

    regex = r"[A-Za-z0-9]{1,16}"


CONVERTERS: dict[str, type[BaseConverter]] = {
    "slug": SlugConverter,
    "key": KeyConverter,
    "code": CodeConverter,
}


class SaasApi(Api):
    """flask-smorest's Api with our error body, per-blueprint error handling and tag names."""

    ERROR_SCHEMA = ErrorOut

    def _register_error_handlers(self) -> None:
        """Nothing app-wide: the API's blueprints carry their handlers, and pages keep HTML errors."""

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """As flask-smorest's, but the blueprint's tag (not its internal name) names its group."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
        self.spec.tag({"name": blp.tag, "description": blp.description})


def init_app(app: Flask) -> None:
    from saas.api import areas, assessments, catalog, items, me, members, phases, roadmaps

    for name, converter in CONVERTERS.items():
        app.url_map.converters.setdefault(name, converter)
    _configure(app)
    api = SaasApi(app)
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {"type": "http", "scheme": "bearer", "description": "A personal API token (cmmi_...)."},
    )
    for converter in CONVERTERS.values():
        api.register_converter(converter, _pattern_schema)
    for module in (me, catalog, roadmaps, areas, phases, items, assessments, members):
        api.register_blueprint(module.bp)
    app.extensions["saas_api"] = api
    app.register_blueprint(pages_bp)


def _configure(app: Flask) -> None:
    app.config.setdefault("API_TITLE", API_TITLE)
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_RATE_LIMIT", "600 per minute")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {"info": {"description": API_DESCRIPTION}, "security": [{SECURITY_SCHEME: []}]},
    )


def _pattern_schema(converter: BaseConverter) -> dict[str, Any]:
    """A path parameter documented with exactly the pattern its converter matches."""
    return {"type": "string", "pattern": f"^{converter.regex}$"}


# --- the docs page -------------------------------------------------------------------------------

_METHODS = ("get", "post", "put", "patch", "delete")


@pages_bp.get("/api/docs")
def docs():
    """The API's operations, grouped by tag, rendered on the server from the OpenAPI document."""
    spec = current_app.extensions["saas_api"].spec.to_dict()
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template(
        "api/docs.html",
        spec=spec,
        groups=_operations_by_tag(spec),
        schemas={name: _schema_fields(schema) for name, schema in sorted(schemas.items())},
        spec_url=url_for("api-docs.openapi_json"),
    )


def _operations_by_tag(spec: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """[(tag, [operation])] in the tags' order."""
    by_tag: dict[str, list[dict[str, Any]]] = {tag["name"]: [] for tag in spec.get("tags", [])}
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                for tag in item[method].get("tags", []):
                    by_tag.setdefault(tag, []).append(_operation(spec, path, item, method))
    tags = {tag["name"]: tag for tag in spec.get("tags", [])}
    return [(tags.get(name, {"name": name}), operations) for name, operations in by_tag.items() if operations]


def _operation(spec: dict[str, Any], path: str, item: dict[str, Any], method: str) -> dict[str, Any]:
    """One operation as the page shows it: method, path, texts, parameters and schema names."""
    operation = item[method]
    responses = sorted(
        operation.get("responses", {}).items(), key=lambda pair: (pair[0] == "default", pair[0])
    )
    return {
        "method": method.upper(),
        "path": path,
        "summary": operation.get("summary", ""),
        "description": operation.get("description", ""),
        "parameters": [*item.get("parameters", []), *operation.get("parameters", [])],
        "body": _ref_name(operation.get("requestBody", {})),
        "responses": {code: _ref_name(response, spec) for code, response in responses},
    }


def _ref_name(holder: dict[str, Any], spec: dict[str, Any] | None = None) -> str:
    """The schema a request body or response refers to, through shared responses; "" when none."""
    ref = holder.get("$ref") or next(
        (media.get("schema", {}).get("$ref", "") for media in holder.get("content", {}).values()), ""
    )
    _, _, kind_and_name = ref.partition("#/components/")
    kind, _, name = kind_and_name.partition("/")
    if kind == "responses" and spec is not None:
        return _ref_name(spec.get("components", {}).get("responses", {}).get(name, {}))
    return name


def _schema_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """A component schema's properties as rows: name, type, whether required, notes."""
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        kind = _ref_name(prop) or prop.get("type", "any")
        if prop.get("type") == "array":
            kind = f"array of {_ref_name(prop.get('items', {})) or prop.get('items', {}).get('type', 'any')}"
        notes = [prop[key] for key in ("description",) if key in prop]
        notes += [f"one of {', '.join(map(str, prop['enum']))}"] if "enum" in prop else []
        notes += [f"at most {prop['maxLength']} characters"] if "maxLength" in prop else []
        notes += ["may be null"] if prop.get("nullable") else []
        rows.append({"name": name, "type": kind, "required": name in required, "notes": "; ".join(notes)})
    return rows
