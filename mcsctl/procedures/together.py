"""Several servers at once: judged by the guards as one set, changed together, all or nothing."""

from __future__ import annotations

from ..errors import GuardRefused, Interrupted, McsctlError, OperationFailed, Partial, TimedOut, UsageError
from ..model import Server
from ..outcome import ON_TIMEOUT, OnOptions, Outcome
from ..signals import shielded
from .drain import Drain


class Together(Drain):
    """`maintenance on/off A B ...`."""

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
            return [
                self._outcome(
                    n, action, False, found[n], f"{n} is already in maintenance on every MaxScale; nothing to do"
                )
                for n in names
            ]
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
        self._consent_set(todo, found, opts, primaries[0] if switch_to is not None else None, switch_to)
        if opts.dry_run:
            if switch_to is not None:
                self.switchover(to=switch_to, dry_run=True, views=views)
            self.plan_enter_set(todo, opts)
            return [self._outcome(n, action, False, found[n], "dry run: nothing was changed") for n in names]
        self.events.before("on", todo, opts.reason, self._expires(opts))  # the pre-on hook may veto
        if switch_to is not None:
            self.switchover(to=switch_to, views=views, yes=True)  # consented above
            views = self.fleet.read()
            found = {n: self.fleet.locate(n, views) for n in names}
            still = [n for n in todo if any(s.is_primary for s in found[n].values())]
            if still:
                raise OperationFailed(f"{still[0]} is still the primary after the switchover; " + self._stays())
        cut = self._enter_together(todo, opts, found, action)
        final = {n: self.fleet.locate(n) for n in names}
        for n in todo:
            self.events.transition("maintenance-on", n, found=final[n], together=todo, cut=cut.get(n, 0))
        return [
            self._outcome(
                n,
                action,
                n in todo,
                final[n],
                f"{n} is in maintenance on every MaxScale"
                if n in todo
                else f"{n} is already in maintenance on every MaxScale; nothing to do",
                cut=cut.get(n, 0),
            )
            for n in names
        ]

    def _consent_set(
        self,
        todo: list[str],
        found: dict[str, dict[str, Server]],
        opts: OnOptions,
        primary: str | None,
        switch_to: str | None,
    ) -> None:
        """Consent, before anything changes, to what the set interrupts: a switchover, cut connections."""
        if switch_to is not None:
            self._consent(
                f"Switch the primary over from {primary} to {switch_to}, interrupting its clients' writes?",
                f"the switchover from {primary} to {switch_to} interrupts the primary's clients",
                opts,
            )
        conns = sum(s.connections or 0 for n in todo for s in found[n].values())
        if opts.force and conns:
            self._consent(
                f"Force {', '.join(todo)} into maintenance, cutting {conns} connection(s)?",
                f"--force would cut {conns} connection(s) to {', '.join(todo)}",
                opts,
            )
        elif opts.drain and not opts.force and opts.on_timeout == "force":
            self._consent(
                f"If {', '.join(todo)} do not drain in {opts.drain_timeout:g}s, force them, cutting connections?",
                "--on-timeout force may cut connections",
                opts,
            )

    def plan_enter_set(self, todo: list[str], opts: OnOptions) -> None:
        """The plan of several servers entering together: every drain, one wait, every maintenance."""
        both = ", ".join(todo)
        self.ui.plan(f"# together, all or nothing (a failure undoes every one): {both}")
        self.events.planned("on")
        draining = opts.drain and not opts.force
        if draining:
            for n in todo:
                self._plan(f"set {n} draining on every MaxScale", lambda b: b.describe_set(n, "drain"))  # noqa: B023 (runs at once)
            self.ui.plan(
                f"# wait until {both} are Drained on every MaxScale (up to {opts.drain_timeout:g}s; "
                f"then --on-timeout {opts.on_timeout})"
            )
        for n in todo:
            self._plan(
                f"set {n} in maintenance on every MaxScale",
                lambda b: b.describe_set(n, "maintenance", opts.force),  # noqa: B023 (runs at once)
            )
        if draining:
            for n in todo:
                self._plan(f"clear the drain flag of {n}", lambda b: b.describe_clear(n, "drain"))  # noqa: B023 (runs at once)
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

    def _enter_together(
        self, todo: list[str], opts: OnOptions, found: dict[str, dict[str, Server]], action: str
    ) -> dict[str, int]:
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

    def _enter_together_steps(
        self,
        todo: list[str],
        opts: OnOptions,
        found: dict[str, dict[str, Server]],
        action: str,
        had_drain: dict[str, set[str]],
        drained: list[str],
    ) -> dict[str, int]:
        force = opts.force
        cut = {n: sum(s.connections or 0 for s in found[n].values()) for n in todo} if force else {}
        had_maint = {n: {h for h, s in found[n].items() if s.in_maintenance} for n in todo}
        maint: list[str] = []  # maintenance set by us
        try:
            if opts.drain and not force:
                for n in todo:
                    drained.append(n)  # before the call: an interrupt half-way must still clean up
                    self.fleet.apply(
                        f"set {n} drain",
                        lambda b: b.set_state(n, "drain"),  # noqa: B023 (runs at once)
                        lambda b: None if self._keeps(b, had_drain[n]) else b.clear_state(n, "drain"),  # noqa: B023 (runs at once)
                    )
                    self.events.transition("drain-start", n, together=todo)
                self.ui.info(f"{', '.join(todo)}: draining together (up to {opts.drain_timeout:g}s)")
                late = self._wait_set(todo, opts.drain_timeout)
                if late:
                    force, cut = self._set_timed_out(late, opts, action)
            for n in todo:
                maint.append(n)
                self.fleet.apply(
                    f"set {n} maintenance",
                    lambda b: b.set_state(n, "maintenance", force),  # noqa: B023 (runs at once)
                    lambda b: None if self._keeps(b, had_maint[n]) else b.clear_state(n, "maintenance"),  # noqa: B023 (runs at once)
                )
            for n in todo:
                self.record(
                    action,
                    n,
                    "ok",
                    reason=opts.reason,
                    expires=self._expires(opts),
                    forced=force,
                    cut=cut.get(n, 0),
                    together=todo,
                )
            for n in todo:
                self.fleet.wait(lambda s: s.in_maintenance, n, self.confirm_timeout, "in maintenance")
        except BaseException as exc:
            if not isinstance(exc, (KeyboardInterrupt, McsctlError)):
                raise
            err = self._set_failed(exc, todo, maint, drained, had_maint, had_drain, action)
            if err is exc:
                raise
            raise err from None
        self._clear_set_drains(todo, drained, had_drain)
        self.changes += [f"{n} in maintenance" for n in todo]
        return cut

    def _clear_set_drains(self, todo: list[str], drained: list[str], had_drain: dict[str, set[str]]) -> None:
        """The set is in maintenance: clear the drain flags we set (Partial when one cannot be cleared)."""
        for n in list(drained):
            left, _ = self._clear_drain(n, had_drain[n])
            drained.remove(n)
            if left:
                raise Partial(
                    f"{', '.join(todo)} are in maintenance, but the drain flag of {n} could not be cleared "
                    f"on {', '.join(left)}",
                    hint=self._drain_hint(n, left),
                )

    def _set_failed(
        self,
        exc: KeyboardInterrupt | McsctlError,
        todo: list[str],
        maint: list[str],
        drained: list[str],
        had_maint: dict[str, set[str]],
        had_drain: dict[str, set[str]],
        action: str,
    ) -> McsctlError:
        """A set failed or was interrupted: undo what it did; the error to raise (Partial if not undone)."""
        err = exc if isinstance(exc, McsctlError) else Interrupted(f"{', '.join(todo)}: interrupted")
        touched = list(dict.fromkeys(maint + drained))
        left = self._undo_set(maint, list(drained), had_maint, had_drain, action)
        drained.clear()  # _undo_set cleared them
        err.message += f"; undone on {', '.join(touched)}" if not left else "; could not undo: " + "; ".join(left)
        if left and not isinstance(err, Partial):
            partial = Partial(err.message, hint="check with `mcsctl maintenance status` and fix by hand")
            err = partial
        self._note_changes(err)
        err.final = {f"{h} {n}": s for n in todo for h, s in (self.final_state(n) or {}).items()}
        return err

    def _wait_set(self, todo: list[str], timeout: float) -> list[str]:
        """Wait until every server of the set is Drained (or in maintenance); the ones that were not in time."""
        start = self.fleet.clock.now()
        late = []
        for n in todo:
            left = max(timeout - (self.fleet.clock.now() - start), 0.0)
            try:
                self.fleet.wait(
                    lambda s: s.drained or s.in_maintenance,
                    n,
                    left,
                    "draining",
                    self._progress(f"{n} draining", timeout),
                )
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
            self.ui.warn(
                f"{', '.join(late)} did not drain in time: FORCING maintenance, cutting "
                f"{sum(left.values())} connection(s)"
            )
            return True, left
        self.ui.warn(
            f"{', '.join(late)} did not drain in time: in maintenance anyway; their connections close "
            "at their next request"
        )
        return False, {}

    def _undo_set(
        self,
        maint: list[str],
        drained: list[str],
        had_maint: dict[str, set[str]],
        had_drain: dict[str, set[str]],
        action: str,
    ) -> list[str]:
        """Undo a set's maintenance and drain flags (whatever arrives meanwhile); what could not be undone."""
        left = []
        with shielded():
            for n in reversed(maint):
                failed = self._each(
                    f"clear {n} maintenance",
                    lambda b: None if had_maint[n] & set(self.fleet.group(b)) else b.clear_state(n, "maintenance"),  # noqa: B023 (runs at once)
                )
                left += [f"{n} maintenance on {h}" for h in failed]
                if not failed:
                    self.record("off", n, "ok", reason="undone: the set failed", undone=True)
                    self.events.transition("undo", n, undid=action)
            for n in reversed(drained):
                hosts, _ = self._clear_drain(n, had_drain[n])
                left += [f"{n} drain flag on {h}" for h in hosts]
        return left

    def leave_set(
        self,
        names: list[str],
        wait_healthy: bool = False,
        healthy_timeout: float = 300.0,
        dry_run: bool = False,
        action: str = "off",
        reason: str | None = None,
    ) -> list[Outcome]:
        """`maintenance off A B ...`: each leaves maintenance; if one fails, the ones this command took out
        are put back in maintenance (all or nothing). One server is `leave` exactly."""
        names = self._distinct(names)
        if len(names) == 1 or dry_run:
            return [
                self.leave(n, wait_healthy, healthy_timeout, dry_run=dry_run, action=action, reason=reason)
                for n in names
            ]
        with self.changing(action, names):
            return self._leave_set_checked(names, wait_healthy, healthy_timeout, action, reason)

    def _leave_set_checked(
        self, names: list[str], wait_healthy: bool, healthy_timeout: float, action: str, reason: str | None
    ) -> list[Outcome]:
        found = {n: self.fleet.locate(n) for n in names}  # every name is known before anything changes
        # Every pre-off hook before the first server leaves (each leave() below skips the ones run here).
        self.events.before("off", [n for n in names if any(s.in_maintenance for s in found[n].values())], reason)
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
                    failed += [
                        f"{n} on {h}"
                        for h in self._each(f"set {n} maintenance again", lambda b: b.set_state(n, "maintenance"))  # noqa: B023 (runs at once)
                    ]
                    self.record("on", n, "ok", reason=reason or "undone: the set failed", undone=True)
                    self.events.transition("undo", n, undid=action)
            if back:
                self.changes = [c for c in self.changes if not any(c.startswith(f"{n} ") for n in back)]
                err.message += (
                    f"; put back in maintenance: {', '.join(back)}"
                    if not failed
                    else "; could not put back in maintenance: " + ", ".join(failed)
                )
            if failed and not isinstance(err, Partial):
                err = Partial(err.message, hint="check with `mcsctl maintenance status` and fix by hand")
            if err is exc:
                raise
            raise err from None
        return done
