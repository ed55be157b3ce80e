"""Side effects wait for the whole transaction: a released or rolled-back SAVEPOINT is not the end of it."""

from __future__ import annotations

from saas.jobs import after_commit


def test_a_released_savepoint_runs_nothing_yet(db_session):
    ran = []
    after_commit(lambda: ran.append("first"))
    with db_session.begin_nested():  # e.g. mail_queue recording the next message
        pass
    assert ran == []
    db_session.commit()
    assert ran == ["first"]


def test_a_rolled_back_savepoint_drops_only_what_it_registered(db_session):
    ran = []
    after_commit(lambda: ran.append("before"))
    savepoint = db_session.begin_nested()  # e.g. a unique index refusing a row
    after_commit(lambda: ran.append("inside"))
    savepoint.rollback()
    after_commit(lambda: ran.append("after"))
    db_session.commit()
    assert ran == ["before", "after"]


def test_a_rolled_back_transaction_drops_everything(db_session):
    ran = []
    after_commit(lambda: ran.append("lost"))
    with db_session.begin_nested():
        after_commit(lambda: ran.append("lost too"))
    db_session.rollback()
    db_session.commit()
    assert ran == []
