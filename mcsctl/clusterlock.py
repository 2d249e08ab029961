"""`cluster_lock`: a lock on any key of a cluster (e.g. the whole cluster, for Ansible's `max_in_maintenance`),
the same two layers as the per-server lock of a change: this host's flock (lock.py) and, when the journal is
a mariadb:// database, a shared lease in it (journal/lease.py) renewed while held.

    from mcsctl.clusterlock import cluster_lock
    with cluster_lock(cluster.settings, "rolling-window") as took_over:
        ...  # no other mcsctl, on any host sharing the journal, holds "rolling-window" of this cluster

It raises GuardRefused (exit 4) naming the holder (after waiting up to `wait` seconds for it to let go),
or with `takeover` yields that holder and goes ahead; LocalStateError (exit 3) when the lock directory or
the database cannot be used.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from .errors import GuardRefused
from .lock import Holder, ServerLock, cluster_digest

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from .journal.lease import Lease
    from .settings import Settings


@contextlib.contextmanager
def cluster_lock(
    settings: Settings,
    key: str = "cluster",
    *,
    takeover: bool = False,
    warn: Callable[[str], None] | None = None,
    wait: float = 0.0,
    poll: float = 0.1,
) -> Iterator[Holder | None]:
    """Hold `key` of the cluster of `settings.hosts` for the block; yields the holder taken over from, or None.
    A held lock is waited for up to `wait` seconds (parallel changers queue: Ansible forks) before refusing."""
    deadline = time.monotonic() + wait
    while True:
        stack = contextlib.ExitStack()
        try:
            holder = stack.enter_context(_held(settings, key, takeover, warn))
        except GuardRefused:
            if time.monotonic() >= deadline:
                raise
            time.sleep(poll)
            continue
        with stack:  # a GuardRefused from inside the block is the block's own: never retried
            yield holder
        return


@contextlib.contextmanager
def _held(settings: Settings, key: str, takeover: bool, warn: Callable[[str], None] | None) -> Iterator[Holder | None]:
    local = ServerLock(f"@{key}", list(settings.hosts))  # "@": never the lock file of a server
    holder = local.acquire(takeover)
    lease: Lease | None = None
    try:
        if holder is None and not settings.no_journal:
            from .journal import open_journal

            lease = open_journal(settings, warn or (lambda _message: None)).lease(
                f"cluster/{key[:200]}@{cluster_digest(settings.hosts)}"
            )
            holder = lease.acquire(takeover, what=f"the cluster lock {key!r}") if lease is not None else None
        yield holder
    finally:
        if lease is not None:
            lease.release()
        local.release()
