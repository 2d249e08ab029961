"""Is the node back? Wait for a fresh monitor view that shows it Running and caught up.

After a restart command returns, what MaxScale shows can still predate it: the monitor ticks every
`monitor_interval` (2 s by default). So a view only counts once each monitor has ticked twice since
the wait began or, for a backend that reports no tick counters, once `settle` seconds have passed.
Role words are hidden while a server is in maintenance (docs/maxscale-facts.md: role-words): in maintenance we check
Running and GTID; out of it, also the replica role.
"""

from __future__ import annotations

from .errors import McsctlError, OperationFailed, TimedOut
from .gtid import behind
from .model import Server

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from .fleet import Fleet, Views
    from .ui import UI

SETTLE = 2.0  # seconds, without monitor tick counters


class ChangedOutside(OperationFailed):
    """The server left maintenance while we waited for it (someone else cleared it): exit 1 at once."""


def monitor_ticks(fleet: Fleet) -> dict[str, int] | None:
    """Monitor tick counters per MaxScale (None when a backend does not report them)."""
    try:
        per_host = fleet.each(lambda b: b.list_monitors())
    except McsctlError:
        return None
    out: dict[str, int] = {}
    for host, monitors in zip(fleet.hosts, per_host, strict=True):
        ticks = [m.ticks for m in monitors]
        counted = [t for t in ticks if isinstance(t, int)]
        if not ticks or len(counted) < len(ticks):
            return None
        out[host] = sum(counted)
    return out


def not_back(s: Server | None, primary: Server | None, in_maintenance: bool) -> str | None:
    """Why a server is not back yet on one MaxScale (None = it is). One that left maintenance while it
    should be in it never gets here: `_check_still_in_maintenance` stops the wait first."""
    if s is None:
        return "not listed"
    if not s.running:
        return s.state
    if not in_maintenance and (s.in_maintenance or not s.is_replica):
        return s.state
    if primary is None or primary.gtid is None:
        # No visible primary (the server may be the primary, hidden by maintenance) or no GTIDs at all:
        # Running (with its role, out of maintenance) is all we can check.
        return None
    lag = behind(s.gtid, primary.gtid)
    if lag is None:
        return f"GTID {s.gtid or 'unknown'}, primary at {primary.gtid}"
    return f"{lag} transaction(s) behind {primary.name}" if lag else None


def _check_still_in_maintenance(name: str, views: Views) -> None:
    """Raise ChangedOutside when some MaxScale no longer has `name` in maintenance: waiting on is pointless."""
    out = {}
    for host, servers in views.items():
        s = next((x for x in servers if x.name == name), None)
        if s is not None and not s.in_maintenance:
            out[host] = s.state
    if out:
        raise ChangedOutside(
            f"{name} was taken out of maintenance outside this run ("
            + "; ".join(f"{h}: {state}" for h, state in out.items())
            + "); it may be taking traffic already, so mcsctl stopped waiting for it"
        )


def wait_back(
    fleet: Fleet,
    ui: UI,
    name: str,
    deadline: float,
    in_maintenance: bool,
    settle: float = SETTLE,
    budget: float | None = None,
) -> Views:
    """Poll until every MaxScale shows `name` back (see module doc) or raise TimedOut at `deadline`;
    the views that showed it.

    `budget` is the timeout as the admin gave it, for the message (the deadline may have started earlier).
    """
    clock = fleet.clock
    start = clock.now()
    settle = min(settle, max(deadline - start, 0) / 2)  # a short deadline must stay reachable
    base = monitor_ticks(fleet) if in_maintenance else None
    what = "Running and caught up" if in_maintenance else "Slave, Running and caught up"
    last = None
    while True:
        views = fleet.poll_read(deadline)  # one lost read (a blip, MaxScale restarting) is not the end
        if views is None:
            clock.sleep(min(fleet.poll, max(deadline - clock.now(), 0.01)))
            continue
        fresh = True
        if in_maintenance:
            _check_still_in_maintenance(name, views)  # taken out under us: not back, and never will be here
            if base is not None:
                now_ticks = monitor_ticks(fleet) or {}
                # Two ticks since we began; a counter that went down means that MaxScale restarted (fresh too).
                fresh = all((n := now_ticks.get(h)) is not None and (n >= t + 2 or n < t) for h, t in base.items())
            else:
                fresh = clock.now() - start >= settle
        pending = {}
        for host, servers in views.items():
            s = next((x for x in servers if x.name == name), None)
            p = next((x for x in servers if x.is_primary and x.name != name), None)
            why = not_back(s, p, in_maintenance)
            if why:
                pending[host] = why
        summary = "; ".join(f"{h}: {w}" for h, w in pending.items())
        if summary and summary != last:
            ui.info(f"{name} coming back... {summary}")
            last = summary
        if not pending and fresh:
            ui.info(f"{name} is {what} on every MaxScale")
            return views
        now = clock.now()
        if now >= deadline:
            raise TimedOut(
                f"{name}: not {what} within {budget if budget is not None else deadline - start:g}s "
                "of the command "
                f"({summary or 'no fresh monitor tick'}); it stays in maintenance"
            )
        clock.sleep(min(fleet.poll, max(deadline - now, 0.01)))
