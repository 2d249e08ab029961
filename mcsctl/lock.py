"""The per-server lock: one mcsctl at a time changes a server of a cluster, on this host.

A lock is a file per (server, cluster hosts) in the runtime directory (`runtime_dir()`), held with
`flock` for the whole change. The holder writes its pid, command line, host and start time into it,
so a second mcsctl can name who holds it. A holder that dies drops the flock with its descriptor,
so a lock is never left behind by a crash or kill -9.

The runtime directory, not the state directory: a read-only or full state directory (where the
journal lives) must not stop the lock, and `--no-journal` does not drop it.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

from .dataclass_lite import dataclass
from .errors import GuardRefused, Unreachable
from .paths import runtime_dir  # $XDG_RUNTIME_DIR/mcsctl, else /run/user/UID/mcsctl, else a private temp dir


class LocalStateError(Unreachable):
    """The journal or the lock directory cannot be used (exit 3, like an unusable maxctrl)."""


def _private_dir(path: Path) -> Path:
    """Create `path` 0700 if missing; refuse one that is not ours or open to others (shared /tmp)."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.lstat(path)
    except OSError as exc:
        raise LocalStateError(f"cannot use the lock directory {path}: {exc.strerror}") from None
    import stat

    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise LocalStateError(
            f"the lock directory {path} is not a private directory of this user",
            hint="remove it, or set XDG_RUNTIME_DIR",
        )
    return path


def cluster_digest(hosts: list[str] | tuple[str, ...]) -> str:
    """A short name of the cluster of `hosts` (order does not matter)."""
    return hashlib.sha256(",".join(sorted(hosts)).encode()).hexdigest()[:12]


def lock_path(server: str, hosts: list[str] | tuple[str, ...], base: Path | None = None) -> Path:
    """The lock file of `server` in the cluster of `hosts` (order does not matter)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", server)[:80]
    return (base or Path(runtime_dir())) / f"{safe}-{cluster_digest(hosts)}.lock"


def lease_key(server: str, hosts: list[str] | tuple[str, ...]) -> str:
    """The key of `server`'s shared lease (journal/lease.py) in the cluster of `hosts`."""
    return f"server/{server[:200]}@{cluster_digest(hosts)}"


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as it wrote itself into the file."""

    pid: int | None
    command: str
    since: float | None
    host: str

    def describe(self) -> str:
        from .record import hostname
        from .render import when

        since = f" since {when(self.since)}" if self.since else ""
        command = self.command if len(self.command) <= 120 else self.command[:117] + "..."
        where = f" on {self.host}" if self.host and self.host != hostname() else ""
        return f"pid {self.pid}{where} ({command}){since}"

    def as_dict(self) -> dict[str, int | str | float | None]:
        return {"pid": self.pid, "command": self.command, "since": self.since, "host": self.host}


def command_line() -> str:
    """This process's command line, shell-quoted, with a --password value masked."""
    import shlex

    argv = [os.path.basename(sys.argv[0]) if sys.argv else "mcsctl"]
    hide = False
    for arg in sys.argv[1:]:
        if hide:
            arg, hide = "***", False
        elif arg in ("-p", "--password"):
            hide = True
        elif arg.startswith("--password="):
            arg = "--password=***"
        elif arg.startswith("-p") and len(arg) > 2 and not arg.startswith("--"):
            arg = "-p***"
        argv.append(arg)
    # One line whatever the arguments hold: it goes into one-line errors and the journal.
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", shlex.join(argv))[:300]


def _me() -> Holder:
    from .record import hostname

    return Holder(os.getpid(), command_line(), time.time(), hostname())


def _read_holder(fd: int) -> Holder:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        if not isinstance(data, dict):
            raise ValueError
    except (OSError, ValueError):
        data = {}
    pid = data.get("pid")
    since = data.get("since")
    return Holder(
        pid if isinstance(pid, int) else None,
        str(data.get("command") or "mcsctl"),
        float(since) if isinstance(since, (int, float)) else None,
        str(data.get("host") or ""),
    )


class ServerLock:
    """The lock of one server; `acquire()` takes it or raises GuardRefused naming the holder.

    With `takeover`, a live holder does not stop us: `acquire()` returns that holder (to be journalled)
    and we go on without the lock, the holder keeps it.
    """

    def __init__(self, server: str, hosts: list[str] | tuple[str, ...], base: Path | None = None):
        self.server = server
        self.hosts = list(hosts)
        self.base = base
        self.path: Path | None = None
        self._fd: int | None = None

    def acquire(self, takeover: bool = False) -> Holder | None:
        """Take the lock; returns the live holder we took over from (with `takeover`), else None."""
        base = _private_dir(self.base or Path(runtime_dir()))
        self.path = lock_path(self.server, self.hosts, base)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise LocalStateError(f"cannot open the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise LocalStateError(f"cannot lock {self.path}: {exc.strerror}") from None
            holder = _read_holder(fd)
            os.close(fd)
            if not takeover:
                raise GuardRefused(
                    f"{self.server} is being changed by another mcsctl: {holder.describe()}",
                    hint="wait for it to finish, or add --takeover to go ahead anyway (it is journalled)",
                ) from None
            return holder
        self._fd = fd
        self._write_me(fd)
        return None

    @staticmethod
    def _write_me(fd: int) -> None:
        data = json.dumps(_me().as_dict()).encode()
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        except OSError:
            pass  # the lock holds without its label; a second mcsctl then names an unknown holder

    def release(self) -> None:
        """Drop the lock (the file stays: unlinking it would race with a process about to lock it)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            os.close(fd)


def process_start(pid: int) -> str | None:
    """When the process started (clock ticks since boot, /proc/PID/stat field 22); None if unknown.

    Recorded with an intent so a pid reused by another process later is not taken for the change.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
        return stat.rsplit(")", 1)[1].split()[19]  # fields after the command name, which may hold spaces
    except (OSError, IndexError):
        return None


def pid_alive(pid: int, start: str | None = None) -> bool:
    """Whether the process `pid` exists on this host (and, given `start`, is the one that started then)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    except (OverflowError, ValueError, OSError):
        return False
    if start is not None:
        now = process_start(pid)
        return now is None or now == start
    return True
