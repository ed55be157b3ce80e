"""Helpers shared by the tests: a client that signs in, people and tenants, running jobs."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask import g, has_app_context
from flask.testing import FlaskClient
from rq import SimpleWorker
from rq.registry import FinishedJobRegistry

from saas.accounts import services as accounts
from saas.accounts.models import User
from saas.accounts.passwords import hash_password
from saas.database import utcnow
from saas.extensions import db
from saas.jobs import QUEUES, queue, redis_connection
from saas.tenants import services as tenants
from saas.tenants.models import Membership, Tenant
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session, session_scope

PASSWORD = "a-long-and-unusual-test-passphrase"


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose; hash the test password once


class TestClient(FlaskClient):
    """A test client that can sign in as a user without going through the login form."""

    def open(self, *args: Any, **kwargs: Any):
        """Every request starts with an empty `g`, as it does in production.

        Requests reuse the app context the test holds (for its database session), and with it
        `g`: without this, the user Flask-Login caches there, and the tenant, would carry over
        from one request, or one client, to the next.
        """
        if not has_app_context():
            return super().open(*args, **kwargs)
        saved = vars(g).copy()
        vars(g).clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            vars(g).clear()
            vars(g).update(saved)

    def login(self, user: User, *, remember: bool = False) -> TestClient:
        token = accounts.login_session_start(user, remember=remember)
        db.session.commit()
        with self.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        return self

    def csrf_token(self, path: str = "/") -> str:
        """The CSRF token the page at `path` would carry (tests run with CSRF on)."""
        html = self.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def submit(self, path: str, data: dict | None = None, **kwargs):
        """POST a form with the page's CSRF token, as a browser would."""
        payload = {"csrf_token": self.csrf_token(kwargs.pop("token_page", "/")), **(data or {})}
        return self.post(path, data=payload, **kwargs)


def make_user(email: str = "user@example.com", name: str = "Test User", *, verified: bool = True) -> User:
    """A user with the test PASSWORD; `verified=False` for one who never confirmed the address."""
    user = User(
        email=accounts.normalise_email(email),
        name=name,
        password_hash=_password_hash(),
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_tenant(name: str = "Acme", owner: User | None = None) -> Tenant:
    owner = owner or make_user(f"owner@{tenants.slugify(name)}.example", f"{name} Owner")
    tenant = tenants.tenant_create(name=name, owner=owner)
    db.session.flush()
    return tenant


def add_member(tenant: Tenant, role: Role, email: str | None = None) -> User:
    user = make_user(email or f"{role.value}@{tenant.slug}.example", role.label)
    db.session.add(Membership(tenant=tenant, user=user, role=role))
    db.session.flush()
    return user


def owner_of(tenant: Tenant) -> User:
    return db.session.scalar(
        db.select(User)
        .join(Membership)
        .where(Membership.tenant_id == tenant.id, Membership.role == Role.OWNER)
    )


def run_jobs() -> int:
    """Run every queued job (of every queue) in this process with a real RQ worker; return how many
    succeeded."""
    queues = [queue(name) for name in QUEUES]
    finished = [FinishedJobRegistry(queue=q) for q in queues]
    before = sum(registry.count for registry in finished)
    SimpleWorker(queues, connection=redis_connection()).work(burst=True)
    # The jobs' sessions shared this test's connection and set its tenant setting (RLS) for
    # themselves; give the test's session its own back.
    scope_session(db.session, session_scope(db.session))
    return sum(registry.count for registry in finished) - before
