"""The who/why/until-when ledger: an append-only JSON-lines file of what mcsctl did.

Location: `path` argument (`--journal`, `$MCSCTL_JOURNAL`, `journal` in the config file) >
`$XDG_STATE_HOME/mcsctl/journal.jsonl` > `~/.local/state/mcsctl/journal.jsonl`. The directory is
created 0700, the file 0600.

Each line is one `Record`. Writers append a whole line with one `write` on an `O_APPEND`
descriptor under an exclusive `flock`, then `fsync`, so concurrent mcsctl processes never
interleave; a torn last line left by a crash is terminated before the next append.
Readers skip (and count) lines they cannot parse instead of failing.

Record conventions the helpers below rely on:
- `hosts` lists the MaxScales on which the change took effect.
- Only records whose `outcome` is `ok` or `partial` change the open/closed picture.
- `on` and `run-start` open a maintenance on (server, host); `off`, `reap` and `run-end` close
  it. A `run-end` with `extra["cleared"] is False` (command failed, maintenance kept) does not.
- An opening record with no hosts opens on an unknown host; any closing record for the server
  closes that, and a closing record with no hosts closes every host.

`status_rows` returns one dict per server with these keys (the `--format json` contract):
    server          str    server name
    in_maintenance  bool   some MaxScale currently reports Maintenance for it
    hosts           list   MaxScales reporting Maintenance now (sorted)
    action          str|None   the open record's action (`on` or `run-start`), None if none
    since           float|None epoch seconds of the open record
    by              str|None   `user@hostname` who set it
    reason          str|None
    expires         float|None epoch seconds
    overdue         bool   expires has passed and it is not stale
    source          str|None   `mcsctl` (open record), `outside mcsctl` (live maintenance without
                               an open record), None (neither)
    stale           bool   open record, but no MaxScale that was asked reports Maintenance
    draining        bool   some MaxScale reports Draining or Drained for it
    draining_hosts  list   those MaxScales (sorted)
    interrupted     bool   a change was begun (intent record) by a process on this host that is gone
    unfinished      dict|None  the latest change with no outcome: action, state (running, interrupted,
                               or unfinished = recorded on another host), pid, host, since, by

Intent records: before its first change a command writes one `intent` record per server with
outcome `started` and `extra` {id, for (the action), pid, start (the process start time, to tell a
reused pid), host, command}; when it ends, an `intent`
record with the same id and its outcome (ok, failed, refused, timeout, interrupted, partial, or
closed when a later `off` cleans up after a process that died). An `on` or `extend` on a server
whose maintenance is open updates it: `since` stays (kept in `extra["since"]`), and a reason or
expiry not given is kept.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The record itself lives in record.py; its names are the journal's too (callers import them from here).
from .record import CLOSES, EFFECTIVE, INTENT, OPENS, STARTED, UNKNOWN_HOST, Record, hostname, who

if TYPE_CHECKING:
    from .lock import LocalStateError

__all__ = [
    "CLOSES",
    "EFFECTIVE",
    "INTENT",
    "OPENS",
    "STARTED",
    "UNKNOWN_HOST",
    "Journal",
    "Record",
    "default_path",
    "expired",
    "hostname",
    "intent_state",
    "open_maintenances",
    "status_rows",
    "unfinished_intents",
    "who",
]


def default_path() -> Path:
    """Where the journal lives when no path is given: `$XDG_STATE_HOME/mcsctl/journal.jsonl` (mcsctl/paths.py).

    `$MCSCTL_JOURNAL` is the `--journal` option's environment variable: Typer reads it, not this."""
    from .paths import state_dir

    return state_dir() / "journal.jsonl"


class Journal:
    """The ledger file. `skipped` holds how many corrupt lines the last `read()` ignored."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.skipped = 0

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


def unusable(path: Path, exc: OSError) -> LocalStateError:
    """The one-line error for a journal that cannot be written (exit 3)."""
    from .lock import LocalStateError

    return LocalStateError(
        f"cannot write the journal {path}: {exc.strerror or exc}; nothing was changed",
        hint="fix it, or work without records with --no-journal (or journal = false in the config)",
    )


def unreadable(path: Path, exc: OSError) -> LocalStateError:
    """The one-line error for a journal that cannot be read (exit 3)."""
    from .lock import LocalStateError

    return LocalStateError(
        f"cannot read the journal {path}: {exc.strerror or exc}",
        hint="fix it, or work without records with --no-journal",
    )


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


def intent_state(rec: Record, this_host: str, alive: Callable[[int, Any], bool]) -> str:
    """`running` (its process lives on this host), `interrupted` (it is gone), or `unfinished`
    (recorded on another host, where its pid cannot be checked from here).

    `alive(pid, start)` checks the pid; `start` (the process start time, when recorded) tells a
    reused pid from the process that wrote the intent.
    """
    pid = rec.extra.get("pid")
    if rec.extra.get("host") != this_host or not isinstance(pid, int) or isinstance(pid, bool):
        return "unfinished"
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
) -> list[dict[str, Any]]:
    """Merge the journal with live state into rows sorted by server (keys: module docstring).

    `live` maps server -> {MaxScale host: in maintenance}, `draining` the same for Draining/Drained;
    a host missing from them was not asked (unreachable), so it never makes a record stale. Without
    `server`, rows cover every server in maintenance or draining live, with an open record or with
    an unfinished intent; with `server`, exactly that server. `this_host`/`alive` check intents' pids.
    """
    records = list(records)
    draining = draining or {}
    if alive is None:
        from .lock import pid_alive

        alive = pid_alive
    this_host = hostname() if this_host is None else this_host
    opened = open_maintenances(records)
    intents = {
        s: [(r, intent_state(r, this_host, alive)) for r in recs] for s, recs in unfinished_intents(records).items()
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
