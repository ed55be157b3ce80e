"""Every error is a page (or a JSON body under /api/) with a message; never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


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
    return render_template("error.html", status=status, title=error.name, message=message), status, headers


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)

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
