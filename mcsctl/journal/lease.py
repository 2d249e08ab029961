"""A lease on a key in the journal's database: the shared per-server lock (and any other key, e.g. a
cluster-wide one) when the journal is MariaDB.

A lease is a row (key, owner, host, pid, command, since, expires). It is taken by deleting the key's
expired row and inserting ours (the primary key lets one inserter win), renewed by a thread of the
holder every quarter of `lease_seconds` on a connection of its own, and deleted on release. A holder
that is gone (kill -9, a host that died) stops renewing: its lease expires `lease_seconds` after the
last renewal. Times are the database's clock (UNIX_TIMESTAMP(NOW(6))), so hosts' clocks do not matter.
A renewal that fails is retried at the next tick and said once; the lease lasts three more ticks.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from ..errors import GuardRefused
from .db import db_errors, why

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Protocol

    from ..lock import Holder, LocalStateError
    from .db import Db
else:
    Protocol = object  # the protocols here are for mypy only


NOW = "UNIX_TIMESTAMP(NOW(6))"


class LeaseStore(Protocol):
    """What a lease uses of the MariaDB store (mariadb.MariaDBJournal)."""

    db: Db

    @property
    def where(self) -> str: ...

    def connection(self) -> Db: ...

    def check_writable(self) -> None: ...

    def unusable(self, exc: BaseException, tail: str) -> LocalStateError: ...


class Lease:
    """The lease on `key`: `acquire()` takes it (or returns the live holder with `takeover`, or raises
    GuardRefused naming it); `release()` gives it back. Raises LocalStateError when the database is down."""

    def __init__(self, journal: LeaseStore, key: str, seconds: float, warn: Callable[[str], None]) -> None:
        self.journal = journal
        self.key = key[:255]
        self.seconds = seconds
        self.owner = uuid.uuid4().hex
        self._warn = warn
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False  # a renewal found the row gone or someone else's
        self.failing = False  # the last renewal could not reach the database

    def acquire(self, takeover: bool = False, what: str | None = None) -> Holder | None:
        """Take the lease; the live holder we go ahead despite (with `takeover`), else None."""
        from ..lock import _me

        me = _me()
        self.journal.check_writable()
        db = self.journal.db
        try:
            db.run(f"DELETE FROM mcsctl_lease WHERE name = %s AND expires < {NOW}", (self.key,))
            got, _ = db.run(
                "INSERT IGNORE INTO mcsctl_lease (name, owner, host, pid, command, since, expires) "
                f"VALUES (%s, %s, %s, %s, %s, {NOW}, {NOW} + %s)",
                (self.key, self.owner, me.host, me.pid, me.command[:400], self.seconds),
            )
            holder = None if got else self._holder()
        except db_errors() as exc:
            raise self.journal.unusable(exc, "nothing was changed") from None
        if holder is None:
            self._start()
            return None
        if takeover:
            return holder
        raise GuardRefused(
            f"{what or self.key} is being changed by another mcsctl: {holder.describe()} (its lease in "
            f"{self.journal.where} lasts while it runs, {self.seconds:g}s after it stops renewing)",
            hint="wait for it to finish, or add --takeover to go ahead anyway (it is journalled)",
        )

    def _holder(self) -> Holder:
        from ..lock import Holder

        _, rows = self.journal.db.run("SELECT pid, command, since, host FROM mcsctl_lease WHERE name = %s", (self.key,))
        if not rows:  # released between our insert and this read: name nobody rather than retry
            return Holder(None, "mcsctl", None, "")
        pid, command, since, host = rows[0]
        return Holder(int(pid) if pid is not None else None, str(command), float(since), str(host))

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._renew_loop, name=f"lease {self.key}", daemon=True)
        self._thread.start()

    def _renew_loop(self) -> None:
        db = self.journal.connection()
        failing = False
        try:
            while not self._stop.wait(self.seconds / 4):
                try:
                    found, _ = db.run(
                        f"UPDATE mcsctl_lease SET expires = {NOW} + %s WHERE name = %s AND owner = %s",
                        (self.seconds, self.key, self.owner),
                    )
                except db_errors() as exc:
                    if not failing:
                        self._warn(
                            f"cannot renew the lease on {self.key} in {self.journal.where} ({why(exc)}); "
                            f"retrying every {self.seconds / 4:g}s (it lasts {self.seconds:g}s from the last renewal)"
                        )
                    failing = self.failing = True
                    continue
                if failing:
                    self._warn(f"renewed the lease on {self.key} again")
                    failing = self.failing = False
                if not found and not self.lost:
                    self.lost = True
                    self._warn(f"lost the lease on {self.key}: it expired or was taken over")
        finally:
            db.close()

    def release(self) -> None:
        """Stop renewing and delete our row (best effort: if that fails, the lease expires by itself)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=max(1.0, self.journal.db.timeout))
        if self._thread is None:
            return
        self._thread = None
        if self.failing:  # the database is away: do not wait for it again, the lease expires by itself
            return
        try:
            self.journal.db.run("DELETE FROM mcsctl_lease WHERE name = %s AND owner = %s", (self.key, self.owner))
        except db_errors():
            pass
