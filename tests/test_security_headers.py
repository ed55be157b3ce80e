"""Security headers on every response (ASVS 14.4, 14.4.3, 3.4): every GET rule of the app, pages and
API, filled with the caller's own objects; errors and redirects too; HSTS, HTTPS and Secure
cookies in a production instance of the app.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import Headers

from saas.extensions import limiter
from tests.walker import World, all_rules, build_path, build_world, is_api, values_for

ROOT = Path(__file__).resolve().parent.parent


def parse_csp(value: str) -> dict[str, list[str]]:
    """{"script-src": ["'self'"], ...} from a Content-Security-Policy header."""
    policy = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            policy[words[0].lower()] = [word.lower() for word in words[1:]]
    return policy


def header_problems(headers: Headers) -> list[str]:
    """What is missing or too loose in one response's security headers."""
    problems = []
    csp = headers.get("Content-Security-Policy")
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        policy = parse_csp(csp)
        scripts = policy.get("script-src", policy.get("default-src"))
        if scripts is None:
            problems.append("CSP sets neither script-src nor default-src")
        elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts):
            problems.append(f"CSP lets scripts in loosely: script-src {' '.join(scripts)}")
        if "object-src" not in policy and "'none'" not in policy.get("default-src", []):
            problems.append("CSP does not shut out plugins (object-src)")
        frame_ancestors = policy.get("frame-ancestors")
        framing = headers.get("X-Frame-Options", "").upper()
        if frame_ancestors not in (["'none'"], ["'self'"]) and framing not in {"DENY", "SAMEORIGIN"}:
            problems.append("framing not refused (frame-ancestors / X-Frame-Options)")
    if headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    referrer = headers.get("Referrer-Policy", "")
    if referrer not in {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}:
        problems.append(f"Referrer-Policy missing or leaky: {referrer!r}")
    return problems


def test_the_check_itself_spots_loose_headers():
    good = Headers(
        {
            "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
        }
    )
    assert header_problems(good) == []
    loose = Headers(good)
    loose["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'"
    )
    loose["Referrer-Policy"] = "unsafe-url"
    assert header_problems(loose) == [
        "CSP lets scripts in loosely: script-src 'self' 'unsafe-inline'",
        "framing not refused (frame-ancestors / X-Frame-Options)",
        "Referrer-Policy missing or leaky: 'unsafe-url'",
    ]
    assert "no X-Content-Type-Options: nosniff" in header_problems(Headers())


@pytest.fixture
def home(app: Flask) -> World:
    return build_world("Alpha Home")


def test_every_get_rule_answers_with_the_security_headers(app, client, home, monkeypatch):
    """Signed in as the owner, with the owner's own objects: the pages as people see them."""
    monkeypatch.setattr(limiter, "enabled", False)
    client.login(home.owner)
    failures, seen = [], 0
    for rule in all_rules(app):
        if "GET" not in (rule.methods or ()):
            continue
        path = build_path(app, rule, values_for(rule, home), "GET")
        headers = {"Authorization": f"Bearer {home.api_token}"} if is_api(rule) else {}
        response = client.get(path, headers=headers)
        seen += 1
        if response.status_code >= 500:
            failures.append(f"GET {path} ({rule.endpoint}): {response.status_code}")
        failures += [
            f"GET {path} ({rule.endpoint}): {problem}" for problem in header_problems(response.headers)
        ]
    assert not failures, "\n".join(failures)
    assert seen >= 40


@pytest.mark.parametrize(
    ("path", "signed_in", "status"),
    [
        ("/no-such-page", False, 404),  # error pages
        ("/t/no-such-tenant/roadmaps", True, 404),
        ("/account", False, 302),  # redirects to sign in
        ("/login", False, 200),
        ("/healthz", False, 200),
    ],
)
def test_errors_and_redirects_carry_the_headers_too(client, home, path, signed_in, status):
    if signed_in:
        client.login(home.owner)
    response = client.get(path)
    assert response.status_code == status
    assert header_problems(response.headers) == []


def test_html_pages_set_a_strict_policy_and_no_hsts_outside_production(client, home):
    response = client.login(home.owner).get(f"/t/{home.tenant.slug}/roadmaps")

    policy = parse_csp(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain-HTTP development stays usable


# --- production --------------------------------------------------------------------------------

# Run in a fresh interpreter: the extensions (Talisman, the limiter) are module-level objects
# that remember the last app they were bound to, so a production app built in this process
# would switch HTTPS redirects on for the test app as well.
PRODUCTION_PROBE = textwrap.dedent(
    """
    import json, sys
    from flask_migrate import upgrade
    from saas import create_app
    from saas.accounts import services as accounts
    from saas.extensions import db

    app = create_app({"RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade(directory=sys.argv[1], revision="head")
        accounts.user_create(email="olivia@example.com", name="Olivia", password=sys.argv[2])
        db.session.commit()
    client = app.test_client()

    def cookies(response):
        return response.headers.getlist("Set-Cookie")

    plain = client.get("http://localhost/login")
    page = client.get("https://localhost/login")
    token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    login = client.post(
        "https://localhost/login",
        data={"csrf_token": token, "email": "olivia@example.com", "password": sys.argv[2], "remember": "y"},
        headers={"Referer": "https://localhost/login"},  # over HTTPS the CSRF check wants a same-site referrer
    )
    print(json.dumps({
        "plain_status": plain.status_code,
        "plain_location": plain.headers.get("Location", ""),
        "headers": dict(page.headers),
        "page_cookies": cookies(page),
        "login_status": login.status_code,
        "login_cookies": cookies(login),
        "config": {key: app.config[key] for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")},
    }))
    """
)


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict[str, Any]:
    """What a production instance (APP_ENV=production, as the Procfile runs it) answers over HTTP and HTTPS."""
    folder = tmp_path_factory.mktemp("production")
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "a-production-secret-for-the-header-test",
        "DATABASE_URL": f"sqlite:///{folder / 'production.db'}",
        "DATABASE_APP_ROLE": "",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # never reached by these pages
        "BASE_URL": "https://cmmi.example",
        "INSTANCE_DIR": str(folder),
        "MAIL_URL": "",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PRODUCTION_PROBE,
            str(ROOT / "migrations"),
            "a-long-and-unusual-prod-passphrase",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_plain_http_to_https(production):
    assert production["plain_status"] in {301, 302, 308}
    assert production["plain_location"].startswith("https://")


def test_production_sends_hsts_and_the_other_headers(production):
    headers = Headers(production["headers"])
    hsts = headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 15_552_000  # at least 180 days
    assert header_problems(headers) == []


def test_production_cookies_are_secure_httponly_and_samesite(production):
    assert production["config"] == {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}
    assert production["login_status"] == 302, "signed in"
    cookies = {
        cookie.split("=", 1)[0]: cookie for cookie in production["page_cookies"] + production["login_cookies"]
    }
    assert {"session", "remember_token"} <= set(cookies), cookies
    for name in ("session", "remember_token"):
        attributes = {part.strip().split("=")[0].lower() for part in cookies[name].split(";")[1:]}
        assert {"secure", "httponly"} <= attributes, cookies[name]
        assert "samesite=lax" in cookies[name].lower().replace(" ", ""), cookies[name]
