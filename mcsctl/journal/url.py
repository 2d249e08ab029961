"""The journal's `mariadb://USER@HOST:PORT/DATABASE` address: parsed once, printed without any password."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from ..dataclass_lite import dataclass
from ..errors import UsageError

SCHEME = "mariadb://"
DEFAULT_PORT = 3306


def is_database(journal: str | None) -> bool:
    """Whether the `journal` setting names a database rather than a file."""
    return journal is not None and journal.lower().startswith(SCHEME)


@dataclass(frozen=True)
class JournalURL:
    user: str
    host: str
    port: int
    database: str

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{SCHEME}{self.user}@{host}:{self.port}/{self.database}"


def parse(url: str) -> JournalURL:
    """Parse a journal URL; a bad one is one UsageError line that never repeats a password it may hold."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket; the URL is not repeated (it may hold a password)
        raise UsageError("--journal: expected mariadb://USER@HOST[:PORT]/DATABASE") from None
    if parts.password is not None:
        raise UsageError(
            "the journal URL must not hold a password",
            hint="put it in journal_password in the config file (chmod 600) or in MCSCTL_JOURNAL_PASSWORD",
        )
    shown = f"{SCHEME}{parts.netloc}{parts.path}"
    if not parts.username or not parts.hostname:
        raise UsageError(f"--journal {shown}: expected mariadb://USER@HOST[:PORT]/DATABASE")
    database = parts.path.lstrip("/")
    if not database or "/" in database or parts.query or parts.fragment:
        raise UsageError(f"--journal {shown}: expected mariadb://USER@HOST[:PORT]/DATABASE (one database name)")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise UsageError(
            f"--journal {shown}: expected mariadb://USER@HOST[:PORT]/DATABASE, a port from 1 to 65535"
        ) from None
    return JournalURL(unquote(parts.username), parts.hostname, port, unquote(database))
