"""The cluster-wide limit (`max_in_maintenance`): how many servers of a cluster may be out at once.

Several changers working in parallel (Ansible forks, two admins) each pass a per-server lock, so the
limit needs a lock of the whole cluster: the count and the change happen under clusterlock.cluster_lock
(this host's flock, and a lease in the shared journal's database when there is one), which a second
changer waits for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

from .errors import GuardRefused, UsageError

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from .fleet import Views
    from .settings import Settings

LOCK_KEY = "max-in-maintenance"  # the cluster lock (clusterlock.py) the count and the change hold
LOCK_WAIT = 3600.0  # seconds a changer waits for another one's change of the same cluster to finish


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
def limited(settings: Settings, read: Callable[[], Views], names: Sequence[str], limit: int | None) -> Iterator[None]:
    """The block (a change of `names`) under the cluster lock, after the count of what `read()` shows;
    without a limit, as is."""
    from .clusterlock import cluster_lock

    if limit is None:
        yield
        return
    with cluster_lock(settings, LOCK_KEY, wait=LOCK_WAIT):
        check_limit(read(), names, limit)
        yield
