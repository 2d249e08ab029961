"""`mcsctl journal export|import`: move records between this host's journal file and the shared database.

Both directions are idempotent: a record already on the other side (the same JSON: the same time, action,
server, who, outcome...) is not copied again, so a second run copies nothing.
"""

from __future__ import annotations

from pathlib import Path

from ..dataclass_lite import dataclass
from ..errors import UsageError

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from ..settings import Settings


@dataclass(frozen=True)
class Moved:
    """What a transfer did: `copied` records written to `target`, `present` already there, `skipped` unreadable."""

    copied: int
    present: int
    skipped: int
    source: str
    target: str

    def message(self, verb: str) -> str:
        unread = f"; {self.skipped} unreadable records left out" if self.skipped else ""
        return (
            f"{verb} {self.copied} records from {self.source} to {self.target} "
            f"({self.present} were already there){unread}"
        )


def _stores(settings: Settings, file: str | None) -> tuple[object, object]:
    from .filestore import Journal, default_path
    from .store import database
    from .url import is_database

    if not is_database(settings.journal):
        raise UsageError(
            "journal export and import move records to and from a shared journal: give it with "
            "--journal mariadb://USER@HOST:PORT/DATABASE (or journal = ... in the config)"
        )
    return database(settings), Journal(Path(file) if file else default_path())


def export(settings: Settings, file: str | None = None) -> Moved:
    """Append to the local file the database's records it does not have (database order)."""
    from .filestore import Journal
    from .mariadb import MariaDBJournal

    db, local = _stores(settings, file)
    assert isinstance(db, MariaDBJournal) and isinstance(local, Journal)
    records = db.read()
    have = {r.to_json() for r in local.read()}
    new = [r for r in records if r.to_json() not in have]
    local.check_writable()
    for r in new:
        try:
            local.append(r)
        except OSError as exc:
            from .filestore import unusable

            raise unusable(local.where, exc) from None
    return Moved(len(new), len(records) - len(new), db.skipped, db.where, local.where)


def import_(settings: Settings, file: str | None = None) -> Moved:
    """Insert into the database the local file's records it does not have (file order)."""
    from .filestore import Journal
    from .mariadb import MariaDBJournal

    db, local = _stores(settings, file)
    assert isinstance(db, MariaDBJournal) and isinstance(local, Journal)
    records = local.read()
    copied = db.import_records(records)
    return Moved(copied, len(records) - copied, local.skipped, local.where, db.where)
