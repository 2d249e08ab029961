"""The MariaDB store: the journal's records (and the per-server leases, lease.py) in a shared database.

Every host that names the same `mariadb://USER@HOST:PORT/DATABASE` sees the same records. Each statement
runs on its own (autocommit): never a held transaction or a connection-bound lock (GET_LOCK), which would
die with a switchover of the database behind MaxScale. A connection that breaks is opened again; a write
retries for up to `lease_seconds` (it rides out a switchover), saying so once, and after one write has
given up the following ones try once each (a cleanup is never held up for long).

Tables (created when missing; `mcsctl_schema` holds the version, a newer one is refused):
  mcsctl_journal  seq (order), rid (sha256 of the record's JSON: an import never duplicates), time, action,
                  server, record (the record's JSON line, as in the file)
  mcsctl_lease    name (the key), owner, host, pid, command, since, expires (the database's clock)

PyMySQL (pure Python) is imported only for a mariadb:// journal (db.load_pymysql).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from ..lock import LocalStateError
from ..record import Record
from .db import Db, db_errors, load_pymysql, why
from .lease import NOW, Lease
from .url import JournalURL

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

SCHEMA_VERSION = 1
TABLES = (
    "CREATE TABLE IF NOT EXISTS mcsctl_schema (id TINYINT PRIMARY KEY, version INT NOT NULL) ENGINE=InnoDB",
    "CREATE TABLE IF NOT EXISTS mcsctl_journal (seq BIGINT AUTO_INCREMENT PRIMARY KEY, rid CHAR(64) NOT NULL,"
    " time DOUBLE NOT NULL, action VARCHAR(64) NOT NULL, server VARCHAR(255) NULL, record LONGTEXT NOT NULL,"
    " UNIQUE KEY (rid), KEY (server)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS mcsctl_lease (name VARCHAR(255) PRIMARY KEY, owner CHAR(32) NOT NULL,"
    " host VARCHAR(255) NOT NULL, pid INT NULL, command VARCHAR(400) NOT NULL, since DOUBLE NOT NULL,"
    " expires DOUBLE NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
)
NO_SUCH_TABLE, ACCESS_DENIED, BAD_DB = 1146, 1045, 1049


class JournalDown(OSError):
    """A record could not be written to the database (the caller warns, or stops before a change)."""


def rid_of(record: Record) -> str:
    """The record's identity in the database: the same record imported twice is stored once."""
    return hashlib.sha256(record.to_json().encode("utf-8", "backslashreplace")).hexdigest()


class MariaDBJournal:
    """The journal in a MariaDB database (module docstring); the same interface as the file (store.Store)."""

    def __init__(
        self,
        url: JournalURL,
        password: str | None,
        lease_seconds: float = 120.0,
        timeout: float = 10.0,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.skipped = 0
        self.lease_seconds = lease_seconds
        self._password = password
        self._timeout = timeout
        self.db = Db(url, password, timeout)
        self._warn = warn or (lambda _message: None)
        self._ready = False
        self._gave_up = False  # a write gave up: the next ones try once

    @property
    def where(self) -> str:
        return str(self.url)

    def close(self) -> None:
        """End the session politely (COM_QUIT): MariaDB counts a connection that just drops as aborted and
        logs a warning for it. The next statement connects again."""
        self.db.close()

    def connection(self) -> Db:
        """A new connection to the same database (a lease's renewer has its own)."""
        return Db(self.url, self._password, self._timeout)

    def check_writable(self) -> None:
        """Reach the database and make its tables before anything changes; LocalStateError (exit 3) if not."""
        try:
            self._prepare()
        except db_errors() as exc:
            raise self.unusable(exc, "nothing was changed") from None

    def _prepare(self) -> None:
        if self._ready:
            return
        try:
            _, rows = self.db.run("SELECT version FROM mcsctl_schema WHERE id = 1")
        except load_pymysql().MySQLError as exc:
            if not exc.args or exc.args[0] != NO_SUCH_TABLE:
                raise
            rows = []
        if not rows:
            for sql in TABLES:
                self.db.run(sql)
            self.db.run("INSERT IGNORE INTO mcsctl_schema (id, version) VALUES (1, %s)", (SCHEMA_VERSION,))
            _, rows = self.db.run("SELECT version FROM mcsctl_schema WHERE id = 1")
        version = int(rows[0][0]) if rows else SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise LocalStateError(
                f"the journal {self.where} has schema version {version}, newer than this mcsctl knows "
                f"({SCHEMA_VERSION}); nothing was changed",
                hint="upgrade mcsctl on this host",
            )
        self._ready = True

    def unusable(self, exc: BaseException, tail: str) -> LocalStateError:
        code = exc.args[0] if getattr(exc, "args", None) else None
        hint = "check it, or use --journal-fallback local to write this host's file instead"
        if code == ACCESS_DENIED:
            hint = "check the user and journal_password (config file) or MCSCTL_JOURNAL_PASSWORD"
        return LocalStateError(f"cannot use the journal {self.where}: {why(exc)}; {tail}", hint=hint)

    def append(self, record: Record) -> None:
        """Insert one record (an identical one already there is kept, not doubled); JournalDown if it cannot."""
        sql = "INSERT IGNORE INTO mcsctl_journal (rid, time, action, server, record) VALUES (%s, %s, %s, %s, %s)"
        args = (rid_of(record), record.time, record.action, record.server, record.to_json())
        self.retrying(lambda: self._write(sql, args), f"record {record.action} {record.server or ''}".strip())

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        self._prepare()
        self.db.run(sql, args)

    def retrying(self, write: Callable[[], None], what: str) -> None:
        """Do `write`, retrying a broken connection for up to lease_seconds (once, after a write gave up)."""
        deadline = time.monotonic() + (0 if self._gave_up else self.lease_seconds)
        said = False
        while True:
            try:
                write()
                self._gave_up = False
                return
            except LocalStateError as exc:
                raise JournalDown(str(exc)) from None
            except db_errors() as exc:
                if time.monotonic() >= deadline:
                    self._gave_up = True
                    raise JournalDown(why(exc)) from None
                if not said:
                    said = True
                    self._warn(
                        f"the journal {self.where} does not answer ({why(exc)}); retrying for up to "
                        f"{self.lease_seconds:g}s to {what}"
                    )
                time.sleep(min(1.0, max(0.05, self.lease_seconds / 10)))

    def read(self) -> list[Record]:
        """Every record in the order written; LocalStateError (exit 3) when the database cannot be read."""
        try:
            self._prepare()
            _, rows = self.db.run("SELECT record FROM mcsctl_journal ORDER BY seq")
        except db_errors() as exc:
            raise self.unusable(exc, "its records cannot be read") from None
        self.skipped = 0
        records = []
        for (line,) in rows:
            try:
                records.append(Record.from_json(line))
            except (ValueError, TypeError):
                self.skipped += 1
        return records

    def lease(self, key: str) -> Lease:
        """The shared lease on `key` (lease.py), renewed on its own connection while held."""
        return Lease(self, key, self.lease_seconds, self._warn)

    def lease_holders(self) -> set[tuple[str, int]]:
        """(host, pid) of every live lease: a change on another host that still renews its lease is running.
        Empty when the database cannot be read (the changes then show as unfinished, as without leases)."""
        unreadable: tuple[type[BaseException], ...] = (*db_errors(), LocalStateError)
        try:
            self._prepare()
            _, rows = self.db.run(f"SELECT host, pid FROM mcsctl_lease WHERE expires >= {NOW} AND pid IS NOT NULL")
        except unreadable:
            return set()
        return {(str(host), int(pid)) for host, pid in rows}

    def import_records(self, records: list[Record]) -> int:
        """Insert the records not already there, in their order; how many were new."""
        self.check_writable()
        sql = "INSERT IGNORE INTO mcsctl_journal (rid, time, action, server, record) VALUES (%s, %s, %s, %s, %s)"
        added = 0
        try:
            for r in records:
                count, _ = self.db.run(sql, (rid_of(r), r.time, r.action, r.server, r.to_json()))
                added += count
        except db_errors() as exc:
            raise self.unusable(exc, f"{added} records were imported before it failed") from None
        return added
