"""One connection to the journal's MariaDB database (PyMySQL, imported only when a connection opens)."""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from .url import JournalURL

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


def load_pymysql() -> Any:
    """PyMySQL, imported without the `cryptography` package (~20 ms of every journal command).

    PyMySQL imports it up front, but needs it only for MySQL's sha256_password and caching_sha2_password
    logins (their RSA exchange), which a MariaDB server does not ask for. Should one ask, the first such
    login imports it, as PyMySQL would have.
    """
    import sys

    if "pymysql" in sys.modules or "cryptography" in sys.modules:
        import pymysql as module

        return module
    blocker = _Without("cryptography")
    sys.meta_path.insert(0, blocker)
    try:
        import pymysql as module
    finally:
        sys.meta_path.remove(blocker)
    auth = module._auth

    def sha2_rsa_encrypt(*args: Any) -> Any:
        import importlib

        importlib.reload(auth)  # the module as PyMySQL wrote it, with cryptography if it is installed
        return auth.sha2_rsa_encrypt(*args)

    auth.sha2_rsa_encrypt = sha2_rsa_encrypt
    return module


_connection_type: Any = None


def connection_type() -> Any:
    """PyMySQL's Connection, but its opportunistic TLS context does not load the system's CA store.

    Without TLS options PyMySQL uses TLS when the server offers it and does not verify the certificate:
    the CA store it loads first (~18 ms per connection) is never consulted. The context here is the
    same unverified TLS (TLS 1.2 or newer, the standard library's defaults) without that load.
    """
    global _connection_type
    if _connection_type is None:
        mysql = load_pymysql()

        class Connection(mysql.connections.Connection):  # type: ignore[misc, name-defined]
            def _create_ssl_ctx(self, sslp: Any) -> Any:
                if sslp:  # TLS options given: PyMySQL's own context (not used by mcsctl today)
                    return super()._create_ssl_ctx(sslp)
                import ssl

                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                return ctx

        _connection_type = Connection
    return _connection_type


class _Without:
    """A meta path finder that makes one package (and its submodules) look absent while it is installed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname == self.name or fullname.startswith(self.name + "."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


class Db:
    """One connection to the journal's database, opened when first used and again after it broke."""

    def __init__(self, url: JournalURL, password: str | None, timeout: float) -> None:
        self.url = url
        self._password = password
        self.timeout = timeout
        self._conn: Any = None
        self._end: Any = None  # weakref.finalize: ends the session (COM_QUIT) once, whoever asks first

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
            connect = connection_type()
            from pymysql.constants import CLIENT

            self._conn = connect(
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
            # A session that just drops counts as aborted in MariaDB (a warning in its log): one that a library
            # caller (an Ansible module, a script) never closes is still ended politely, when this Db is
            # collected or at exit.
            self._end = weakref.finalize(self, _quit, self._conn)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn = None
            self._end()


def _quit(conn: Any) -> None:
    try:
        conn.close()  # COM_QUIT
    except Exception:
        pass  # it is already gone


def why(exc: BaseException) -> str:
    """One line for a database error: its message without pymysql's tuple form."""
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 2 and isinstance(args[0], int):
        return f"{args[1]} ({args[0]})"
    return str(exc) or type(exc).__name__


def db_errors() -> tuple[type[BaseException], ...]:
    return (load_pymysql().MySQLError, OSError)
