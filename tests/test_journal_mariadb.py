"""The MariaDB store's retry rule (mcsctl/journal/mariadb.py) without a server: a broken connection is retried
for up to lease_seconds, said once; after a write gave up, the next ones try once. The real server is in
tests/cli/test_shared_journal_e2e.py."""

from __future__ import annotations

import pymysql
import pytest

from mcsctl.journal.mariadb import JournalDown, MariaDBJournal, rid_of
from mcsctl.journal.url import parse
from mcsctl.record import Record


@pytest.fixture
def store():
    warned: list[str] = []
    db = MariaDBJournal(parse("mariadb://u@db1/j"), "pw", lease_seconds=0.3, warn=warned.append)
    return db, warned


def test_a_write_retries_says_so_once_then_gives_up_and_the_next_tries_once(store):
    db, warned = store
    calls = []

    def broken():
        calls.append(1)
        raise pymysql.err.OperationalError(2013, "Lost connection to server during query")

    with pytest.raises(JournalDown, match=r"Lost connection to server during query \(2013\)"):
        db.retrying(broken, "record on mcs3")
    assert len(calls) > 1 and len(warned) == 1
    assert "does not answer" in warned[0] and "retrying for up to 0.3s to record on mcs3" in warned[0]
    calls.clear()
    with pytest.raises(JournalDown):
        db.retrying(broken, "record off mcs3")
    assert len(calls) == 1  # gave up before: one try, no wait


def test_a_write_that_comes_back_is_done_and_resets(store):
    db, warned = store
    tries = iter([True, True, False])

    def flaky():
        if next(tries):
            raise pymysql.err.OperationalError(2003, "Can't connect")

    db.retrying(flaky, "record on mcs3")
    assert len(warned) == 1 and db._gave_up is False


def test_the_same_record_has_one_identity():
    r = Record(time=1.0, action="on", server="mcs3", user="a@h", reason="x")
    assert rid_of(r) == rid_of(Record.from_json(r.to_json())) and len(rid_of(r)) == 64
    assert rid_of(r) != rid_of(Record(time=1.0, action="on", server="mcs3", user="a@h", reason="y"))
