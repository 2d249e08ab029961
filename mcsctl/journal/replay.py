"""Replaying the journal's records: what is open, expired or unfinished, and the status rows (package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from ..dataclass_lite import replace
from ..record import CLOSES, EFFECTIVE, INTENT, OPENS, STARTED, UNKNOWN_HOST, Record, hostname

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


def _effective(rec: Record) -> bool:
    return rec.server is not None and rec.outcome in EFFECTIVE


def _open_by_host(records: Iterable[Record]) -> dict[str, dict[str, Record]]:
    """server -> {host: opening record} after replaying the journal in order."""
    state: dict[str, dict[str, Record]] = {}
    for rec in records:
        if not _effective(rec):
            continue
        server = rec.server
        assert server is not None
        if rec.action in OPENS:
            per_host = state.setdefault(server, {})
            if per_host:  # a re-run of `on` or an `extend`: it updates the maintenance that is open
                rec = _updated(max(per_host.values(), key=lambda r: r.time), rec)
            for host in rec.hosts or [UNKNOWN_HOST]:
                per_host[host] = rec
        elif rec.action in CLOSES:
            if rec.action == "run-end" and rec.extra.get("cleared") is False:
                continue
            per_host = state.get(server, {})
            targets = list(per_host) if not rec.hosts else [*rec.hosts, UNKNOWN_HOST]
            for host in targets:
                per_host.pop(host, None)
            if not per_host:
                state.pop(server, None)
    return state


def _updated(prev: Record, new: Record) -> Record:
    """`new` applied to the open maintenance `prev`: `since` stays, a missing reason/expiry is kept."""
    return replace(
        new,
        action=prev.action if new.action == "extend" else new.action,
        reason=new.reason if new.reason is not None else prev.reason,
        expires=new.expires if new.expires is not None else prev.expires,
        extra={**new.extra, "since": since_of(prev)},
    )


def since_of(rec: Record) -> float:
    """When the maintenance `rec` belongs to began (an update keeps the first `since`)."""
    since = rec.extra.get("since")
    return float(since) if isinstance(since, (int, float)) and not isinstance(since, bool) else rec.time


def open_maintenances(records: Iterable[Record]) -> dict[str, Record]:
    """server -> its latest opening record still open somewhere.

    The returned record's `hosts` is narrowed to the hosts still open (a partial `off` on
    one MaxScale leaves the others listed); the unknown-host marker is not listed.
    """
    result = {}
    for server, per_host in _open_by_host(records).items():
        latest = max(per_host.values(), key=lambda r: r.time)
        hosts = sorted(h for h in per_host if h != UNKNOWN_HOST)
        result[server] = replace(latest, hosts=hosts)
    return result


def expired(records: Iterable[Record], now: float) -> list[Record]:
    """Open maintenances whose `expires` is at or before `now`, soonest first (for `reap`)."""
    due = [r for r in open_maintenances(records).values() if r.expires is not None and r.expires <= now]
    return sorted(due, key=lambda r: (r.expires, r.server))


def unfinished_intents(records: Iterable[Record]) -> dict[str, list[Record]]:
    """server -> its intent records that have no outcome yet, oldest first."""
    started: dict[tuple[str, str], Record] = {}
    for rec in records:
        if rec.action != INTENT or rec.server is None:
            continue
        key = (str(rec.extra.get("id")), rec.server)
        if rec.outcome == STARTED:
            started[key] = rec
        else:
            started.pop(key, None)
    out: dict[str, list[Record]] = {}
    for (_, server), rec in started.items():
        out.setdefault(server, []).append(rec)
    return out


def intent_state(
    rec: Record, this_host: str, alive: Callable[[int, Any], bool], leased: Collection[tuple[str, int]] = ()
) -> str:
    """`running` (its process lives on this host, or holds a live lease in the shared journal),
    `interrupted` (it is gone), or `unfinished` (recorded on another host, where its pid cannot be checked).

    `alive(pid, start)` checks the pid; `start` (the process start time, when recorded) tells a
    reused pid from the process that wrote the intent. `leased` holds the (host, pid) of live leases.
    """
    pid = rec.extra.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool):
        return "unfinished"
    if rec.extra.get("host") != this_host:
        return "running" if (rec.extra.get("host"), pid) in leased else "unfinished"
    start = rec.extra.get("start")
    return "running" if alive(pid, start if isinstance(start, str) else None) else "interrupted"


def status_rows(
    records: Iterable[Record],
    live: Mapping[str, Mapping[str, bool]],
    now: float,
    server: str | None = None,
    draining: Mapping[str, Mapping[str, bool]] | None = None,
    this_host: str | None = None,
    alive: Callable[[int, Any], bool] | None = None,
    leased: Collection[tuple[str, int]] = (),
) -> list[dict[str, Any]]:
    """Merge the journal with live state into rows sorted by server (keys: module docstring).

    `live` maps server -> {MaxScale host: in maintenance}, `draining` the same for Draining/Drained;
    a host missing from them was not asked (unreachable), so it never makes a record stale. Without
    `server`, rows cover every server in maintenance or draining live, with an open record or with
    an unfinished intent; with `server`, exactly that server. `this_host`/`alive`/`leased` check intents' pids.
    """
    records = list(records)
    draining = draining or {}
    if alive is None:
        from ..lock import pid_alive

        alive = pid_alive
    this_host = hostname() if this_host is None else this_host
    opened = open_maintenances(records)
    intents = {
        s: [(r, intent_state(r, this_host, alive, leased)) for r in recs]
        for s, recs in unfinished_intents(records).items()
    }
    if server is not None:
        names = [server]
    else:
        live_on = {s for s, hosts in live.items() if any(hosts.values())}
        draining_on = {s for s, hosts in draining.items() if any(hosts.values())}
        names = sorted(live_on | draining_on | set(opened) | set(intents))
    return [
        _row(name, opened.get(name), live.get(name, {}), now, draining.get(name, {}), intents.get(name, []))
        for name in names
    ]


def _row(
    name: str,
    rec: Record | None,
    live_hosts: Mapping[str, bool],
    now: float,
    drain_hosts: Mapping[str, bool] | None = None,
    intents: list[tuple[Record, str]] | None = None,
) -> dict[str, Any]:
    in_maint = sorted(h for h, on in live_hosts.items() if on)
    drained = sorted(h for h, on in (drain_hosts or {}).items() if on)
    intents = intents or []
    stale = False
    if rec is not None and not in_maint:
        # Stale only when some MaxScale was actually asked and said no.
        asked = [h for h in (rec.hosts or live_hosts) if h in live_hosts]
        stale = bool(asked)
    if rec is not None or intents:
        source = "mcsctl"
    elif in_maint or drained:
        source = "outside mcsctl"
    else:
        source = None
    expires = rec.expires if rec is not None else None
    change = None
    if intents:  # the latest unfinished change; an interrupted one matters most
        intent, state = max(intents, key=lambda i: (i[1] == "interrupted", i[0].time))
        change = {
            "action": intent.extra.get("for"),
            "state": state,
            "pid": intent.extra.get("pid"),
            "host": intent.extra.get("host"),
            "since": intent.time,
            "by": intent.user,
        }
    return {
        "server": name,
        "in_maintenance": bool(in_maint),
        "hosts": in_maint,
        "draining": bool(drained),
        "draining_hosts": drained,
        "action": rec.action if rec else None,
        "since": since_of(rec) if rec else None,
        "by": rec.user if rec else (change["by"] if change else None),
        "reason": rec.reason if rec else None,
        "expires": expires,
        "overdue": expires is not None and now >= expires and not stale,
        "source": source,
        "stale": stale,
        "interrupted": any(state == "interrupted" for _, state in intents),
        "unfinished": change,
    }
