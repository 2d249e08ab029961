"""The one interface of a journal store (`Store`) and `open_journal`, which picks the store the settings name."""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Protocol

    from ..record import Record
    from ..settings import Settings
    from .lease import Lease
    from .mariadb import MariaDBJournal
else:
    Protocol = object  # the protocols here are for mypy only


class Store(Protocol):
    """What every journal store does. `append` raises OSError when the record could not be written (after
    a change that is a warning); `read` and `check_writable` raise LocalStateError (exit 3)."""

    @property
    def skipped(self) -> int: ...  # corrupt records the last read() ignored

    @property
    def where(self) -> str: ...  # the path or the URL (never with a password), for messages

    def append(self, record: Record) -> None: ...

    def read(self) -> list[Record]: ...

    def check_writable(self) -> None: ...

    def lease(self, key: str) -> Lease | None: ...  # a shared lease on `key`, None when the store has none

    def lease_holders(self) -> set[tuple[str, int]]: ...  # (host, pid) of the live leases; empty for a file

    def close(self) -> None: ...  # let go of the connection, if any (the next use opens it again)


def open_journal(settings: Settings, warn: Callable[[str], None]) -> Store:
    """The store of `settings.journal`: the file (a path, or the default), or the MariaDB database of a
    mariadb:// URL. With `journal_fallback = "local"` an unreachable database gives the local file instead,
    said loudly through `warn`."""
    from .filestore import Journal
    from .url import is_database

    if not is_database(settings.journal):
        return Journal(settings.journal)
    from ..lock import LocalStateError

    db = database(settings, warn)
    if settings.journal_fallback != "local":
        return db
    try:
        db.check_writable()
    except LocalStateError as exc:
        local = Journal()
        warn(
            f"{exc}; WRITING THE LOCAL JOURNAL {local.where} INSTEAD (--journal-fallback local): other hosts "
            "will not see these records, and the per-server lock is this host's only; move them later with "
            "mcsctl journal import"
        )
        return local
    return db


def database(settings: Settings, warn: Callable[[str], None] | None = None) -> MariaDBJournal:
    """The MariaDB store of `settings.journal` (a mariadb:// URL), not yet connected."""
    from .mariadb import MariaDBJournal
    from .url import parse

    assert settings.journal is not None
    return MariaDBJournal(
        parse(settings.journal),
        settings.journal_password,
        lease_seconds=settings.lease_seconds,
        timeout=settings.timeout,
        warn=warn,
    )
