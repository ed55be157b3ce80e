"""Personal API tokens (ASVS 3.5.2, 7.1.1): bearer only, hashed, expiring, revocable, never logged."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from saas.accounts import api_tokens
from saas.accounts.models import ApiToken
from saas.database import utcnow
from saas.extensions import db
from saas.tenants.permissions import Role
from tests.api.conftest import ApiClient, token_for
from tests.support import make_user


def stored(secret: str) -> ApiToken:
    db.session.expire_all()
    return db.session.scalar(select(ApiToken).where(ApiToken.prefix == secret[: api_tokens.PREFIX_SHOWN]))


def test_a_live_token_reaches_the_api_as_its_user(client, people):
    api = ApiClient(client, token_for(people[Role.STAFF]))

    response = api.get("/me")

    assert response.status_code == 200
    assert response.json["email"] == people[Role.STAFF].email
    assert response.json["tenants"] == [{"slug": "acme-services", "name": "Acme Services", "role": "staff"}]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token cmmi_x",
        "Bearer cmmi_unknown",
        "Bearer a b",
    ],
)
def test_no_or_an_unknown_token_gets_401_with_www_authenticate(client, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}

    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer realm=")
    assert response.json["status"] == 401
    assert response.json["errors"] == {}
    assert response.json["message"]


def test_a_revoked_token_gets_401_on_the_next_request(client, people):
    user = people[Role.PROGRAM_MANAGER]
    secret = token_for(user)
    api = ApiClient(client, secret)
    assert api.get("/me").status_code == 200

    api_tokens.api_token_revoke(user=user, token=stored(secret))
    db.session.commit()
    response = api.get("/me")

    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]
    assert response.json["message"] == "The token has been revoked."


def test_revoking_on_the_tokens_page_locks_the_token_out(client, people):
    user = people[Role.OWNER]
    secret = token_for(user, name="CI sync")
    client.login(user)

    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert "CI sync" in page
    assert secret[: api_tokens.PREFIX_SHOWN] in page
    response = client.submit(f"/account/api-tokens/{stored(secret).id}/revoke", token_page="/account")

    assert response.status_code == 302
    assert ApiClient(client, secret).get("/me").status_code == 401


def test_someone_elses_token_cannot_be_revoked(client, people):
    theirs = token_for(people[Role.STAFF])
    client.login(people[Role.OWNER])

    response = client.submit(f"/account/api-tokens/{stored(theirs).id}/revoke", token_page="/account")

    assert response.status_code == 404
    assert ApiClient(client, theirs).get("/me").status_code == 200


def test_an_expired_token_gets_401(client, people):
    secret = token_for(people[Role.VIEWER], expires_in_days=30)
    api = ApiClient(client, secret)
    assert api.get("/me").status_code == 200

    with time_machine.travel(utcnow() + timedelta(days=30, seconds=1)):
        response = api.get("/me")

    assert response.status_code == 401
    assert response.json["message"] == "The token has expired."


def test_the_token_is_stored_only_as_its_sha256_digest(people):
    secret = token_for(people[Role.OWNER])
    row = stored(secret)

    assert secret.startswith("cmmi_")
    assert len(secret) >= 40
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {row.name, row.prefix, row.token_hash}
    assert row.prefix == secret[:12]


def test_the_token_is_shown_once_on_the_page_and_never_again(client, people):
    client.login(people[Role.OWNER])

    created = client.submit(
        "/account/api-tokens", {"name": "Jira sync", "expires": "90"}, token_page="/account"
    )
    secret = (
        created.get_data(as_text=True)
        .split('id="new-token-value" type="text" readonly value="')[1]
        .split('"')[0]
    )

    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    assert ApiClient(client, secret).get("/me").status_code == 200
    later = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in later
    assert "Jira sync" in later
    assert stored(secret).expires_at is not None


def test_a_token_in_the_query_string_is_not_accepted(client, people):
    secret = token_for(people[Role.OWNER])

    for name in ("access_token", "token", "api_token"):
        assert client.get(f"/api/v1/me?{name}={secret}").status_code == 401


def test_the_session_cookie_does_not_authenticate_the_api(client, people, tenant):
    """Signed in to the pages, a browser still gets 401 from the API: no ambient credential, so no CSRF."""
    client.login(people[Role.OWNER])

    assert client.get("/api/v1/me").status_code == 401
    response = client.post(
        f"/api/v1/t/{tenant.slug}/roadmaps", json={"name": "Sneaky", "target_kind": "free"}
    )
    assert response.status_code == 401


def test_api_writes_need_no_csrf_token(owner_api, tenant):
    response = owner_api.post(
        f"/t/{tenant.slug}/roadmaps", json={"name": "By token", "target_kind": "free", "area_codes": ["WP"]}
    )

    assert response.status_code == 201, response.json


def test_the_token_never_appears_in_logs(app, client, people, tenant, caplog):
    secret = token_for(people[Role.OWNER])
    api = ApiClient(client, secret)
    caplog.set_level(logging.DEBUG)

    api.get("/me")
    api.get(f"/t/{tenant.slug}/items")
    api.post(f"/t/{tenant.slug}/items", json={"roadmap_id": 99, "title": "x"})
    ApiClient(client, secret + "x").get("/me")
    api_tokens.api_token_revoke(user=people[Role.OWNER], token=stored(secret))
    db.session.commit()
    api.get("/me")

    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    assert secret[len(api_tokens.TOKEN_PREFIX) :] not in logged


def test_last_used_is_written_at_most_once_a_minute(client, people):
    secret = token_for(people[Role.OWNER])
    api = ApiClient(client, secret)
    start = utcnow()

    def last_used_after_get(at):
        with time_machine.travel(at, tick=False):
            assert api.get("/me").status_code == 200
        db.session.rollback()  # what the request did not commit is gone, as at the end of a real one
        return stored(secret).last_used_at

    assert last_used_after_get(start) == start
    assert last_used_after_get(start + timedelta(seconds=30)) == start
    assert last_used_after_get(start + timedelta(seconds=61)) == start + timedelta(seconds=61)


def test_the_rate_limit_is_per_token_and_answers_429_in_json(app, client, people, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    busy = ApiClient(client, token_for(people[Role.OWNER]))
    other = ApiClient(client, token_for(people[Role.STAFF]))

    answers = [busy.get("/me").status_code for _ in range(4)]
    refused = busy.get("/me")

    assert answers == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused.json["status"] == 429
    assert refused.json["errors"] == {}
    assert "Retry-After" in refused.headers
    assert other.get("/me").status_code == 200


def test_token_names_and_expiry_are_checked(people):
    user = make_user("someone@example.com")
    with pytest.raises(api_tokens.AccountError):
        api_tokens.api_token_create(user=user, name="   ", expires_in_days=None)
    with pytest.raises(api_tokens.AccountError):
        api_tokens.api_token_create(user=user, name="x", expires_in_days=7)
