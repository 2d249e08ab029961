"""The procedures a careful admin follows: enter/leave maintenance, drain with a deadline, switchover.

Pure logic over a Fleet (the MaxScales), a UI and an optional journal; no printing, no Typer.
Every change is confirmed by re-reading every MaxScale; a change that fails half-way is undone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from .backends.base import check_server_name
from .errors import GuardRefused, Interrupted, McsctlError, OperationFailed, Partial, TimedOut, UsageError
from .fleet import Fleet, Views
from .gtid import behind
from .model import Server
from .signals import deferred, shielded
from .ui import UI

ON_TIMEOUT = ("fail", "force", "proceed")


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


class Procedures:
    def __init__(
        self,
        fleet: Fleet,
        ui: UI,
        journal=None,
        confirm_timeout: float = 30.0,
        wall: Callable[[], float] = time.time,
    ):
        self.fleet = fleet
        self.ui = ui
        self.journal = journal
        self.confirm_timeout = confirm_timeout
        self.wall = wall
        self._sync_noted = False

    # ---------------------------------------------------------------- helpers
    def record(self, action: str, server: str | None, outcome: str, hosts: list[str] | None = None, **kw) -> None:
        """Append to the journal (if any); `hosts` = where the change took effect (default: every MaxScale)."""
        if self.journal is None:
            return
        from .journal import Record, who

        self.journal.append(
            Record(
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
        )

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
            self.ui.plan(describe(b))

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
    def _guard_last(self, name: str, views: Views) -> None:
        for host, servers in views.items():
            target = next(s for s in servers if s.name == name)
            if not target.routable:
                continue
            # Peers are the servers of the same monitor (the same cluster); an unmonitored server has no
            # cluster we can see, so every other server counts.
            peers = [
                s for s in servers
                if s.name != name and s.routable and (target.monitor is None or s.monitor == target.monitor)
            ]
            if not peers:
                raise GuardRefused(
                    f"{name} is the last server that can take traffic on {host}",
                    hint="bring another server back first (mcsctl maintenance off SERVER)",
                )

    def _consent(self, question: str, why: str, opts: OnOptions) -> None:
        if opts.yes or opts.dry_run:
            return
        if self.ui.interactive:
            if not self.ui.confirm(question):
                raise GuardRefused("not confirmed; nothing was changed")
            return
        raise GuardRefused(f"{why}; add --yes to confirm (no terminal to ask on)")

    # ---------------------------------------------------------------- maintenance on
    def enter(self, name: str, opts: OnOptions, action: str = "on") -> Outcome:
        for b in self.fleet.backends:  # a name a backend cannot send is refused before any request
            b.check_name(name)
        check_server_name(name)
        if opts.on_timeout not in ON_TIMEOUT:
            raise UsageError(f"--on-timeout must be one of {', '.join(ON_TIMEOUT)}, not {opts.on_timeout!r}")
        views = self.fleet.read()
        found = self.fleet.locate(name, views)
        if all(s.in_maintenance for s in found.values()):
            msg = f"{name} is already in maintenance on every MaxScale; nothing to do"
            if (opts.reason or opts.expires is not None or opts.expires_after is not None) and not opts.dry_run:
                # The admin takes it over with a new reason/expiry: the journal must say so (status, reap).
                self.record(action, name, "ok", reason=opts.reason, expires=self._expires(opts), took_over=True)
                msg = f"{name} is already in maintenance on every MaxScale; recorded the new reason/expiry"
            return Outcome(name, action, False, found, msg)

        if any(s.is_primary for s in found.values()):
            if opts.switchover:
                self.switchover(to=opts.to, dry_run=opts.dry_run, views=views)
                if not opts.dry_run:
                    views = self.fleet.read()
                    found = self.fleet.locate(name, views)
            elif not opts.allow_primary:
                raise GuardRefused(
                    f"{name} is the primary; putting it in maintenance would stop all writes",
                    hint=f"switch over first: mcsctl maintenance on {name} --switchover [--to SERVER]",
                )
            else:
                self.ui.warn(f"{name} is the primary; taking it out without a switchover (--allow-primary)")
        self._guard_last(name, views)

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
            primary = opts.allow_primary and any(s.is_primary for s in found.values())
            self.plan_enter(name, opts, primary)
            return Outcome(name, action, False, found, "dry run: nothing was changed")
        return self._enter(name, opts, found, action)

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
            raise TimedOut(
                f"{name} did not drain in {opts.drain_timeout:g}s: {left} connection(s) left"
                + (" (" + "; ".join(who) + ")" if who else "")
                + f"; {undone}, nothing was changed",
                hint="retry with a longer --drain-timeout, or --on-timeout force|proceed",
            )
        if opts.on_timeout == "force":
            self.ui.warn(f"{name} did not drain in time: FORCING maintenance, cutting {left} connection(s)")
            return True, left
        self.ui.warn(
            f"{name} did not drain in time: in maintenance anyway; {left} connection(s) close at their next request"
        )
        return False, 0

    def _enter(self, name: str, opts: OnOptions, found: dict[str, Server], action: str) -> Outcome:
        # A primary that MaxScale lets into maintenance (legacy, --allow-primary) is not drained: drain would
        # keep its idle connections forever. Maintenance lets open transactions finish, then closes their
        # connections, so the wait comes after the change (reference §3.3).
        primary = opts.allow_primary and any(s.is_primary for s in found.values())
        drain_first = opts.drain and not opts.force and not primary
        wait_after = primary and not opts.force
        force = opts.force
        cut = sum(s.connections or 0 for s in found.values()) if force else 0
        # Flags someone else set stay as they are, whatever happens here.
        had_drain = {h for h, s in found.items() if s.draining}
        had_maint = {h for h, s in found.items() if s.in_maintenance}
        # With config sync a writer's change reaches its peers: it keeps a flag any of them had.
        keeps = lambda b, had: bool(had & set(self.fleet.group(b)))  # noqa: E731
        set_maint = lambda f: self.fleet.apply(  # noqa: E731
            f"set {name} maintenance",
            lambda b: b.set_state(name, "maintenance", f),
            lambda b: b.host in had_maint or b.clear_state(name, "maintenance"),
        )
        self._note_sync()
        drain_set = maint_tried = False
        try:
            if drain_first:
                drain_set = True  # before the call: an interrupt half-way must still clean up
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
                        force, cut = self._timed_out(name, opts, "maintenance cleared", action)
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
            if isinstance(err, Partial) and getattr(err, "changed_hosts", None):
                self.record(action, name, "partial", hosts=err.changed_hosts, reason=opts.reason,
                            expires=self._expires(opts))
            if drain_set:
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
            if err is exc:
                raise
            raise err from None
        if drain_set:
            left, interrupted = self._clear_drain(name, had_drain)
            if left:
                partial = Partial(
                    f"{name} is in maintenance, but its drain flag could not be cleared on {', '.join(left)}",
                    hint=self._drain_hint(name, left),
                )
                partial.final = self.final_state(name)
                raise partial
            if interrupted:
                err = Interrupted(f"{name}: interrupted; it is in maintenance (the drain flag was cleared)")
                err.final = self.final_state(name)
                raise err
            final = self.fleet.locate(name)
        return Outcome(name, action, True, final, f"{name} is in maintenance on every MaxScale", cut=cut)

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
        for b in self.fleet.backends:  # a name a backend cannot send is refused before any request
            b.check_name(name)
        check_server_name(name)
        found = self.fleet.locate(name)
        in_maint = any(s.in_maintenance for s in found.values())
        draining = any(s.draining for s in found.values())
        if dry_run:
            self._plan(f"clear maintenance of {name} on every MaxScale", lambda b: b.describe_clear(name, "maintenance"))
            self._plan(f"clear any drain flag of {name}", lambda b: b.describe_clear(name, "drain"))
            self.ui.plan(f"# confirm: no MaxScale lists {name} as Maintenance (up to {self.confirm_timeout:g}s)")
            if wait_healthy:
                self.ui.plan(f"# wait until {name} is Running with a role on every MaxScale (up to {healthy_timeout:g}s)")
            return Outcome(name, action, False, found, "dry run: nothing was changed")
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
                    self.record(action, name, "partial", hosts=getattr(exc, "changed_hosts", None), reason=reason)
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
            if getattr(err, "final", None) is None:  # show where the server stands now
                err.final = self.final_state(name)
            if isinstance(err, Interrupted):
                err.message += "; " + self._what_changed(before, err.final)
            if err is exc:
                raise
            raise err from None
        if changed:
            msg = f"{name} is out of maintenance on every MaxScale"
        else:
            msg = f"{name} is not in maintenance on any MaxScale; nothing to do"
            if self._open_record(name):  # cleared outside mcsctl: close the record so status/reap agree
                self.record(action, name, "ok", reason=reason, already_out=True)
                msg += " (closed its journal record)"
        return Outcome(name, action, changed, found, msg)

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

    def switchover(
        self, to: str | None = None, dry_run: bool = False, views: Views | None = None, exclude: tuple[str, ...] = ()
    ) -> Outcome:
        for b in self.fleet.backends if to is not None else ():  # refused before any request
            b.check_name(to)
        views = views if views is not None else self.fleet.read()
        old = self.primary(views)
        if not old.monitor:
            raise OperationFailed(f"{old.name} is not monitored; MaxScale cannot switch it over")
        if to is not None:
            check_server_name(to)
            target = self.fleet.locate(to, views)
            if to == old.name:
                return Outcome(old.name, "switchover", False, target, f"{to} is already the primary; nothing to do",
                               extra={"to": to})
            bad = {h: s for h, s in target.items() if not (s.is_replica and s.routable)}
            if bad:
                raise GuardRefused(
                    f"{to} cannot become the primary: " + "; ".join(f"{h}: {s.state}" for h, s in bad.items()),
                    hint="pick a running replica that is not in maintenance or draining",
                )
            new = to
        else:
            ranked = self.candidates(views, old, exclude)
            if not ranked:
                raise GuardRefused(f"no replica can take over from {old.name}", hint="bring a replica back first")
            new = ranked[0].name
        if dry_run:
            self.ui.plan(f"# switch over from {old.name} to {new} (monitor {old.monitor})")
            self.ui.plan(self._switcher(old.monitor).describe_switchover(old.monitor, new, old.name))
            self.ui.plan(f"# confirm: every MaxScale lists {new} as Master and {old.name} as not Master")
            return Outcome(old.name, "switchover", False, {}, "dry run: nothing was changed", extra={"to": new})
        self.ui.info(f"switching over from {old.name} to {new}")
        self._switcher(old.monitor).switchover(old.monitor, new, old.name)
        final = self.fleet.wait(lambda s: s.is_primary, new, self.confirm_timeout, "Master")
        self.fleet.wait(lambda s: s.is_replica or s.in_maintenance, old.name, self.confirm_timeout, "a replica")
        self.record("switchover", old.name, "ok", to=new)
        return Outcome(old.name, "switchover", True, final, f"{new} is the primary on every MaxScale", extra={"to": new})
