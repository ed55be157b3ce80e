"""Browser tests: Playwright drives Debian's Chromium against the real app served on loopback.

The app runs in a thread (werkzeug) with its own app instance, against the test database and
Redis. A server in another thread cannot see the per-test transaction of tests/conftest.py, so
here `db_session` is replaced: data is committed, and after each test every table but the
catalog is truncated, as the database owner (the app's role may not truncate).

Without /usr/bin/chromium the tests are skipped, unless CI is set: then it is a failure.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page, Response
from sqlalchemy import create_engine, pool, text
from werkzeug.serving import make_server

from saas import create_app
from saas.extensions import db
from tests.mailbox import Mailbox
from tests.walker import data_tables

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
TIMEOUT_MS = 10_000


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
        pytest.fail(
            f"CI is set but {CHROMIUM} is missing: browser tests must run in CI (apt-get install chromium)"
        )
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); set CI=1 to make this a failure")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch arguments, pointed at the system Chromium (no downloaded browsers)."""
    _require_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


class LiveServer:
    """The app on 127.0.0.1:<free port>, served by werkzeug in a daemon thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app: Flask, mail_server: Mailbox, tmp_path_factory) -> Iterator[LiveServer]:
    """A second app instance over the same database (migrated by `app`), with its own URL in links."""
    _require_chromium()
    instance = tmp_path_factory.mktemp("live-instance")
    config = {
        key: app.config[key]
        for key in (
            "SQLALCHEMY_DATABASE_URI",
            "MIGRATION_DATABASE_URI",
            "REDIS_URL",
            "RATELIMIT_STORAGE_URI",
            "MAIL_URL",
            "SECRET_KEY",
        )
    }
    live_app = create_app(
        {
            **config,
            "APP_ENV": "test",
            "MAIL_DIR": str(instance / "mail"),
            "UPLOAD_DIR": str(instance / "uploads"),
        }
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access line per asset is noise
    server = LiveServer(live_app)
    live_app.config["BASE_URL"] = server.url  # links in emails point at this server
    server.start()
    yield server
    server.stop()
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """pytest-base-url's fixture: page.goto("/signup") opens the live server."""
    return live_server.url


@pytest.fixture(autouse=True)
def db_session(live_server: LiveServer, redis) -> Iterator:
    """Replaces the per-test transaction: browser tests commit, then every non-catalog table is emptied."""
    with live_server.app.app_context():
        yield db.session
        db.session.remove()
        truncate_all(live_server.app)


def truncate_all(app: Flask) -> None:
    """Empty every table except the catalog (global, read-only data loaded once per run)."""
    with app.app_context():
        tables = data_tables()
        url = app.config["MIGRATION_DATABASE_URI"]
    # The owner may truncate; the app's login role may not.
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL lock_timeout = '20s'"))  # fail loudly, never hang
                names = ", ".join(f'"{table.name}"' for table in tables)
                connection.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    connection.execute(table.delete())
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, base_url: str) -> dict:
    return {**browser_context_args, "base_url": base_url, "viewport": {"width": 1280, "height": 900}}


class Problems:
    """Console errors (CSP violations among them), uncaught exceptions and 5xx answers seen by a page."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, page: Page, who: str) -> Page:
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda message: self._console(who, message))
        page.on("pageerror", lambda error: self.seen.append(f"{who}: uncaught {error}"))
        page.on("response", lambda response: self._response(who, response))
        return page

    def _console(self, who: str, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.seen.append(f"{who}: console error on {message.location.get('url', '?')}: {message.text}")

    def _response(self, who: str, response: Response) -> None:
        if response.status >= 500:
            self.seen.append(f"{who}: {response.status} from {response.request.method} {response.url}")

    def assert_none(self, where: str = "") -> None:
        found, self.seen = self.seen, []
        assert not found, f"browser problems{' on ' + where if where else ''}:\n" + "\n".join(found)


@pytest.fixture
def problems() -> Iterator[Problems]:
    watcher = Problems()
    yield watcher
    watcher.assert_none("the last page")


@pytest.fixture
def new_page(new_context, problems: Problems):
    """Open a page in a fresh browser context (one person, their own cookies), watched for problems.

    pytest-playwright's `new_context` closes the contexts after the test.
    """

    def open_page(who: str) -> Page:
        return problems.watch(new_context().new_page(), who)

    return open_page


def screenshot(page: Page, name: str) -> None:
    """A full-page picture of a key page, kept under test-artifacts/browser/ (CI keeps them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# --- a line in the log saying how many browser tests ran (CI must show more than none) ------------

_outcomes: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.outcome] = _outcomes.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter) -> None:
    if _outcomes:
        counts = ", ".join(f"{count} {outcome}" for outcome, count in sorted(_outcomes.items()))
        terminalreporter.write_line(f"browser tests (Chromium at {CHROMIUM}): {counts}")
