"""The ground every procedure stands on: the journal, the change frame, consent, guards and cleanup helpers.

Pure logic over a Fleet (the MaxScales), a UI and an optional journal; no printing, no Typer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from ..backends.base import check_server_name
from ..errors import GuardRefused, McsctlError
from ..fleet import Fleet, Views
from ..model import Server
from ..outcome import OnOptions, Outcome
from ..signals import shielded
from ..ui import UI

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from ..backends.base import Backend
    from ..intent import Intent
    from ..journal import Record, Store


class Core:
    """The state of one command's procedures and the helpers they share."""

    def __init__(
        self,
        fleet: Fleet,
        ui: UI,
        journal: Store | None = None,
        confirm_timeout: float = 30.0,
        wall: Callable[[], float] = time.time,
        takeover: bool = False,
        lock_dir: Path | None = None,
    ) -> None:
        self.fleet = fleet
        self.ui = ui
        self.journal = journal
        self.confirm_timeout = confirm_timeout
        self.wall = wall
        self._sync_noted = False
        self.takeover = takeover  # --takeover: go ahead despite another mcsctl holding a server's lock
        self.lock_dir = lock_dir  # where the per-server locks live (lock.runtime_dir()); None: no locks
        self._intents: dict[str, Intent] = {}  # server -> the intent.Intent this process is carrying out
        self.changes: list[str] = []  # what this command changed that stays changed (messages, JSON)
        from ..emitter import Events

        self.events = Events(self)  # webhooks and hooks (emitter.py); the Cluster sets the configured ones
        # ColumnStore: a columnstore.Awareness when CMAPI is checked, and the cs_guard.CsOptions (api.Cluster sets them)
        self.columnstore: Any = None
        self.cs_options: Any = None

    def changing(
        self, action: str, names: list[str], opts: OnOptions | None = None, dry_run: bool = False
    ) -> AbstractContextManager[Intent]:
        """The frame of a change (intent.changing): journal writable, per-server locks, intent, outcome.

        `with self.changing("on", [name], opts) as intent: ...`; a dry run (opts.dry_run) passes through.
        """
        from ..intent import changing

        return changing(self, action, names, self.takeover, dry_run or (opts is not None and opts.dry_run))

    # ---------------------------------------------------------------- helpers
    def record(self, action: str, server: str | None, outcome: str, hosts: list[str] | None = None, **kw: Any) -> None:
        """Append to the journal (if any); `hosts` = where the change took effect (default: every MaxScale)."""
        if self.journal is None:
            return
        from ..journal import Record, who

        if self.fleet.skipped:  # --skip-unreachable: the MaxScales this change left out
            kw.setdefault("skipped", list(self.fleet.skipped))
        rec = Record(
            time=self.wall(),
            action=action,
            server=server,
            hosts=self.fleet.hosts if hosts is None else hosts,
            user=who(),
            outcome=outcome,
            reason=kw.pop("reason", None),
            expires=kw.pop("expires", None),
            extra=kw,
        )
        try:
            self.journal.append(rec)
        except OSError as exc:  # after a change: say so, never abort the cleanup that follows
            self.ui.warn(
                f"could not write the journal {self.journal.where}: {exc.strerror or exc}; not recorded: "
                f"{action} {server or ''} {outcome} on {', '.join(rec.hosts) or 'no MaxScale'}"
            )

    def _open_record(self, name: str) -> Record | None:
        """The journal's open maintenance of `name` (its reason and expiry), if any."""
        if self.journal is None:
            return None
        from ..journal import open_maintenances

        return open_maintenances(self.journal.read()).get(name)

    def _expires(self, opts: OnOptions) -> float | None:
        return opts.expires if opts.expires_after is None else self.wall() + opts.expires_after

    def _plan(self, title: str, describe: Callable[[Backend], str]) -> None:
        self.ui.plan(f"# {title}")
        for b in self.fleet.writers():
            self.ui.plan(describe(b), host=b.host)

    def _note_sync(self) -> None:
        """Say once when config sync makes some MaxScales get their changes from another."""
        copied = [b.host for b in self.fleet.backends if b not in self.fleet.writers()]
        if copied and not self._sync_noted:
            self._sync_noted = True
            self.ui.info(
                f"configuration sync: changes go through {', '.join(b.host for b in self.fleet.writers())}; "
                f"MaxScale copies them to {', '.join(copied)}"
            )

    def _each(self, what: str, fn: Callable[[Backend], object]) -> dict[str, str]:
        """Do fn on every writer, collecting failures (host -> why) instead of stopping (cleanup steps)."""
        failed = {}
        for b in self.fleet.writers():
            try:
                fn(b)
            except McsctlError as exc:
                failed[b.host] = exc.message
        if failed:
            self.ui.warn(f"{what} failed on " + "; ".join(f"{h}: {why}" for h, why in failed.items()))
        return failed

    def _progress(self, what: str, deadline: float) -> Callable[[dict[str, Server], float], None]:
        return lambda found, elapsed: self.ui.waiting(what, found, elapsed, deadline)

    def holders(self, name: str) -> list[str]:
        """Sessions that still hold a connection to the server, as `host: id user@remote`."""
        out = []
        for b in self.fleet.backends:
            try:
                sessions = b.list_sessions()
            except McsctlError:
                continue
            out += [f"{b.host}: session {s.id} {s.user}@{s.remote}" for s in sessions if name in s.servers]
        return out

    # ---------------------------------------------------------------- guards
    def _guard_last(self, name: str | list[str], views: Views, opts: OnOptions | None = None) -> None:
        """Refuse to take out the last servers of a cluster that can take traffic: `name` may be a set of
        servers taken out together (they are judged as one). --allow-last (with consent) overrides it."""
        names = [name] if isinstance(name, str) else list(name)
        for host, servers in views.items():
            for target in (s for s in servers if s.name in names):
                if not target.routable:
                    continue
                # Peers are the servers of the same monitor (the same cluster); an unmonitored server has no
                # cluster we can see, so every other server counts.
                peers = [
                    s
                    for s in servers
                    if s.name not in names and s.routable and (target.monitor is None or s.monitor == target.monitor)
                ]
                if peers:
                    continue
                what = (
                    f"{target.name} is the last server"
                    if len(names) == 1
                    else f"{', '.join(names)} are the last servers"
                )
                if opts is not None and opts.allow_last:
                    self._consent(
                        f"{what} that can take traffic on {host}: take them out anyway (--allow-last)?",
                        f"{what} that can take traffic on {host} (--allow-last)",
                        opts,
                    )
                    self.ui.warn(f"{what} that can take traffic on {host}; taking them out anyway (--allow-last)")
                    return
                raise GuardRefused(
                    f"{what} that can take traffic on {host}",
                    hint="bring another server back first (mcsctl maintenance off SERVER), or --allow-last --yes "
                    "if the cluster is already broken",
                )

    def consent(self, question: str, why: str, yes: bool, dry_run: bool = False) -> None:
        """The one consent rule for what interrupts clients (--force, --on-timeout force, a switchover):
        --yes, or a question on a terminal; otherwise refused (exit 4) before anything changes."""
        if yes or dry_run:
            return
        if self.ui.interactive:
            if not self.ui.confirm(question):
                raise GuardRefused("not confirmed; nothing was changed")
            return
        raise GuardRefused(f"{why}; add --yes to confirm (no terminal to ask on)")

    def check_name(self, name: str) -> None:
        """Refuse, before any request, a name MaxScale cannot have or a backend cannot send (exit 2)."""
        check_server_name(name)
        for b in self.fleet.backends:
            b.check_name(name)

    def _consent(self, question: str, why: str, opts: OnOptions) -> None:
        self.consent(question, why, opts.yes, opts.dry_run)

    def _stays(self) -> str:
        """The end of a failure message: what this command changed that stays changed."""
        if not self.changes:
            return "nothing was changed"
        return "still changed: " + "; ".join(self.changes)

    def _note_changes(self, err: McsctlError) -> None:
        """Make a failure name what stays changed (e.g. the switchover before it), once."""
        if self.changes and not err.changes_noted:
            err.message += "; " + self._stays()
            err.changes_noted = True

    def _outcome(
        self, name: str, action: str, changed: bool, final: dict[str, Server], message: str, **kw: Any
    ) -> Outcome:
        """An Outcome whose JSON lists what this command changed (`changes`)."""
        extra = kw.pop("extra", {})
        return Outcome(name, action, changed, final, message, extra={**extra, "changes": list(self.changes)}, **kw)

    def _clear_drain(self, name: str, keep: set[str] | frozenset[str] = frozenset()) -> tuple[list[str], bool]:
        """Clear the drain flag we set (not one that was there before, on a host or its sync peers).

        Returns (hosts where it failed, whether Ctrl-C/SIGTERM/SIGHUP came meanwhile). It runs to the end
        whatever arrives, with one retry; the caller decides how to report an interrupt.
        """
        with shielded() as got:
            targets = [b for b in self.fleet.writers() if not keep & set(self.fleet.group(b))]
            for _ in range(2):
                failed = []
                for b in targets:
                    try:
                        b.clear_state(name, "drain")
                    except McsctlError:
                        failed.append(b)
                targets = failed
                if not failed:
                    break
        return [b.host for b in targets], bool(got)

    @staticmethod
    def _drain_hint(name: str, hosts: list[str]) -> str:
        return "clear it by hand: " + "; ".join(f"maxctrl -h {h} clear server {name} drain" for h in hosts)

    def final_state(self, name: str) -> dict[str, Server] | None:
        """The server as each MaxScale shows it now (best effort, for the last word after an interrupt)."""
        try:
            with shielded():
                return self.fleet.locate(name)
        except (McsctlError, KeyboardInterrupt):
            return None

    @staticmethod
    def _what_changed(before: dict[str, Server], after: dict[str, Server] | None) -> str:
        if after is None:
            return "its state could not be read back"
        if all(before[h].state == s.state for h, s in after.items() if h in before):
            return "nothing was changed"
        return "now " + "; ".join(f"{h}: {s.state}" for h, s in after.items())
