"""The foundation: health check, landing page, configuration rules, security headers."""

from __future__ import annotations

import pytest

from saas.config import ConfigError, config_from_env, database_url


def test_landing_page_answers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Start a 14-day free trial" in response.get_data(as_text=True)


def test_healthz_reports_database_and_redis_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "scheduler": "not running",  # tests run no scheduler or worker: fine outside production
        "workers": "not running",
        "scheduler_last_tick": None,
        "worker_last_job": None,
        "mail": "ok",
        "problems": [],
        "warnings": [],
    }


def test_healthz_names_redis_when_it_is_down(app, client):
    from redis import Redis

    working = app.extensions["redis"]
    app.config["REDIS_URL"], saved = "redis://127.0.0.1:1/0", app.config["REDIS_URL"]
    try:
        response = client.get("/healthz")
    finally:
        app.config["REDIS_URL"] = saved
    assert isinstance(working, Redis)
    assert response.status_code == 503
    assert response.json["redis"] == "down"
    assert response.json["database"] == "ok"


def test_production_refuses_to_start_without_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        config_from_env({"APP_ENV": "production"})


def test_production_cookies_are_secure():
    config = config_from_env({"APP_ENV": "production", "SECRET_KEY": "x" * 32})
    assert config["SESSION_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_heroku_style_postgres_urls_use_psycopg3():
    assert database_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"


def test_every_response_carries_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_unknown_page_gives_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Not Found" in response.get_data(as_text=True)
