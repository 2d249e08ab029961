"""The Python API: a `Cluster` of MaxScales with one method per thing the CLI does.

    from mcsctl.api import Cluster
    cluster = Cluster(hosts=["mx1:8989"], user="admin", password="...", backend="rest")
    report = cluster.enter("mcs3", reason="disk swap", expires="2h", yes=True)

Methods return the typed reports of `mcsctl.reports`, raise the errors of `mcsctl.errors` and never
print: progress goes to the injected observer (a `ui.UI`; by default a silent one that keeps the lines).
`yes=True` is a library caller's consent to what interrupts clients (there is no terminal to ask on).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from .api_settings import environment, on_options, seconds, settings_of
from .cs_api import ColumnStoreParts, split_options
from .emitter import Outbox
from .errors import UsageError
from .reports import ChangeReport, ReapReport, Result, RollReport, ServersReport, StatusReport
from .ui import UI, SilentUI
from .watch import RecordingJournal, Watch

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .fleet import Fleet
    from .journal import Record, Store  # the journal is imported when a command opens it (issue 17)
    from .outcome import Outcome
    from .procedures import Procedures
    from .settings import Settings

Runner = Callable[[list[str]], tuple[int, "int | None"]]


class Cluster(ColumnStoreParts):
    """The MaxScales of one cluster, and the procedures mcsctl follows on them."""

    def __init__(
        self,
        hosts: Sequence[str] | str | None = None,
        user: str | None = None,
        password: str | None = None,
        backend: str | None = None,
        *,
        observer: UI | None = None,
        settings: Settings | None = None,
        **values: Any,
    ) -> None:
        """Explicit values only (unset ones take mcsctl's defaults); `from_settings` reads flags/env/config.

        The keywords are the fields of `mcsctl.settings.Settings` (timeout=, journal=, notify=, hooks=, ...),
        each checked as in a config file; one that is not a setting is a UsageError."""
        if settings is None:
            given = dict(values, user=user, password=password, backend=backend)
            given["hosts"] = [hosts] if isinstance(hosts, str) else list(hosts) if hosts is not None else None
            settings = settings_of(given)
        self.settings = settings
        self.observer: UI = observer if observer is not None else SilentUI()
        self.takeover = False  # go ahead despite another mcsctl holding a server's lock (--takeover)
        self.skip_unreachable = False  # leave out the MaxScales that do not answer (--skip-unreachable)
        self.last_procedures: Procedures | None = None  # the procedures of the last call (the CLI's last word)
        self._watch = Watch(self.observer)
        self._journals: list[RecordingJournal] = []  # the journals this Cluster opened for the current operation
        self._outbox = Outbox(lambda message: self._watch.warn(message))  # the webhooks (emitter.py)
        self._store: Store | None = None  # the journal store, opened at first use
        self.cmapi_factory: Any = None  # ColumnStore: a columnstore.ClientFactory replacing HTTPS (tests)
        self._cs = self._cs_opts = None  # cs_api.ColumnStoreParts: the current change's Awareness and options

    @classmethod
    def from_settings(
        cls, flags: dict[str, Any] | None = None, config: str | None = None, observer: UI | None = None
    ) -> Cluster:
        """flag > MCSCTL_* environment > config file ($MCSCTL_CONFIG, or `config`) > default.

        The CLI passes the flags Typer resolved (they already hold the environment); without `flags`
        (library use) the MCSCTL_* variables are read here.
        """
        from .settings import resolve

        if flags is None:
            flags = environment()
            config = config or os.environ.get("MCSCTL_CONFIG") or None
        return cls(settings=resolve(flags, config), observer=observer)

    # ------------------------------------------------------------ the parts the procedures work with
    @property
    def reporter(self) -> Watch:
        """The observer the procedures talk to (the caller's, wrapped to keep what reports need)."""
        return self._watch

    def fleet(self) -> Fleet:
        from .backends import make_backends
        from .fleet import Fleet

        s = self.settings
        fleet = Fleet(make_backends(s, trace=self._watch.trace), poll=s.poll_interval)
        if self.skip_unreachable:
            fleet.skip_unreachable(self._watch.warn)
        return fleet

    def journal(self) -> Store | None:
        """The journal, or None with no_journal."""
        if self.settings.no_journal:
            return None
        if self._store is None:  # one store (one database connection, one fallback decision) per Cluster
            from .journal import open_journal

            self._store = open_journal(self.settings, lambda message: self._watch.warn(message))
        journal = RecordingJournal(self._store)
        self._journals.append(journal)
        return journal

    def procedures(self) -> Procedures:
        from pathlib import Path

        from .paths import runtime_dir
        from .procedures import Procedures

        proc = Procedures(
            self.fleet(),
            self._watch,
            self.journal(),
            confirm_timeout=self.settings.confirm_timeout,
            takeover=self.takeover,
            lock_dir=Path(runtime_dir()),
        )
        proc.events = self._outbox.events(proc, self.settings)
        proc.columnstore, proc.cs_options = self._cs, self._cs_opts
        self.last_procedures = proc
        return proc

    def close(self) -> None:
        """Wait for the notifications still being sent (`notify_timeout` at most; also done at exit), and
        close the journal's database connection, if any."""
        self._outbox.close()
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # A database session that is dropped rather than closed counts as aborted in MariaDB (and logs a
        # warning); `with Cluster(...)` closes it, as the CLI does at the end of every command.
        self.close()

    def _begin(self, takeover: bool = False, skip_unreachable: bool = False) -> None:
        """A fresh record of calls and lines for one operation."""
        self.takeover, self.skip_unreachable = takeover, skip_unreachable
        self._watch = Watch(self.observer)
        self._journals = []
        self.last_procedures = None
        self._cs, self._cs_opts, self._cs_unchecked = None, None, False

    def written(self) -> list[Record]:
        """The journal records this operation appended, in order."""
        return [r for j in self._journals for r in j.written]

    def _report(self, action: str, outcomes: list[Outcome], dry_run: bool) -> ChangeReport:
        self._cs_note()
        proc = self.last_procedures
        changed = any(o.changed for o in outcomes)
        w = self._watch
        return ChangeReport(
            action=action,
            result=Result.PLANNED if dry_run else Result.CHANGED if changed else Result.UNCHANGED,
            servers=outcomes,
            changes=list(proc.changes) if proc is not None else [],
            calls=w.planned_calls() if dry_run else list(w.calls),
            plan=w.steps() if dry_run else [],
            records=self.written(),
            messages=list(w.messages),
        )

    # ------------------------------------------------------------ reading
    def servers(self) -> ServersReport:
        """Every server as every MaxScale sees it; the MaxScales that do not answer are named, not raised."""
        from .render import disagreements

        self._begin()
        views, silent = self.fleet().read_answering()
        items = [s for host_servers in views.values() for s in host_servers]
        silent_by = {h: str(e) for h, e in silent.items()}
        return ServersReport(items, disagreements(items), silent_by, list(self._watch.calls), self._cs_servers(items))

    def status(self, server: str | None = None) -> StatusReport:
        """Servers in maintenance or draining and unfinished changes: live state merged with the journal."""
        from .status import collect

        self._begin()
        rows, hints, silent = collect(self, server)
        return StatusReport(rows, hints, silent, list(self._watch.calls))

    # ------------------------------------------------------------ changes
    on_options = staticmethod(on_options)  # the `maintenance on` options, checked (api_settings.py)

    def enter(
        self,
        names_or_name: str | Sequence[str],
        *,
        takeover: bool = False,
        skip_unreachable: bool = False,
        max_in_maintenance: int | None = None,
        **on: Any,
    ) -> ChangeReport:
        """Drain and put each server in maintenance on every MaxScale (several: together, all or nothing).

        Keywords follow `maintenance on`: drain, force, drain_timeout, on_timeout, switchover, to,
        allow_primary, allow_last, reason, expires ("2h", an ISO time or epoch seconds), yes, dry_run;
        `max_in_maintenance` refuses (exit 4) a change that leaves more servers out (limit.py).
        """
        from .limit import limited

        names = [names_or_name] if isinstance(names_or_name, str) else list(names_or_name)
        self._begin(takeover, skip_unreachable)
        cs = split_options(on, "enter")
        opts = self.on_options(**on)
        self._columnstore(names, cs, "on")  # ColumnStore's guards read CMAPI: before the cluster lock
        with limited(self.settings, lambda: self.fleet().read(), names, max_in_maintenance):
            return self._report("on", self.procedures().enter_set(names, opts), opts.dry_run)

    def leave(
        self,
        names_or_name: str | Sequence[str],
        *,
        wait_healthy: bool = False,
        healthy_timeout: str | float = 300,
        reason: str | None = None,
        dry_run: bool = False,
        takeover: bool = False,
        skip_unreachable: bool = False,
        **cs: Any,
    ) -> ChangeReport:
        """Take each server out of maintenance on every MaxScale (several: all or nothing); ColumnStore too."""
        names = [names_or_name] if isinstance(names_or_name, str) else list(names_or_name)
        timeout = seconds(healthy_timeout)
        self._begin(takeover, skip_unreachable)
        options = split_options(cs, "leave")
        if cs:
            raise UsageError(f"leave() takes no {sorted(cs)[0]!r}")
        self._cs_leave(names, options, wait_healthy, dry_run)
        outcomes = self.procedures().leave_set(names, wait_healthy, timeout, dry_run=dry_run, reason=reason)
        return self._report("off", outcomes, dry_run)

    def drain(
        self,
        server: str,
        *,
        wait: bool = False,
        drain_timeout: str | float = 60,
        dry_run: bool = False,
        takeover: bool = False,
        skip_unreachable: bool = False,
        max_in_maintenance: int | None = None,
    ) -> ChangeReport:
        """Set the server draining on every MaxScale and confirm (optionally wait until Drained)."""
        from .limit import limited

        timeout = seconds(drain_timeout)
        self._begin(takeover, skip_unreachable)
        with limited(self.settings, lambda: self.fleet().read(), [server], max_in_maintenance):
            return self._report("drain", [self.procedures().drain(server, wait, timeout, dry_run)], dry_run)

    def undrain(
        self, server: str, *, dry_run: bool = False, takeover: bool = False, skip_unreachable: bool = False
    ) -> ChangeReport:
        """Clear the server's drain flag on every MaxScale and confirm."""
        self._begin(takeover, skip_unreachable)
        return self._report("undrain", [self.procedures().undrain(server, dry_run)], dry_run)

    def switchover(
        self,
        to: str | None = None,
        *,
        yes: bool = False,
        dry_run: bool = False,
        takeover: bool = False,
        skip_unreachable: bool = False,
    ) -> ChangeReport:
        """Switch the primary over to a replica (the most caught-up one by default) and confirm everywhere."""
        self._begin(takeover, skip_unreachable)
        outcome = self.procedures().switchover(to=to, dry_run=dry_run, yes=yes)
        return self._report("switchover", [outcome], dry_run)

    def extend(
        self, server: str, expires: str, *, reason: str | None = None, dry_run: bool = False, takeover: bool = False
    ) -> ChangeReport:
        """Move the expiry (and reason) of a maintenance; only the journal changes."""
        from .status import extend

        self._begin(takeover)
        extend(self, server, expires, reason, dry_run)
        return self._report("extend", [], dry_run)

    def reap(self, dry_run: bool = False, *, takeover: bool = False, skip_unreachable: bool = False) -> ReapReport:
        """Take out of maintenance every server whose expiry has passed."""
        from .status import reap

        self._begin(takeover, skip_unreachable)
        outcomes = reap(self, dry_run)
        return ReapReport([o.server for o in outcomes], self._report("reap", outcomes, dry_run))

    def run(
        self,
        server: str,
        command: Sequence[str],
        *,
        always_clear: bool = False,
        healthy_timeout: str | float = 300,
        takeover: bool = False,
        skip_unreachable: bool = False,
        **on: Any,
    ) -> ChangeReport:
        """Enter maintenance, run COMMAND (no shell; {server}, {address}, {port} replaced), wait until the
        monitor sees the server back, leave maintenance. A failing COMMAND raises CommandFailed (an
        interrupted one Interrupted) whose `report` is this ChangeReport (the final state to show)."""
        from .errors import McsctlError
        from .run import run_in_maintenance

        self._begin(takeover, skip_unreachable)
        cs = split_options(on, "run")
        opts = self.on_options(**on)
        self._columnstore([server], cs, "run")
        timeout = seconds(healthy_timeout)
        try:
            outcomes = run_in_maintenance(self, server, opts, list(command), always_clear, timeout)
        except McsctlError as exc:
            if isinstance(exc.report, ChangeReport):  # COMMAND failed: its error carries the whole report
                exc.report = self._report("run", exc.report.servers, opts.dry_run)
            raise
        return self._report("run", outcomes, opts.dry_run)

    def roll(
        self,
        command: Sequence[str],
        servers: Sequence[str] | None = None,
        *,
        resume: bool = False,
        catchup_timeout: str | float = 600,
        takeover: bool = False,
        skip_unreachable: bool = False,
        runner: Runner | None = None,
        **on: Any,
    ) -> RollReport:
        """Roll COMMAND through the cluster one node at a time, replicas first, the primary last (after a
        switchover). A failed roll raises with this report on the error (`err.report`: the node table, what
        was done, failed and left); `runner` replaces the real process (tests)."""
        from .errors import McsctlError
        from .rolling import rolling_command

        self._begin(takeover, skip_unreachable)
        names = list(servers) if servers else None
        cs = split_options(on, "roll")
        opts = self.on_options(switchover=True, **on)
        self._columnstore(names or [], cs, "rolling")
        timeout = seconds(catchup_timeout)
        try:
            report = rolling_command(
                self, names, opts, list(command), resume=resume, catchup_timeout=timeout, runner=runner
            )
        except McsctlError as exc:
            if isinstance(exc.report, RollReport):
                exc.report = self._rolled(exc.report, opts.dry_run)
            raise
        return self._rolled(report, opts.dry_run)

    def _rolled(self, report: RollReport, dry_run: bool) -> RollReport:
        """The roll's report with the calls and records of the whole roll."""
        from .dataclass_lite import replace

        self._cs_note()
        w = self._watch
        calls = w.planned_calls() if dry_run else list(w.calls)
        return replace(report, calls=calls, plan=w.steps() if dry_run else [], records=self.written())
