"""`maintenance on` for one server: guards, consent, drain with a deadline, maintenance, confirm, undo."""

from __future__ import annotations

from collections.abc import Callable

from ..backends.base import Backend
from ..dataclass_lite import dataclass
from ..errors import GuardRefused, Interrupted, McsctlError, OperationFailed, Partial, TimedOut, UsageError
from ..model import Server
from ..outcome import ON_TIMEOUT, OnOptions, Outcome
from ..signals import deferred, shielded
from .switch import Switch


@dataclass
class _OurDrain:
    """The drain flag `_enter` set: whether it was set, and whether clearing it was done (or tried)."""

    set: bool = False
    cleared: bool = False


@dataclass
class _Entering:
    """One server entering maintenance: what the steps of `_enter_steps` share."""

    name: str
    opts: OnOptions
    found: dict[str, Server]
    action: str
    had_drain: set[str]
    had_maint: set[str]
    ours: _OurDrain
    force: bool = False
    drain_first: bool = False
    wait_after: bool = False
    cut: int = 0
    drain_set: bool = False  # our drain flag was (being) set
    maint_tried: bool = False  # the maintenance request was sent


class Enter(Switch):
    """Entering maintenance (one server)."""

    def enter(self, name: str, opts: OnOptions, action: str = "on") -> Outcome:
        self.check_name(name)
        if opts.on_timeout not in ON_TIMEOUT:
            raise UsageError(f"--on-timeout must be one of {', '.join(ON_TIMEOUT)}, not {opts.on_timeout!r}")
        if opts.switchover and opts.to is not None and opts.to == name:
            raise UsageError(
                f"--to {name} names the server being taken out; give the replica that takes over",
                hint="leave out --to to pick the most caught-up replica",
            )
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
        self._enter_consents(name, opts, found, switch_to)

        if opts.dry_run:
            if switch_to is not None:
                self.switchover(to=switch_to, dry_run=True, views=views)
            primary = opts.allow_primary and any(s.is_primary for s in found.values())
            self.plan_enter(name, opts, primary)
            return self._outcome(name, action, False, found, "dry run: nothing was changed")
        self.events.before("on", [name], opts.reason, self._expires(opts))  # the pre-on hook may veto
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

    def _enter_consents(self, name: str, opts: OnOptions, found: dict[str, Server], switch_to: str | None) -> None:
        """Every question (or --yes) about interrupting clients, before the first change."""
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

    def plan_enter(self, name: str, opts: OnOptions, primary: bool = False) -> None:
        self.events.planned("on")
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

    def _drain_wait(
        self, name: str, opts: OnOptions, ok: Callable[[Server], bool], what: str
    ) -> dict[str, Server] | None:
        """Wait for the connections to go; None when the deadline passed (the caller applies --on-timeout)."""
        try:
            progress = self._progress(f"{name} {what}", opts.drain_timeout)
            return self.fleet.wait(ok, name, opts.drain_timeout, what, progress)
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
                + f"; {undone}, "
                + self._stays(),
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

    def _enter_steps(
        self,
        name: str,
        opts: OnOptions,
        found: dict[str, Server],
        action: str,
        had_drain: set[str],
        had_maint: set[str],
        ours: _OurDrain,
    ) -> Outcome:
        """Drain, maintenance, confirm, clear the drain; a failure or interrupt cleans up what it did."""
        # A primary that MaxScale lets into maintenance (legacy, --allow-primary) is not drained: drain would
        # keep its idle connections forever. Maintenance lets open transactions finish, then closes their
        # connections, so the wait comes after the change (docs/maxscale-facts.md: primary-maintenance).
        primary = opts.allow_primary and any(s.is_primary for s in found.values())
        e = _Entering(
            name,
            opts,
            found,
            action,
            had_drain,
            had_maint,
            ours,
            force=opts.force,
            drain_first=opts.drain and not opts.force and not primary,
            wait_after=primary and not opts.force,
        )
        e.cut = sum(s.connections or 0 for s in found.values()) if e.force else 0
        try:
            final = self._enter_change(e)
        except BaseException as exc:
            if not isinstance(exc, (KeyboardInterrupt, McsctlError)):
                raise
            err = self._enter_failed(e, exc)
            if err is exc:
                raise
            raise err from None
        return self._enter_done(e, final)

    def _keeps(self, b: Backend, had: set[str]) -> bool:
        """With config sync a writer's change reaches its peers: it keeps a flag any of them had."""
        return bool(had & set(self.fleet.group(b)))

    def _set_maint(self, e: _Entering, force: bool) -> None:
        name = e.name
        self.fleet.apply(
            f"set {name} maintenance",
            lambda b: b.set_state(name, "maintenance", force),
            lambda b: None if b.host in e.had_maint else b.clear_state(name, "maintenance"),
        )

    def _enter_change(self, e: _Entering) -> dict[str, Server]:
        """The changes themselves: drain (and wait), maintenance (and wait for a primary's transactions)."""
        name, opts = e.name, e.opts
        if e.drain_first:
            e.drain_set = e.ours.set = True  # before the call: an interrupt half-way must still clean up
            self.fleet.apply(
                f"set {name} drain",
                lambda b: b.set_state(name, "drain"),
                lambda b: None if self._keeps(b, e.had_drain) else b.clear_state(name, "drain"),
            )
            self.events.transition("drain-start", name)
            self.ui.info(f"{name}: draining (up to {opts.drain_timeout:g}s)")
            if self._drain_wait(name, opts, lambda s: s.drained or s.in_maintenance, "draining") is None:
                e.force, e.cut = self._timed_out(name, opts, "drain cleared", e.action)
        elif e.force and e.cut:
            self.ui.warn(f"{name}: forcing maintenance, cutting {e.cut} connection(s)")
        e.maint_tried = True
        self._set_maint(e, e.force)
        if e.wait_after:
            self._wait_transactions(e)
        # MaxScale accepted the change: journal it now, so an interrupted confirmation still shows who/why.
        self.record(e.action, name, "ok", reason=opts.reason, expires=self._expires(opts), forced=e.force, cut=e.cut)
        return self.fleet.wait(lambda s: s.in_maintenance, name, self.confirm_timeout, "in maintenance")

    def _wait_transactions(self, e: _Entering) -> None:
        """A primary in maintenance: wait for its open transactions; --on-timeout after the deadline."""
        name, opts = e.name, e.opts
        self.ui.info(f"{name}: waiting for its open transactions (up to {opts.drain_timeout:g}s)")
        if self._drain_wait(name, opts, lambda s: not s.connections, "finishing transactions") is not None:
            return
        try:
            e.force, e.cut = self._timed_out(
                name,
                opts,
                f"maintenance cleared (new writes to {name} were refused during the {opts.drain_timeout:g}s wait)",
                e.action,
            )
        except TimedOut:
            with shielded() as got:
                failed = self._each(
                    f"clear {name} maintenance",
                    lambda b: None if self._keeps(b, e.had_maint) else b.clear_state(name, "maintenance"),
                )
            if failed:
                partial = Partial(
                    f"{name} did not finish its transactions in {opts.drain_timeout:g}s, and its "
                    "maintenance could not be cleared again on " + ", ".join(failed),
                    hint=f"clear it by hand: mcsctl maintenance off {name}",
                )
                partial.changed_hosts = [
                    h for b in self.fleet.writers() if b.host in failed for h in self.fleet.group(b)
                ]
                raise partial from None
            deferred(got)
            raise
        if e.force:
            self._set_maint(e, True)

    def _enter_failed(self, e: _Entering, exc: McsctlError | KeyboardInterrupt) -> McsctlError:
        """Clean up after a failure or interrupt: the error to raise, naming what is left."""
        name, opts = e.name, e.opts
        err = exc if isinstance(exc, McsctlError) else Interrupted(f"{name}: interrupted")
        if isinstance(err, Partial) and err.changed_hosts:
            self.record(
                e.action, name, "partial", hosts=err.changed_hosts, reason=opts.reason, expires=self._expires(opts)
            )
        if e.drain_set:
            e.ours.cleared = True
            left, interrupted = self._clear_drain(name, e.had_drain)
            if left:
                err.message += f"; the drain flag is still set on {', '.join(left)}"
                err.hint = err.hint or self._drain_hint(name, left)
            if interrupted and not isinstance(err, Interrupted):
                err.message += " (interrupted during the cleanup, which was finished)"
        if e.drain_set or e.maint_tried:  # something may have changed: show where it stands
            err.final = self.final_state(name)
            if isinstance(err, Interrupted):
                err.message += "; " + self._what_changed(e.found, err.final)
        self._note_changes(err)  # e.g. the switchover before this stays
        return err

    def _enter_done(self, e: _Entering, final: dict[str, Server]) -> Outcome:
        """In maintenance: clear our drain flag; the outcome (or Partial when the flag stays)."""
        name = e.name
        if e.drain_set:
            e.ours.cleared = True
            left, interrupted = self._clear_drain(name, e.had_drain)
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
        self.events.transition("maintenance-on", name, found=final, forced=e.force, cut=e.cut)
        return self._outcome(name, e.action, True, final, f"{name} is in maintenance on every MaxScale", cut=e.cut)
