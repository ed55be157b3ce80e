"""Proxies and caches: forwarded headers count only from configured hops, SCRIPT_NAME only from
configuration, and no signed-in answer may be cached."""

from __future__ import annotations

from flask import Flask, request, url_for

from saas import create_app
from tests.api.conftest import token_for
from tests.support import make_tenant, make_user


def app_with(app: Flask, **config) -> Flask:
    """A second app on the same services, with a page that says what it believes of the request."""
    keys = (
        "SQLALCHEMY_DATABASE_URI",
        "MIGRATION_DATABASE_URI",
        "REDIS_URL",
        "RATELIMIT_STORAGE_URI",
        "MAIL_URL",
    )
    other = create_app(
        {**{key: app.config[key] for key in keys}, "APP_ENV": "test", "SECRET_KEY": "x", **config}
    )

    @other.get("/_whoami")
    def whoami():
        return {
            "ip": request.remote_addr,
            "scheme": request.scheme,
            "link": url_for("accounts.login", _external=True),
        }

    return other


FORWARDED = {
    "X-Forwarded-For": "198.51.100.1",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
}


def test_without_trusted_hops_forwarded_headers_are_ignored(app):
    answer = (
        app_with(app)
        .test_client()
        .get("/_whoami", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    )

    assert answer.json == {"ip": "10.9.9.9", "scheme": "http", "link": "http://localhost/login"}


def test_one_trusted_hop_takes_the_last_forwarded_entry_only(app):
    headers = {**FORWARDED, "X-Forwarded-For": "203.0.113.66, 198.51.100.1"}  # a client's own claim first
    answer = app_with(app, TRUSTED_PROXY_HOPS=1).test_client().get("/_whoami", headers=headers)

    assert answer.json["ip"] == "198.51.100.1"
    assert answer.json["scheme"] == "https"


def test_a_script_name_from_the_request_shapes_no_link(app):
    """gunicorn passes a trusted proxy's SCRIPT_NAME header on, cutting it off the path: the app
    puts it back on the path instead, so /phish/password/forgot is no page that writes /phish links."""
    client = app_with(app).test_client()

    smuggled = client.get("/_whoami", environ_overrides={"SCRIPT_NAME": "/phish"})

    assert smuggled.status_code == 404
    assert client.get("/_whoami").json["link"] == "http://localhost/login"


def test_a_configured_script_name_prefixes_links(app):
    client = app_with(app, SCRIPT_NAME="/cmmi").test_client()

    assert client.get("/cmmi/_whoami").json["link"] == "http://localhost/cmmi/login"


def test_signed_in_pages_and_api_answers_are_not_cached(app):
    tenant = make_tenant("Acme")
    user = make_user("pat@example.com")
    from saas.extensions import db
    from saas.tenants.models import Membership

    db.session.add(Membership(tenant=tenant, user=user, role="owner"))
    secret = token_for(user)
    browser = app.test_client().login(user)

    assert browser.get("/t/acme/").headers["Cache-Control"] == "no-store"
    assert browser.get("/t/acme/nothing-here").headers["Cache-Control"] == "no-store"
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    assert api.headers["Cache-Control"] == "no-store"
    assert "no-store" not in app.test_client().get("/").headers.get("Cache-Control", "")
