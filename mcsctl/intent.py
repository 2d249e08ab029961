"""`changing()`: the frame around every change mcsctl makes to servers.

Before the first request that changes anything it (a) checks the journal can be written, (b) takes
the per-server lock(s) (`lock.py`), (c) writes one intent record per server; on the way out it (d)
writes the outcome (ok, failed, refused, timeout, interrupted, partial). A crash or kill -9 between
(c) and (d) leaves an intent without an outcome, which `maintenance status` shows as interrupted.

Nested calls for a server already being changed by this process (run -> enter, enter -> switchover)
pass through: the outer frame holds the lock and writes the records.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

from .dataclass_lite import dataclass, field
from .errors import GuardRefused, Interrupted, McsctlError, Partial, TimedOut

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any, Protocol

    from .emitter import Events
    from .fleet import Fleet
    from .journal import Store
    from .lock import Holder
    from .ui import UI
else:
    Protocol = object  # the protocols here are for mypy only


CLEANS_UP = frozenset({"off", "reap", "run-end"})  # a successful one closes a dead process's intent


@dataclass
class Intent:
    """One change in progress. A procedure may set `outcome`/`hosts`/`note` to say more than the
    exception (or its absence) does; `took_over` lists the live lock holders overridden (--takeover)."""

    id: str
    action: str
    names: list[str]
    outcome: str | None = None
    hosts: list[str] | None = None
    note: str | None = None
    took_over: dict[str, Holder] = field(default_factory=dict)


class Releasable(Protocol):
    """A lock held for the change: the flock of lock.py or a lease of journal/lease.py."""

    def release(self) -> None: ...


class Frame(Protocol):
    """What a change's frame uses of the procedures (procedures.core.Core) that make the change."""

    _intents: dict[str, Intent]  # server -> the intent this process is carrying out
    journal: Store | None
    lock_dir: Path | None
    fleet: Fleet
    ui: UI
    wall: Callable[[], float]
    events: Events  # events and hooks (emitter.py)

    def record(
        self, action: str, server: str | None, outcome: str, hosts: list[str] | None = None, **kw: Any
    ) -> None: ...


def outcome_of(exc: BaseException | None) -> str:
    """The journal outcome of a change that ended with `exc` (None: it worked)."""
    if exc is None:
        return "ok"
    if isinstance(exc, (KeyboardInterrupt, Interrupted)):
        return "interrupted"
    if isinstance(exc, Partial):
        return "partial"
    if isinstance(exc, GuardRefused):
        return "refused"
    if isinstance(exc, TimedOut):
        return "timeout"
    return "failed"


@contextlib.contextmanager
def changing(
    proc: Frame, action: str, names: list[str], takeover: bool = False, dry_run: bool = False
) -> Iterator[Intent]:
    """See the module docstring. `proc` is a Frame: a procedures.Procedures."""
    active = proc._intents
    fresh = [n for n in dict.fromkeys(names) if n not in active]
    if dry_run or not fresh:  # nothing changes, or an outer frame already covers these servers
        yield active[names[0]] if names and names[0] in active else Intent("", action, list(names))
        return
    journal = proc.journal
    if journal is not None:
        journal.check_writable()
    intent = Intent(uuid.uuid4().hex[:12], action, fresh)
    locks: list[Releasable] = []
    try:
        if proc.lock_dir is not None:
            _lock_all(proc, intent, locks, takeover)
        _begin(proc, intent)
        for n in fresh:
            active[n] = intent
        try:
            yield intent
        except BaseException as exc:
            _end(proc, intent, outcome_of(exc), exc)
            raise
        else:
            _end(proc, intent, "ok", None)
        finally:
            for n in fresh:
                active.pop(n, None)
    finally:
        for lock in locks:
            lock.release()


def _lock_all(proc: Frame, intent: Intent, locks: list[Releasable], takeover: bool) -> None:
    """This host's flock of each server, and its shared lease when the journal is a database (journal/lease.py)."""
    from .lock import ServerLock, lease_key

    for n in intent.names:
        lock = ServerLock(n, proc.fleet.hosts, proc.lock_dir)
        holder = lock.acquire(takeover)
        if holder is None:
            locks.append(lock)
            lease = proc.journal.lease(lease_key(n, proc.fleet.hosts)) if proc.journal is not None else None
            if lease is not None:
                holder = lease.acquire(takeover, what=n)
                if holder is None:
                    locks.append(lease)
        if holder is not None:
            intent.took_over[n] = holder
            proc.ui.warn(f"{n}: taking over from {holder.describe()} (--takeover)")


def _begin(proc: Frame, intent: Intent) -> None:
    """Write the intent (and takeover) records; a journal that fails here stops the change (exit 3)."""
    journal = proc.journal
    if journal is None:
        return
    from .journal import INTENT, STARTED, Record, hostname, unusable, who
    from .lock import command_line, process_start

    user, host = who(), hostname()
    command = command_line()
    start = process_start(os.getpid())
    try:
        for n in intent.names:
            if n in intent.took_over:
                journal.append(
                    Record(
                        time=proc.wall(),
                        action="takeover",
                        server=n,
                        hosts=proc.fleet.hosts,
                        user=user,
                        extra={"id": intent.id, "for": intent.action, "holder": intent.took_over[n].as_dict()},
                    )
                )
            journal.append(
                Record(
                    time=proc.wall(),
                    action=INTENT,
                    server=n,
                    hosts=proc.fleet.hosts,
                    user=user,
                    outcome=STARTED,
                    extra={
                        "id": intent.id,
                        "for": intent.action,
                        "pid": os.getpid(),
                        "start": start,
                        "host": host,
                        "command": command,
                    },
                )
            )
    except OSError as exc:
        raise unusable(journal.where, exc) from None


def _end(proc: Frame, intent: Intent, outcome: str, exc: BaseException | None) -> None:
    """Write the outcome of each server's intent; never raises (a failed write is a warning)."""
    proc.events.ended(intent, intent.outcome or outcome, exc)  # timeout/interrupted/failed, on-failure hook
    if proc.journal is None:
        return
    from .signals import shielded

    outcome = intent.outcome or outcome
    extra = {"id": intent.id, "for": intent.action}
    if exc is not None:
        extra["error"] = str(exc)[:300] if isinstance(exc, McsctlError) else type(exc).__name__
    if intent.note:
        extra["note"] = intent.note
    hosts = intent.hosts
    if hosts is None and isinstance(exc, Partial):
        hosts = exc.changed_hosts
    with shielded():  # a second Ctrl-C must not cut the last word short
        from .journal import INTENT

        for n in intent.names:
            proc.record(INTENT, n, outcome, hosts=hosts if hosts is not None else proc.fleet.hosts, **extra)
        if outcome == "ok" and intent.action in CLEANS_UP:
            for n in intent.names:
                close_leftovers(proc, n, intent)


def command_of(action: str | None) -> str:
    """The mcsctl command an intent's action comes from (`on` -> `mcsctl maintenance on`)."""
    if action in ("on", "off", "run", "reap", "extend"):
        return f"mcsctl maintenance {action}"
    if action == "rolling-node":
        return "mcsctl rolling"
    return f"mcsctl {action or 'change'}"


def close_leftovers(proc: Frame, name: str, intent: Intent) -> None:
    """After a clean-up of `name` worked, close the intents of processes that died changing it."""
    from .journal import INTENT, hostname, intent_state, unfinished_intents
    from .lock import pid_alive

    if proc.journal is None:  # _end calls this only with a journal
        return
    try:
        records = proc.journal.read()
    except McsctlError:  # unreadable: the leftovers stay listed; the change itself is done
        return
    here, leased = hostname(), proc.journal.lease_holders()
    for rec in unfinished_intents(records).get(name, []):
        if rec.extra.get("id") == intent.id or intent_state(rec, here, pid_alive, leased) == "running":
            continue
        proc.record(
            INTENT,
            name,
            "closed",
            hosts=rec.hosts,
            id=rec.extra.get("id"),
            **{"for": rec.extra.get("for"), "closed_by": intent.id, "by_action": intent.action},
        )
        proc.ui.info(
            f"{name}: closed the journal's unfinished `{command_of(rec.extra.get('for'))}` "
            f"(pid {rec.extra.get('pid')} on {rec.extra.get('host') or 'an unknown host'})"
        )


def taken_over_by(proc: Frame, name: str) -> str | None:
    """`it was taken over by USER (mcsctl ACTION --takeover)` when the journal shows who took `name` from us."""
    if proc.journal is None:
        return None
    try:
        records = proc.journal.read()
    except McsctlError:  # unreadable: the message goes without the name
        return None
    me = os.getpid()
    for rec in reversed(records):
        holder = rec.extra.get("holder")
        if rec.action == "takeover" and rec.server == name and isinstance(holder, dict) and holder.get("pid") == me:
            return f"{rec.user} took it over (mcsctl maintenance {rec.extra.get('for') or 'off'} --takeover)"
    return None
