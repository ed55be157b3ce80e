"""Every error is a page (or a JSON body under /api/) with a message; never a stack trace."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from saas.assets import BUILD_COMMAND, AssetsNotBuilt


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(error: HTTPException):
    status = error.code or 500
    message = error.description or error.name
    # The error's own headers (Allow on 405, WWW-Authenticate on 401), but not its HTML content type.
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    if wants_json():
        # The API's error body (saas/api): field errors, when there are any, go under "errors".
        return {"status": status, "message": message, "errors": {}}, status, headers
    try:
        page = render_template("error.html", status=status, title=error.name, message=message)
    except AssetsNotBuilt as missing:  # the error page needs the assets too
        return assets_missing(missing)
    return page, status, headers


def assets_missing(error: AssetsNotBuilt):
    """503 naming the build command, instead of a 500 on every page (the page itself needs no assets)."""
    current_app.logger.error("%s", error)
    if wants_json():
        message = f"The browser assets are not built: run `{BUILD_COMMAND}`."
        return {"status": 503, "message": message, "errors": {}}, 503
    return render_template("assets_missing.html", command=BUILD_COMMAND), 503


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(AssetsNotBuilt, assets_missing)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        error.description = (
            "Your form expired or was sent without its security token. Reload the page and try again."
        )
        return render_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError())
