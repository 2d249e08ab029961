"""The file store: the journal as an append-only JSON-lines file (the embedded default; see the package docstring)."""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from ..record import Record

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from ..lock import LocalStateError


def default_path() -> Path:
    """Where the journal lives when no path is given: `$XDG_STATE_HOME/mcsctl/journal.jsonl` (mcsctl/paths.py).

    `$MCSCTL_JOURNAL` is the `--journal` option's environment variable: Typer reads it, not this."""
    from ..paths import state_dir

    return Path(state_dir()) / "journal.jsonl"


class Journal:
    """The ledger file. `skipped` holds how many corrupt lines the last `read()` ignored."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.skipped = 0

    @property
    def where(self) -> str:
        """Where the records go, for messages."""
        return str(self.path)

    def lease(self, key: str) -> None:
        """No shared lease: on this host the per-server flock (lock.py) is the lock."""
        return None

    def close(self) -> None:
        """Nothing held: each read and append opens the file."""

    def lease_holders(self) -> set[tuple[str, int]]:
        return set()

    def append(self, record: Record) -> None:
        """Append one record durably: one write of one line, under an exclusive flock, then fsync."""
        # surrogateescape'd argv text cannot be UTF-8 encoded; backslashreplace turns it into a
        # `\udcXX` escape, which is still valid JSON inside the string it came from.
        data = (record.to_json() + "\n").encode("utf-8", "backslashreplace")
        self._make_dir()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    # A crash left a torn last line: end it, or it would swallow this record.
                    data = b"\n" + data
                view = memoryview(data)
                while view:  # a regular file takes it in one go; loop only for safety
                    n = os.write(fd, view)
                    view = view[n:]
                os.fsync(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def check_writable(self) -> None:
        """Open and lock the journal as `append` will, before anything changes.

        Raises LocalStateError (exit 3) naming the path and the reason. A full disk only shows at a
        write: the intent record written next is that write.
        """
        try:
            self._make_dir()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        except OSError as exc:
            raise unusable(self.path, exc) from None

    def read(self) -> list[Record]:
        """Every parseable record in file order; a missing file is an empty journal.

        Raises LocalStateError (exit 3) naming the path when it cannot be read (a directory, EACCES).
        """
        self.skipped = 0
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise unreadable(self.path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # never see a line half-written by another process
            with os.fdopen(os.dup(fd), "rb") as f:
                raw = f.read()
        except OSError as exc:
            raise unreadable(self.path, exc) from None
        finally:
            os.close(fd)
        records = []
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                records.append(Record.from_json(line.decode("utf-8", "replace")))
            except (ValueError, TypeError):
                self.skipped += 1
        return records

    def _make_dir(self) -> None:
        parent = self.path.parent
        if parent.is_dir():
            return  # never change the mode of a directory we did not create
        try:
            os.makedirs(parent, mode=0o700)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
            return
        os.chmod(parent, 0o700)  # makedirs' mode is filtered by the umask


def unusable(path: Path | str, exc: OSError) -> LocalStateError:
    """The one-line error for a journal that cannot be written (exit 3)."""
    from ..lock import LocalStateError

    return LocalStateError(
        f"cannot write the journal {path}: {exc.strerror or exc}; nothing was changed",
        hint="fix it, or work without records with --no-journal (or journal = false in the config)",
    )


def unreadable(path: Path | str, exc: OSError) -> LocalStateError:
    """The one-line error for a journal that cannot be read (exit 3)."""
    from ..lock import LocalStateError

    return LocalStateError(
        f"cannot read the journal {path}: {exc.strerror or exc}",
        hint="fix it, or work without records with --no-journal",
    )
