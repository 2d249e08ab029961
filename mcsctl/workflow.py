"""The procedures a careful admin follows: enter/leave maintenance, drain with a deadline, switchover.

Pure logic over a Fleet (the MaxScales), a UI and an optional journal; no printing, no Typer.
Every change is confirmed by re-reading every MaxScale; a change that fails half-way is undone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from .backends.base import check_server_name
from .choices import OnTimeout, values
from .errors import GuardRefused, Interrupted, McsctlError, OperationFailed, Partial, TimedOut, UsageError
from .fleet import Fleet, Views
from .gtid import behind
from .model import Server
from .signals import deferred, shielded
from .ui import UI

ON_TIMEOUT = values(OnTimeout)  # fail | force | proceed


@dataclass
class OnOptions:
    """How to enter maintenance (the `maintenance on` options)."""

    force: bool = False  # skip the drain and close every connection at once
    drain: bool = True  # drain first; False = the plain `set server X maintenance`
    drain_timeout: float = 60.0
    on_timeout: str = "fail"  # fail | force | proceed
    switchover: bool = False  # the server is the primary: switch over first
    to: str | None = None  # switchover target
    allow_primary: bool = False  # take the primary without switchover where MaxScale allows it
    allow_last: bool = False  # take out the last routable servers (with consent): the cluster is broken anyway
    reason: str | None = None
    expires: float | None = None  # epoch seconds (an --expires time)
    expires_after: float | None = None  # seconds from entering (an --expires duration; per node in a roll)
    dry_run: bool = False
    yes: bool = False  # consent to cutting connections without a question


@dataclass
class Outcome:
    """What a procedure did; `final` is the server as each MaxScale last showed it."""

    server: str
    action: str
    changed: bool
    final: dict[str, Server] = field(default_factory=dict)
    message: str = ""
    cut: int = 0  # connections closed by force
    extra: dict = field(default_factory=dict)


@dataclass
class _OurDrain:
    """The drain flag `_enter` set: whether it was set, and whether clearing it was done (or tried)."""

    set: bool = False
    cleared: bool = False


class Procedures:
    def __init__(
        self,
        fleet: Fleet,
        ui: UI,
        journal=None,
        confirm_timeout: float = 30.0,
        wall: Callable[[], float] = time.time,
        takeover: bool = False,
        lock_dir=None,
    ):
        self.fleet = fleet
        self.ui = ui
        self.journal = journal
        self.confirm_timeout = confirm_timeout
        self.wall = wall
        self._sync_noted = False
        self.takeover = takeover  # --takeover: go ahead despite another mcsctl holding a server's lock
        self.lock_dir = lock_dir  # where the per-server locks live (lock.runtime_dir()); None: no locks
        self._intents: dict = {}  # server -> the intent.Intent this process is carrying out
        self.changes: list[str] = []  # what this command changed that stays changed (messages, JSON)

    def changing(self, action: str, names: list[str], opts=None, dry_run: bool = False):
        """The frame of a change (intent.changing): journal writable, per-server locks, intent, outcome.

        `with self.changing("on", [name], opts) as intent: ...`; a dry run (opts.dry_run) passes through.
        """
        from .intent import changing

        return changing(self, action, names, self.takeover, dry_run or (opts is not None and opts.dry_run))

    # ---------------------------------------------------------------- helpers
    def record(self, action: str, server: str | None, outcome: str, hosts: list[str] | None = None, **kw) -> None:
        """Append to the journal (if any); `hosts` = where the change took effect (default: every MaxScale)."""
        if self.journal is None:
            return
        from .journal import Record, who

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
            self.ui.warn(f"could not write the journal {self.journal.path}: {exc.strerror or exc}; not recorded: "
                         f"{action} {server or ''} {outcome} on {', '.join(rec.hosts) or 'no MaxScale'}")

    def _open_record(self, name: str) -> bool:
        if self.journal is None:
            return False
        from .journal import open_maintenances

        return name in open_maintenances(self.journal.read())

    def _expires(self, opts: OnOptions) -> float | None:
        return opts.expires if opts.expires_after is None else self.wall() + opts.expires_after

    def _plan(self, title: str, describe: Callable) -> None:
        self.ui.plan(f"# {title}")
        for b in self.fleet.writers():
            self.ui.plan(describe(b), host=b.host)

    def _note_sync(self) -> None:
        """Say once when config sync makes some MaxScales get their changes from another."""
        copied = [b.host for b in self.fleet.backends if b not in self.fleet.writers()]
        if copied and not self._sync_noted:
            self._sync_noted = True
            self.ui.info(f"configuration sync: changes go through {', '.join(b.host for b in self.fleet.writers())}; "
                         f"MaxScale copies them to {', '.join(copied)}")

    def _each(self, what: str, fn: Callable) -> dict[str, str]:
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

    def _progress(self, what: str, deadline: float):
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
                    s for s in servers
                    if s.name not in names and s.routable and (target.monitor is None or s.monitor == target.monitor)
                ]
                if peers:
                    continue
                what = f"{target.name} is the last server" if len(names) == 1 else \
                    f"{', '.join(names)} are the last servers"
                if opts is not None and opts.allow_last:
                    self._consent(f"{what} that can take traffic on {host}: take them out anyway (--allow-last)?",
                                  f"{what} that can take traffic on {host} (--allow-last)", opts)
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

    def _outcome(self, name: str, action: str, changed: bool, final: dict[str, Server], message: str,
                 **kw) -> Outcome:
        """An Outcome whose JSON lists what this command changed (`changes`)."""
        extra = kw.pop("extra", {})
        return Outcome(name, action, changed, final, message, extra={**extra, "changes": list(self.changes)}, **kw)

    # ---------------------------------------------------------------- maintenance on
    def enter(self, name: str, opts: OnOptions, action: str = "on") -> Outcome:
        self.check_name(name)
        if opts.on_timeout not in ON_TIMEOUT:
            raise UsageError(f"--on-timeout must be one of {', '.join(ON_TIMEOUT)}, not {opts.on_timeout!r}")
        if opts.switchover and opts.to is not None and opts.to == name:
            raise UsageError(f"--to {name} names the server being taken out; give the replica that takes over",
                             hint="leave out --to to pick the most caught-up replica")
        with self.changing(action, [name], opts):
            return self._enter_checked(name, opts, action)

    def _enter_checked(self, name: str, opts: OnOptions, action: str) -> Outcome:
        views = self.fleet.read()
        found = self.fleet.locate(name, views)
        if all(s.in_maintenance for s in found.values()):
            msg = f"{name} is already in maintenance on every MaxScale; nothing to do"
            if (opts.reason or opts.expires is not None or opts.expires_after is not None) and not opts.dry_run:
                # The admin takes it over with a new reason/expiry: the journal must say so (status, reap).
                self.record(action, name, "ok", reason=opts.reason, expires=self._expires(opts), took_over=True)
                msg = f"{name} is already in maintenance on every MaxScale; recorded the new reason/expiry"
            return self._outcome(name, action, False, found, msg)

        # Every guard and question comes before the first change (the switchover included).
        switch_to = None
        if any(s.is_primary for s in found.values()):
            if opts.switchover:
                switch_to = self.switch_target(views, opts.to, exclude=(name,))
            elif not opts.allow_primary:
                raise GuardRefused(
                    f"{name} is the primary; putting it in maintenance would stop all writes",
                    hint=f"switch over first: mcsctl maintenance on {name} --switchover [--to SERVER]",
                )
            else:
                self.ui.warn(f"{name} is the primary; taking it out without a switchover (--allow-primary)")
        self._guard_last(name, views, opts)
        if switch_to is not None:
            self._consent(
                f"Switch the primary over from {name} to {switch_to}, interrupting its clients' writes?",
                f"the switchover from {name} to {switch_to} interrupts the primary's clients",
                opts,
            )

        conns = sum(s.connections or 0 for s in found.values())
        if opts.force and conns:
            self._consent(
                f"Force {name} into maintenance, cutting {conns} connection(s)?",
                f"--force would cut {conns} connection(s) to {name}",
                opts,
            )
        elif opts.drain and not opts.force and opts.on_timeout == "force":
            self._consent(
                f"If {name} does not drain in {opts.drain_timeout:g}s, force it, cutting connections?",
                "--on-timeout force may cut connections",
                opts,
            )

        if opts.dry_run:
            if switch_to is not None:
                self.switchover(to=switch_to, dry_run=True, views=views)
            primary = opts.allow_primary and any(s.is_primary for s in found.values())
            self.plan_enter(name, opts, primary)
            return self._outcome(name, action, False, found, "dry run: nothing was changed")
        if switch_to is not None:
            self.switchover(to=switch_to, views=views, yes=True)  # consented above
            views = self.fleet.read()
            found = self.fleet.locate(name, views)
            if any(s.is_primary for s in found.values()):  # never take out a server that is still the primary
                raise OperationFailed(f"{name} is still the primary after the switchover; " + self._stays())
        outcome = self._enter(name, opts, found, action)
        if switch_to is not None:
            outcome.message += f" ({switch_to} took over as the primary first)"
        return outcome

    def plan_enter(self, name: str, opts: OnOptions, primary: bool = False) -> None:
        draining = opts.drain and not opts.force and not primary
        if draining:
            self._plan(f"set {name} draining on every MaxScale", lambda b: b.describe_set(name, "drain"))
            self.ui.plan(
                f"# wait until {name} is Drained on every MaxScale (up to {opts.drain_timeout:g}s; "
                f"then --on-timeout {opts.on_timeout})"
            )
        self._plan(
            f"set {name} in maintenance on every MaxScale", lambda b: b.describe_set(name, "maintenance", opts.force)
        )
        if primary and not opts.force:
            self.ui.plan(
                f"# wait until {name} has no connections left (open transactions finish; up to "
                f"{opts.drain_timeout:g}s; then --on-timeout {opts.on_timeout})"
            )
        if draining:
            self._plan(f"clear the drain flag of {name}", lambda b: b.describe_clear(name, "drain"))
        self.ui.plan(f"# confirm: every MaxScale lists {name} as Maintenance (up to {self.confirm_timeout:g}s)")

    def _drain_wait(self, name: str, opts: OnOptions, ok, what: str) -> dict[str, Server] | None:
        """Wait for the connections to go; None when the deadline passed (the caller applies --on-timeout)."""
        try:
            return self.fleet.wait(ok, name, opts.drain_timeout, what, self._progress(f"{name} {what}", opts.drain_timeout))
        except TimedOut:
            return None

    def _timed_out(self, name: str, opts: OnOptions, undone: str, action: str = "on") -> tuple[bool, int]:
        """Apply --on-timeout after a drain deadline: (force now?, connections left); `fail` raises."""
        left = sum(s.connections or 0 for s in self.fleet.locate(name).values())
        if opts.on_timeout == "fail":
            who = self.holders(name)
            if len(who) > 5:  # one error line: name a few, count the rest
                who = who[:5] + [f"and {len(who) - 5} more"]
            self.record(action, name, "timeout", reason=opts.reason)
            err = TimedOut(
                f"{name} did not drain in {opts.drain_timeout:g}s: {left} connection(s) left"
                + (" (" + "; ".join(who) + ")" if who else "")
                + f"; {undone}, " + self._stays(),
                hint="retry with a longer --drain-timeout, or --on-timeout force|proceed",
            )
            err.changes_noted = True
            raise err
        if opts.on_timeout == "force":
            self.ui.warn(f"{name} did not drain in time: FORCING maintenance, cutting {left} connection(s)")
            return True, left
        self.ui.warn(
            f"{name} did not drain in time: in maintenance anyway; {left} connection(s) close at their next request"
        )
        return False, 0

    def _enter(self, name: str, opts: OnOptions, found: dict[str, Server], action: str) -> Outcome:
        # Flags someone else set stay as they are, whatever happens here.
        had_drain = {h for h, s in found.items() if s.draining}
        had_maint = {h for h, s in found.items() if s.in_maintenance}
        self._note_sync()
        ours = _OurDrain()
        try:
            return self._enter_steps(name, opts, found, action, had_drain, had_maint, ours)
        finally:
            # An interrupt that lands between two steps, outside their handlers, still clears our drain
            # flag: after the first signal no other one raises (signals.py), so this runs to the end.
            if ours.set and not ours.cleared:
                self._clear_drain(name, had_drain)

    def _enter_steps(self, name: str, opts: OnOptions, found: dict[str, Server], action: str,
                     had_drain: set[str], had_maint: set[str], ours: _OurDrain) -> Outcome:
        """Drain, maintenance, confirm, clear the drain; a failure or interrupt cleans up what it did."""
        # A primary that MaxScale lets into maintenance (legacy, --allow-primary) is not drained: drain would
        # keep its idle connections forever. Maintenance lets open transactions finish, then closes their
        # connections, so the wait comes after the change (reference §3.3).
        primary = opts.allow_primary and any(s.is_primary for s in found.values())
        drain_first = opts.drain and not opts.force and not primary
        wait_after = primary and not opts.force
        force = opts.force
        cut = sum(s.connections or 0 for s in found.values()) if force else 0
        # With config sync a writer's change reaches its peers: it keeps a flag any of them had.
        keeps = lambda b, had: bool(had & set(self.fleet.group(b)))  # noqa: E731
        set_maint = lambda f: self.fleet.apply(  # noqa: E731
            f"set {name} maintenance",
            lambda b: b.set_state(name, "maintenance", f),
            lambda b: b.host in had_maint or b.clear_state(name, "maintenance"),
        )
        drain_set = maint_tried = False
        try:
            if drain_first:
                drain_set = ours.set = True  # before the call: an interrupt half-way must still clean up
                self.fleet.apply(
                    f"set {name} drain",
                    lambda b: b.set_state(name, "drain"),
                    lambda b: keeps(b, had_drain) or b.clear_state(name, "drain"),
                )
                self.ui.info(f"{name}: draining (up to {opts.drain_timeout:g}s)")
                if self._drain_wait(name, opts, lambda s: s.drained or s.in_maintenance, "draining") is None:
                    force, cut = self._timed_out(name, opts, "drain cleared", action)
            elif force and cut:
                self.ui.warn(f"{name}: forcing maintenance, cutting {cut} connection(s)")
            maint_tried = True
            set_maint(force)
            if wait_after:
                self.ui.info(f"{name}: waiting for its open transactions (up to {opts.drain_timeout:g}s)")
                if self._drain_wait(name, opts, lambda s: not s.connections, "finishing transactions") is None:
                    try:
                        force, cut = self._timed_out(
                            name, opts, f"maintenance cleared (new writes to {name} were refused during the "
                            f"{opts.drain_timeout:g}s wait)", action)
                    except TimedOut as timeout:
                        with shielded() as got:
                            failed = self._each(f"clear {name} maintenance",
                                                lambda b: keeps(b, had_maint) or b.clear_state(name, "maintenance"))
                        if failed:
                            partial = Partial(
                                f"{name} did not finish its transactions in {opts.drain_timeout:g}s, and its "
                                "maintenance could not be cleared again on " + ", ".join(failed),
                                hint=f"clear it by hand: mcsctl maintenance off {name}",
                            )
                            partial.changed_hosts = [h for b in self.fleet.writers() if b.host in failed
                                                     for h in self.fleet.group(b)]
                            raise partial from None
                        deferred(got)
                        raise
                    if force:
                        set_maint(True)
            # MaxScale accepted the change: journal it now, so an interrupted confirmation still shows who/why.
            self.record(action, name, "ok", reason=opts.reason, expires=self._expires(opts), forced=force, cut=cut)
            final = self.fleet.wait(lambda s: s.in_maintenance, name, self.confirm_timeout, "in maintenance")
        except BaseException as exc:
            if not isinstance(exc, (KeyboardInterrupt, McsctlError)):
                raise
            err = exc if isinstance(exc, McsctlError) else Interrupted(f"{name}: interrupted")
            if isinstance(err, Partial) and err.changed_hosts:
                self.record(action, name, "partial", hosts=err.changed_hosts, reason=opts.reason,
                            expires=self._expires(opts))
            if drain_set:
                ours.cleared = True
                left, interrupted = self._clear_drain(name, had_drain)
                if left:
                    err.message += f"; the drain flag is still set on {', '.join(left)}"
                    err.hint = err.hint or self._drain_hint(name, left)
                if interrupted and not isinstance(err, Interrupted):
                    err.message += " (interrupted during the cleanup, which was finished)"
            if drain_set or maint_tried:  # something may have changed: show where it stands
                err.final = self.final_state(name)
                if isinstance(err, Interrupted):
                    err.message += "; " + self._what_changed(found, err.final)
            self._note_changes(err)  # e.g. the switchover before this stays
            if err is exc:
                raise
            raise err from None
        if drain_set:
            ours.cleared = True
            left, interrupted = self._clear_drain(name, had_drain)
            self.changes.append(f"{name} in maintenance")
            if left:
                partial = Partial(
                    f"{name} is in maintenance, but its drain flag could not be cleared on {', '.join(left)}",
                    hint=self._drain_hint(name, left),
                )
                partial.final = self.final_state(name)
                self._note_changes(partial)
                raise partial
            if interrupted:
                err = Interrupted(f"{name}: interrupted; it is in maintenance (the drain flag was cleared)")
                err.final = self.final_state(name)
                self._note_changes(err)
                raise err
            final = self.fleet.locate(name)
        else:
            self.changes.append(f"{name} in maintenance")
        return self._outcome(name, action, True, final, f"{name} is in maintenance on every MaxScale", cut=cut)

    def _clear_drain(self, name: str, keep: set[str] = frozenset()) -> tuple[list[str], bool]:
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

    # ---------------------------------------------------------------- maintenance off
    def leave(
        self,
        name: str,
        wait_healthy: bool = False,
        healthy_timeout: float = 300.0,
        dry_run: bool = False,
        action: str = "off",
        reason: str | None = None,
    ) -> Outcome:
        self.check_name(name)
        with self.changing(action, [name], dry_run=dry_run):
            return self._leave_checked(name, wait_healthy, healthy_timeout, dry_run, action, reason)

    def _leave_checked(self, name: str, wait_healthy: bool, healthy_timeout: float, dry_run: bool, action: str,
                       reason: str | None) -> Outcome:
        found = self.fleet.locate(name)
        in_maint = any(s.in_maintenance for s in found.values())
        draining = any(s.draining for s in found.values())
        if dry_run:
            self._plan(f"clear maintenance of {name} on every MaxScale", lambda b: b.describe_clear(name, "maintenance"))
            self._plan(f"clear any drain flag of {name}", lambda b: b.describe_clear(name, "drain"))
            self.ui.plan(f"# confirm: no MaxScale lists {name} as Maintenance (up to {self.confirm_timeout:g}s)")
            if wait_healthy:
                self.ui.plan(f"# wait until {name} is Running with a role on every MaxScale (up to {healthy_timeout:g}s)")
            return self._outcome(name, action, False, found, "dry run: nothing was changed")
        changed = False
        before = found
        if in_maint or draining:
            self._note_sync()
        try:
            if in_maint:
                had = {h for h, s in found.items() if s.in_maintenance}
                try:
                    self.fleet.apply(
                        f"clear {name} maintenance",
                        lambda b: b.clear_state(name, "maintenance"),
                        lambda b: not had & set(self.fleet.group(b)) or b.set_state(name, "maintenance"),
                    )
                except Partial as exc:
                    self.record(action, name, "partial", hosts=exc.changed_hosts, reason=reason)
                    exc.final = self.final_state(name)
                    raise
                changed = True
                # Journal at once: a later timeout must not leave an open record that `reap` would act on.
                self.record(action, name, "ok", reason=reason)
                found = self.fleet.wait(lambda s: not s.in_maintenance, name, self.confirm_timeout, "out of maintenance")
            if draining or any(s.draining for s in found.values()):
                left, interrupted = self._clear_drain(name)  # a leftover drain flag keeps it out of traffic
                if interrupted:
                    raise KeyboardInterrupt  # handled below: the final state is printed
                if left:
                    raise OperationFailed(f"{name}: could not clear the drain flag on {', '.join(left)}",
                                          hint=self._drain_hint(name, left))
                found = self.fleet.wait(lambda s: not s.draining, name, self.confirm_timeout, "undrained")
                changed = True
            if wait_healthy:
                found = self.fleet.wait(
                    lambda s: s.running and s.role is not None and not s.in_maintenance,
                    name,
                    healthy_timeout,
                    "Running with a role",
                    self._progress(f"{name} coming back", healthy_timeout),
                )
        except BaseException as exc:
            if not isinstance(exc, (KeyboardInterrupt, McsctlError)):
                raise
            err = exc if isinstance(exc, McsctlError) else Interrupted(f"{name}: interrupted")
            if err.final is None:  # show where the server stands now
                err.final = self.final_state(name)
            if isinstance(err, Interrupted):
                err.message += "; " + self._what_changed(before, err.final)
            if err is exc:
                raise
            raise err from None
        if in_maint:
            self.changes.append(f"{name} out of maintenance")
        elif changed:
            self.changes.append(f"{name} drain flag cleared")
        if changed:
            msg = f"{name} is out of maintenance on every MaxScale"
        else:
            msg = f"{name} is not in maintenance on any MaxScale; nothing to do"
            if self._open_record(name):  # cleared outside mcsctl: close the record so status/reap agree
                self.record(action, name, "ok", reason=reason, already_out=True)
                msg += " (closed its journal record)"
        return self._outcome(name, action, changed, found, msg)

    # ---------------------------------------------------------------- switchover
    def primary(self, views: Views) -> Server:
        names = {h: [s.name for s in servers if s.is_primary] for h, servers in views.items()}
        distinct = {tuple(v) for v in names.values()}
        if len(distinct) > 1:
            raise OperationFailed(
                "the MaxScales disagree about the primary: " + "; ".join(f"{h}: {','.join(v) or 'none'}" for h, v in names.items())
            )
        (only,) = distinct
        if len(only) != 1:
            raise OperationFailed("no primary found" if not only else f"several primaries: {', '.join(only)}")
        return next(s for s in next(iter(views.values())) if s.name == only[0])

    def _switcher(self, monitor: str):
        """The MaxScale to run the switchover on: with cooperative monitoring only the one whose monitor leads
        can; otherwise the first. (One monitor read per MaxScale, only with several MaxScales.)"""
        if len(self.fleet.backends) > 1:
            try:
                per_host = self.fleet.each(lambda b: b.list_monitors())
            except McsctlError:
                per_host = []
            for backend, monitors in zip(self.fleet.backends, per_host):
                if any(m.name == monitor and m.leads for m in monitors):
                    return backend
        return self.fleet.backends[0]

    def candidates(self, views: Views, primary: Server, exclude: tuple[str, ...] = ()) -> list[Server]:
        """Replicas that can take over on every MaxScale, most caught-up first."""
        first = next(iter(views.values()))
        ok = []
        for s in first:
            if s.name == primary.name or s.name in exclude or s.monitor != primary.monitor:
                continue
            everywhere = [self.fleet.locate(s.name, views)[h] for h in views]
            if all(x.is_replica and x.routable for x in everywhere):
                ok.append(s)
        lag = lambda s: behind(s.gtid, primary.gtid)  # noqa: E731
        return sorted(ok, key=lambda s: (lag(s) is None, lag(s) or 0, s.name))

    def switch_target(self, views: Views, to: str | None, exclude: tuple[str, ...] = ()) -> str:
        """The server a switchover would promote: `to` if it can take over (else GuardRefused), or the most
        caught-up replica (leaving out `exclude`)."""
        old = self.primary(views)
        if not old.monitor:
            raise OperationFailed(f"{old.name} is not monitored; MaxScale cannot switch it over")
        if to is None:
            ranked = self.candidates(views, old, exclude)
            if not ranked:
                raise GuardRefused(f"no replica can take over from {old.name}", hint="bring a replica back first")
            return ranked[0].name
        self.check_name(to)
        target = self.fleet.locate(to, views)
        if to == old.name:
            return to
        bad = {h: s for h, s in target.items() if not (s.is_replica and s.routable and s.monitor == old.monitor)}
        if bad or to in exclude:
            raise GuardRefused(
                f"{to} cannot become the primary: " + "; ".join(
                    f"{h}: {s.state or 'no state'}" + ("" if s.monitor == old.monitor else f" (not in {old.monitor})")
                    for h, s in (bad or target).items()),
                hint="pick a running replica that is not in maintenance or draining",
            )
        return to

    def switchover(
        self, to: str | None = None, dry_run: bool = False, views: Views | None = None, exclude: tuple[str, ...] = (),
        yes: bool = True,
    ) -> Outcome:
        """Switch the primary over (mariadbmon) and confirm everywhere. `yes=False` asks first (the CLI)."""
        if to is not None:
            self.check_name(to)  # before any request
        views = views if views is not None else self.fleet.read()
        old = self.primary(views)
        new = self.switch_target(views, to, exclude)
        if new == old.name:
            return self._outcome(old.name, "switchover", False, self.fleet.locate(new, views),
                                 f"{new} is already the primary; nothing to do", extra={"to": new})
        if dry_run:
            switcher = self._switcher(old.monitor)
            self.ui.plan(f"# switch over from {old.name} to {new} (monitor {old.monitor})")
            self.ui.plan(switcher.describe_switchover(old.monitor, new, old.name), host=switcher.host)
            self.ui.plan(f"# confirm: every MaxScale lists {new} as Master and {old.name} as not Master")
            return self._outcome(old.name, "switchover", False, {}, "dry run: nothing was changed", extra={"to": new})
        self.consent(f"Switch the primary over from {old.name} to {new}, interrupting its clients' writes?",
                     f"the switchover from {old.name} to {new} interrupts the primary's clients", yes)
        with self.changing("switchover", [old.name, new]):
            self.ui.info(f"switching over from {old.name} to {new}")
            self._switcher(old.monitor).switchover(old.monitor, new, old.name)
            self.changes.append(f"switchover {old.name} -> {new}")
            try:
                final = self.fleet.wait(lambda s: s.is_primary, new, self.confirm_timeout, "Master")
                self.fleet.wait(lambda s: s.is_replica or s.in_maintenance, old.name, self.confirm_timeout,
                                "a replica")
            except McsctlError as exc:
                self._note_changes(exc)
                raise
            self.record("switchover", old.name, "ok", to=new)
        return self._outcome(old.name, "switchover", True, final, f"{new} is the primary on every MaxScale",
                             extra={"to": new})

    # ---------------------------------------------------------------- drain / undrain (the cordon step alone)
    def drain(self, name: str, wait: bool = False, timeout: float = 60.0, dry_run: bool = False) -> Outcome:
        """Set the drain flag on every MaxScale and confirm Draining/Drained; with `wait`, until Drained.

        The guards of `maintenance on` apply: not the primary, not the last server that takes traffic.
        A timeout leaves the flag set (that is what was asked for) and says so."""
        self.check_name(name)
        with self.changing("drain", [name], dry_run=dry_run):
            return self._drain_checked(name, wait, timeout, dry_run)

    def _drain_checked(self, name: str, wait: bool, timeout: float, dry_run: bool) -> Outcome:
        views = self.fleet.read()
        found = self.fleet.locate(name, views)
        if any(s.is_primary for s in found.values()):
            raise GuardRefused(
                f"{name} is the primary; draining it would stop new writes",
                hint="switch over first: mcsctl switchover --yes [--to SERVER]",
            )
        self._guard_last(name, views)
        ok = (lambda s: s.drained) if wait else (lambda s: s.draining)  # noqa: E731
        if dry_run:
            self._plan(f"set {name} draining on every MaxScale", lambda b: b.describe_set(name, "drain"))
            self.ui.plan(f"# confirm: every MaxScale lists {name} as Draining or Drained (up to {self.confirm_timeout:g}s)")
            if wait:
                self.ui.plan(f"# wait until {name} is Drained on every MaxScale (up to {timeout:g}s; the flag stays set)")
            return self._outcome(name, "drain", False, found, "dry run: nothing was changed")
        if all(s.draining for s in found.values()) and not wait:
            return self._outcome(name, "drain", False, found, f"{name} is already draining on every MaxScale; nothing to do")
        changed = not all(s.draining for s in found.values())
        if changed:
            had = {h for h, s in found.items() if s.draining}
            self._note_sync()
            self.fleet.apply(
                f"set {name} drain",
                lambda b: b.set_state(name, "drain"),
                lambda b: bool(had & set(self.fleet.group(b))) or b.clear_state(name, "drain"),
            )
            self.changes.append(f"{name} draining")
            self.record("drain", name, "ok")
        try:
            final = self.fleet.wait(lambda s: s.draining, name, self.confirm_timeout, "Draining or Drained")
            if wait:
                final = self.fleet.wait(ok, name, timeout, "Drained", self._progress(f"{name} draining", timeout))
        except BaseException as exc:
            if not isinstance(exc, (KeyboardInterrupt, McsctlError)):
                raise
            err = exc if isinstance(exc, McsctlError) else Interrupted(f"{name}: interrupted")
            if changed or isinstance(err, TimedOut):
                err.message += f"; the drain flag stays set (mcsctl undrain {name} clears it)"
            err.final = self.final_state(name)
            if err is exc:
                raise
            raise err from None
        msg = f"{name} is {'drained' if wait else 'draining'} on every MaxScale"
        return self._outcome(name, "drain", changed, final, msg)

    def undrain(self, name: str, dry_run: bool = False) -> Outcome:
        """Clear the drain flag on every MaxScale and confirm no MaxScale lists the server as Draining."""
        self.check_name(name)
        with self.changing("undrain", [name], dry_run=dry_run):
            return self._undrain_checked(name, dry_run)

    def _undrain_checked(self, name: str, dry_run: bool) -> Outcome:
        found = self.fleet.locate(name)
        if dry_run:
            self._plan(f"clear the drain flag of {name} on every MaxScale", lambda b: b.describe_clear(name, "drain"))
            self.ui.plan(f"# confirm: no MaxScale lists {name} as Draining or Drained (up to {self.confirm_timeout:g}s)")
            return self._outcome(name, "undrain", False, found, "dry run: nothing was changed")
        if not any(s.draining for s in found.values()):
            return self._outcome(name, "undrain", False, found, f"{name} is not draining on any MaxScale; nothing to do")
        had = {h for h, s in found.items() if s.draining}
        self._note_sync()
        self.fleet.apply(
            f"clear {name} drain",
            lambda b: b.clear_state(name, "drain"),
            lambda b: not had & set(self.fleet.group(b)) or b.set_state(name, "drain"),
        )
        self.changes.append(f"{name} drain flag cleared")
        self.record("undrain", name, "ok")
        try:
            final = self.fleet.wait(lambda s: not s.draining, name, self.confirm_timeout, "undrained")
        except McsctlError as exc:
            exc.final = self.final_state(name)
            raise
        return self._outcome(name, "undrain", True, final, f"{name} is not draining on any MaxScale")

    # ---------------------------------------------------------------- several servers at once
    def enter_set(self, names: list[str], opts: OnOptions, action: str = "on") -> list[Outcome]:
        """`maintenance on A B ...`: one server is `enter` exactly; several are judged by the guards as one
        set, drained together, put in maintenance together, all or nothing (a failure undoes them all)."""
        names = self._distinct(names)
        if len(names) == 1:
            return [self.enter(names[0], opts, action)]
        with self.changing(action, names, opts):
            return self._enter_set_checked(names, opts, action)

    def _enter_set_checked(self, names: list[str], opts: OnOptions, action: str) -> list[Outcome]:
        if opts.on_timeout not in ON_TIMEOUT:
            raise UsageError(f"--on-timeout must be one of {', '.join(ON_TIMEOUT)}, not {opts.on_timeout!r}")
        if opts.switchover and opts.to is not None and opts.to in names:
            raise UsageError(f"--to {opts.to} names a server being taken out; give a replica that stays")
        if opts.allow_primary:
            raise UsageError("--allow-primary takes the primary alone: give it as the only SERVER")
        views = self.fleet.read()
        found = {n: self.fleet.locate(n, views) for n in names}
        todo = [n for n in names if not all(s.in_maintenance for s in found[n].values())]
        if not todo:
            return [self._outcome(n, action, False, found[n],
                                  f"{n} is already in maintenance on every MaxScale; nothing to do") for n in names]
        primaries = [n for n in todo if any(s.is_primary for s in found[n].values())]
        switch_to = None
        if primaries and not opts.switchover:
            raise GuardRefused(
                f"{primaries[0]} is the primary; putting it in maintenance would stop all writes",
                hint=f"switch over first: mcsctl maintenance on {' '.join(names)} --switchover [--to SERVER]",
            )
        if primaries:
            switch_to = self.switch_target(views, opts.to, exclude=tuple(names))
        self._guard_last(todo, views, opts)
        if switch_to is not None:
            self._consent(
                f"Switch the primary over from {primaries[0]} to {switch_to}, interrupting its clients' writes?",
                f"the switchover from {primaries[0]} to {switch_to} interrupts the primary's clients", opts)
        conns = sum(s.connections or 0 for n in todo for s in found[n].values())
        if opts.force and conns:
            self._consent(f"Force {', '.join(todo)} into maintenance, cutting {conns} connection(s)?",
                          f"--force would cut {conns} connection(s) to {', '.join(todo)}", opts)
        elif opts.drain and not opts.force and opts.on_timeout == "force":
            self._consent(f"If {', '.join(todo)} do not drain in {opts.drain_timeout:g}s, force them, cutting "
                          "connections?", "--on-timeout force may cut connections", opts)
        if opts.dry_run:
            if switch_to is not None:
                self.switchover(to=switch_to, dry_run=True, views=views)
            self.plan_enter_set(todo, opts)
            return [self._outcome(n, action, False, found[n], "dry run: nothing was changed") for n in names]
        if switch_to is not None:
            self.switchover(to=switch_to, views=views, yes=True)  # consented above
            views = self.fleet.read()
            found = {n: self.fleet.locate(n, views) for n in names}
            still = [n for n in todo if any(s.is_primary for s in found[n].values())]
            if still:
                raise OperationFailed(f"{still[0]} is still the primary after the switchover; " + self._stays())
        cut = self._enter_together(todo, opts, found, action)
        final = {n: self.fleet.locate(n) for n in names}
        return [self._outcome(n, action, n in todo, final[n],
                              f"{n} is in maintenance on every MaxScale" if n in todo else
                              f"{n} is already in maintenance on every MaxScale; nothing to do",
                              cut=cut.get(n, 0)) for n in names]

    def plan_enter_set(self, todo: list[str], opts: OnOptions) -> None:
        """The plan of several servers entering together: every drain, one wait, every maintenance."""
        both = ", ".join(todo)
        self.ui.plan(f"# together, all or nothing (a failure undoes every one): {both}")
        draining = opts.drain and not opts.force
        if draining:
            for n in todo:
                self._plan(f"set {n} draining on every MaxScale", lambda b, n=n: b.describe_set(n, "drain"))
            self.ui.plan(f"# wait until {both} are Drained on every MaxScale (up to {opts.drain_timeout:g}s; "
                         f"then --on-timeout {opts.on_timeout})")
        for n in todo:
            self._plan(f"set {n} in maintenance on every MaxScale",
                       lambda b, n=n: b.describe_set(n, "maintenance", opts.force))
        if draining:
            for n in todo:
                self._plan(f"clear the drain flag of {n}", lambda b, n=n: b.describe_clear(n, "drain"))
        self.ui.plan(f"# confirm: every MaxScale lists {both} as Maintenance (up to {self.confirm_timeout:g}s each)")

    def _distinct(self, names: list[str]) -> list[str]:
        if not names:
            raise UsageError("give at least one SERVER")
        for n in names:
            self.check_name(n)
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise UsageError(f"{', '.join(twice)} given more than once")
        return list(names)

    def _enter_together(self, todo: list[str], opts: OnOptions, found: dict[str, dict[str, Server]],
                        action: str) -> dict[str, int]:
        """Drain every server of the set, then put each in maintenance; on any failure or interrupt undo
        what this did on every server and re-raise. Returns the connections cut per server."""
        had_drain = {n: {h for h, s in found[n].items() if s.draining} for n in todo}
        drained: list[str] = []  # drain flags set by us and not yet cleared
        self._note_sync()
        try:
            return self._enter_together_steps(todo, opts, found, action, had_drain, drained)
        finally:
            # An interrupt between two steps, outside their handlers, still clears our drain flags (after
            # the first signal no other one raises: signals.py).
            for n in drained:
                self._clear_drain(n, had_drain[n])

    def _enter_together_steps(self, todo: list[str], opts: OnOptions, found: dict[str, dict[str, Server]],
                              action: str, had_drain: dict[str, set[str]], drained: list[str]) -> dict[str, int]:
        force = opts.force
        cut = {n: sum(s.connections or 0 for s in found[n].values()) for n in todo} if force else {}
        had_maint = {n: {h for h, s in found[n].items() if s.in_maintenance} for n in todo}
        keeps = lambda b, had: bool(had & set(self.fleet.group(b)))  # noqa: E731
        maint: list[str] = []  # maintenance set by us
        try:
            if opts.drain and not force:
                for n in todo:
                    drained.append(n)  # before the call: an interrupt half-way must still clean up
                    self.fleet.apply(f"set {n} drain", lambda b, n=n: b.set_state(n, "drain"),
                                     lambda b, n=n: keeps(b, had_drain[n]) or b.clear_state(n, "drain"))
                self.ui.info(f"{', '.join(todo)}: draining together (up to {opts.drain_timeout:g}s)")
                late = self._wait_set(todo, opts.drain_timeout)
                if late:
                    force, cut = self._set_timed_out(late, opts, action)
            for n in todo:
                maint.append(n)
                self.fleet.apply(f"set {n} maintenance", lambda b, n=n: b.set_state(n, "maintenance", force),
                                 lambda b, n=n: keeps(b, had_maint[n]) or b.clear_state(n, "maintenance"))
            for n in todo:
                self.record(action, n, "ok", reason=opts.reason, expires=self._expires(opts), forced=force,
                            cut=cut.get(n, 0), together=todo)
            for n in todo:
                self.fleet.wait(lambda s: s.in_maintenance, n, self.confirm_timeout, "in maintenance")
        except BaseException as exc:
            if not isinstance(exc, (KeyboardInterrupt, McsctlError)):
                raise
            err = exc if isinstance(exc, McsctlError) else Interrupted(f"{', '.join(todo)}: interrupted")
            touched = list(dict.fromkeys(maint + drained))
            left = self._undo_set(maint, list(drained), had_maint, had_drain, action)
            drained.clear()  # _undo_set cleared them
            err.message += (f"; undone on {', '.join(touched)}" if not left else
                            "; could not undo: " + "; ".join(left))
            if left and not isinstance(err, Partial):
                partial = Partial(err.message, hint="check with `mcsctl maintenance status` and fix by hand")
                err = partial
            self._note_changes(err)
            err.final = {f"{h} {n}": s for n in todo for h, s in (self.final_state(n) or {}).items()}
            if err is exc:
                raise
            raise err from None
        for n in list(drained):
            left, _ = self._clear_drain(n, had_drain[n])
            drained.remove(n)
            if left:
                raise Partial(f"{', '.join(todo)} are in maintenance, but the drain flag of {n} could not be cleared "
                              f"on {', '.join(left)}", hint=self._drain_hint(n, left))
        self.changes += [f"{n} in maintenance" for n in todo]
        return cut

    def _wait_set(self, todo: list[str], timeout: float) -> list[str]:
        """Wait until every server of the set is Drained (or in maintenance); the ones that were not in time."""
        start = self.fleet.clock.now()
        late = []
        for n in todo:
            left = max(timeout - (self.fleet.clock.now() - start), 0.0)
            try:
                self.fleet.wait(lambda s: s.drained or s.in_maintenance, n, left, "draining",
                                self._progress(f"{n} draining", timeout))
            except TimedOut:
                late.append(n)
        return late

    def _set_timed_out(self, late: list[str], opts: OnOptions, action: str) -> tuple[bool, dict[str, int]]:
        """--on-timeout for a set: fail raises (the caller undoes every server), force/proceed go on."""
        left = {n: sum(s.connections or 0 for s in self.fleet.locate(n).values()) for n in late}
        if opts.on_timeout == "fail":
            for n in late:
                self.record(action, n, "timeout", reason=opts.reason)
            raise TimedOut(
                f"{', '.join(late)} did not drain in {opts.drain_timeout:g}s: "
                + ", ".join(f"{n} {c} connection(s) left" for n, c in left.items()),
                hint="retry with a longer --drain-timeout, or --on-timeout force|proceed",
            )
        if opts.on_timeout == "force":
            self.ui.warn(f"{', '.join(late)} did not drain in time: FORCING maintenance, cutting "
                         f"{sum(left.values())} connection(s)")
            return True, left
        self.ui.warn(f"{', '.join(late)} did not drain in time: in maintenance anyway; their connections close "
                     "at their next request")
        return False, {}

    def _undo_set(self, maint: list[str], drained: list[str], had_maint: dict, had_drain: dict,
                  action: str) -> list[str]:
        """Undo a set's maintenance and drain flags (whatever arrives meanwhile); what could not be undone."""
        left = []
        with shielded():
            for n in reversed(maint):
                failed = self._each(f"clear {n} maintenance", lambda b, n=n: bool(
                    had_maint[n] & set(self.fleet.group(b))) or b.clear_state(n, "maintenance"))
                left += [f"{n} maintenance on {h}" for h in failed]
                if not failed:
                    self.record("off", n, "ok", reason="undone: the set failed", undone=True)
            for n in reversed(drained):
                hosts, _ = self._clear_drain(n, had_drain[n])
                left += [f"{n} drain flag on {h}" for h in hosts]
        return left

    def leave_set(self, names: list[str], wait_healthy: bool = False, healthy_timeout: float = 300.0,
                  dry_run: bool = False, action: str = "off", reason: str | None = None) -> list[Outcome]:
        """`maintenance off A B ...`: each leaves maintenance; if one fails, the ones this command took out
        are put back in maintenance (all or nothing). One server is `leave` exactly."""
        names = self._distinct(names)
        if len(names) == 1 or dry_run:
            return [self.leave(n, wait_healthy, healthy_timeout, dry_run=dry_run, action=action, reason=reason)
                    for n in names]
        with self.changing(action, names):
            return self._leave_set_checked(names, wait_healthy, healthy_timeout, action, reason)

    def _leave_set_checked(self, names: list[str], wait_healthy: bool, healthy_timeout: float, action: str,
                           reason: str | None) -> list[Outcome]:
        for n in names:
            self.fleet.locate(n)  # every name is known before anything changes
        done: list[Outcome] = []
        try:
            for n in names:
                done.append(self.leave(n, wait_healthy, healthy_timeout, action=action, reason=reason))
        except BaseException as exc:
            if not isinstance(exc, (KeyboardInterrupt, McsctlError)):
                raise
            err = exc if isinstance(exc, McsctlError) else Interrupted(f"{', '.join(names)}: interrupted")
            back = [o.server for o in done if f"{o.server} out of maintenance" in self.changes]
            failed = []
            with shielded():
                for n in reversed(back):
                    failed += [f"{n} on {h}" for h in self._each(f"set {n} maintenance again",
                                                                 lambda b, n=n: b.set_state(n, "maintenance"))]
                    self.record("on", n, "ok", reason=reason or "undone: the set failed", undone=True)
            if back:
                self.changes = [c for c in self.changes if not any(c.startswith(f"{n} ") for n in back)]
                err.message += (f"; put back in maintenance: {', '.join(back)}" if not failed else
                                "; could not put back in maintenance: " + ", ".join(failed))
            if failed and not isinstance(err, Partial):
                err = Partial(err.message, hint="check with `mcsctl maintenance status` and fix by hand")
            if err is exc:
                raise
            raise err from None
        return done
