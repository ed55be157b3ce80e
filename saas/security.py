"""Response headers, CSP and cookie hardening (OWASP ASVS 14.4, 3.4)."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

from saas.extensions import talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    # Inline style attributes (progress bar widths) only; scripts stay strict.
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self' https://checkout.stripe.com https://billing.stripe.com",
    "frame-ancestors": "'none'",
}


def no_store_when_signed_in(response: Response) -> Response:
    """Nothing a signed-in person or an API token holder is shown may be kept by a cache
    (pages, API JSON, exports, errors alike)."""
    if request.authorization is not None or (
        request.cookies and current_user and current_user.is_authenticated
    ):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(no_store_when_signed_in)
    production = app.config["APP_ENV"] == "production"
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=production,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
    )
