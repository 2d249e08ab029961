"""One connection to the journal's MariaDB database (PyMySQL, imported only when a connection opens)."""

from __future__ import annotations

import atexit
from collections.abc import Iterable

from .url import JournalURL

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


class Db:
    """One connection to the journal's database, opened when first used and again after it broke."""

    def __init__(self, url: JournalURL, password: str | None, timeout: float) -> None:
        self.url = url
        self._password = password
        self.timeout = timeout
        self._conn: Any = None

    def run(self, sql: str, args: Iterable[Any] = ()) -> tuple[int, list[tuple[Any, ...]]]:
        """(rows affected or matched, rows) of one statement; raises pymysql's errors."""
        conn = self._connect()
        try:
            with conn.cursor() as cur:
                count = cur.execute(sql, tuple(args))
                return int(count), list(cur.fetchall())
        except Exception:
            self.close()  # a broken connection is opened again by the next statement
            raise

    def _connect(self) -> Any:
        if self._conn is None:
            import pymysql
            from pymysql.constants import CLIENT

            self._conn = pymysql.connect(
                host=self.url.host,
                port=self.url.port,
                user=self.url.user,
                password=self._password or "",
                database=self.url.database,
                autocommit=True,
                charset="utf8mb4",
                connect_timeout=max(1, int(self.timeout)),
                read_timeout=max(1, int(self.timeout)),
                write_timeout=max(1, int(self.timeout)),
                client_flag=CLIENT.FOUND_ROWS,  # an UPDATE counts the rows it matched (a renewal)
            )
            # A session that just drops at exit counts as aborted in MariaDB (a warning in its log): a
            # library caller (an Ansible module, a script) that never closes still ends it politely.
            atexit.register(self.close)
        return self._conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            atexit.unregister(self.close)
            try:
                conn.close()
            except Exception:
                pass  # it is already gone


def why(exc: BaseException) -> str:
    """One line for a database error: its message without pymysql's tuple form."""
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 2 and isinstance(args[0], int):
        return f"{args[1]} ({args[0]})"
    return str(exc) or type(exc).__name__


def db_errors() -> tuple[type[BaseException], ...]:
    import pymysql

    return (pymysql.MySQLError, OSError)
