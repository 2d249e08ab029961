"""The cluster-wide limit (`max_in_maintenance`): how many servers of a cluster may be out at once.

Several changers working in parallel (Ansible forks, two admins) each pass a per-server lock, so the
limit needs a lock of the whole cluster: the count and the change happen under `cluster_lock`. On this
host that is a flock in the runtime directory, next to lock.py's per-server locks; a shared journal
in a database would hold a lease there instead, behind the same function.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import GuardRefused, UsageError
from .lock import LocalStateError, _private_dir
from .paths import runtime_dir

if TYPE_CHECKING:
    from .fleet import Views

LOCK_WAIT = 3600.0  # seconds a changer waits for another one's change of the same cluster to finish


def cluster_lock_path(hosts: Sequence[str], base: Path | None = None) -> Path:
    """The lock file of the cluster of `hosts` (their order does not matter)."""
    digest = hashlib.sha256(",".join(sorted(hosts)).encode()).hexdigest()[:12]
    return (base or runtime_dir()) / f"cluster-{digest}.lock"


@contextlib.contextmanager
def cluster_lock(
    hosts: Sequence[str], base: Path | None = None, wait: float = LOCK_WAIT, poll: float = 0.05
) -> Iterator[Path]:
    """Hold the cluster's lock for the block; waits up to `wait` seconds for another holder (then exit 4)."""
    path = cluster_lock_path(hosts, _private_dir(base or runtime_dir()))
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise LocalStateError(f"cannot open the cluster lock {path}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise LocalStateError(f"cannot lock {path}: {exc.strerror}") from None
            if time.monotonic() >= deadline:
                raise GuardRefused(f"another mcsctl has been changing this cluster for over {wait:g}s; not waiting")
            time.sleep(poll)
        yield path
    finally:
        os.close(fd)  # drops the flock


def out_of_service(views: Views) -> set[str]:
    """The servers some MaxScale shows in maintenance or draining."""
    return {s.name for servers in views.values() for s in servers if s.in_maintenance or s.draining}


def check_limit(views: Views, names: Sequence[str], limit: int) -> None:
    """Refuse (exit 4) when taking out `names` would leave more than `limit` servers out of service."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise UsageError(f"--max-in-maintenance must be a whole number of servers, not {limit!r}")
    out = out_of_service(views)
    after = sorted(out | set(names))
    if set(names) - out and len(after) > limit:  # a change that takes nobody new out never counts
        already = sorted(out - set(names))
        raise GuardRefused(
            f"taking out {', '.join(n for n in names if n not in out) or ', '.join(names)} would leave "
            f"{len(after)} servers in maintenance or draining, more than --max-in-maintenance {limit}"
            + (f" ({', '.join(already)} already)" if already else "")
            + "; nothing was changed",
            hint="bring a server back first, or raise --max-in-maintenance",
        )


@contextlib.contextmanager
def limited(hosts: Sequence[str], read: Callable[[], Views], names: Sequence[str], limit: int | None) -> Iterator[None]:
    """The block (a change of `names`) under the cluster lock, after the count of what `read()` shows;
    without a limit, as is."""
    if limit is None:
        yield
        return
    with cluster_lock(hosts):
        check_limit(read(), names, limit)
        yield
