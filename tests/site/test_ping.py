"""The plain endpoint the benchmark uses as the server's ceiling: no database, no Redis."""

from __future__ import annotations

from sqlalchemy import event

from saas.extensions import db


def test_ping_answers_ok_without_touching_the_database(app, client):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get("/healthz/ping")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.headers["Cache-Control"] == "no-store"
    assert statements == []
