"""`drain` and `undrain`: the cordon step alone, confirmed on every MaxScale."""

from __future__ import annotations

from ..errors import GuardRefused, Interrupted, McsctlError, TimedOut
from ..outcome import Outcome
from .leave import Leave


class Drain(Leave):
    """Draining and undraining a server."""

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
            self.ui.plan(
                f"# confirm: every MaxScale lists {name} as Draining or Drained (up to {self.confirm_timeout:g}s)"
            )
            if wait:
                self.ui.plan(
                    f"# wait until {name} is Drained on every MaxScale (up to {timeout:g}s; the flag stays set)"
                )
            return self._outcome(name, "drain", False, found, "dry run: nothing was changed")
        if all(s.draining for s in found.values()) and not wait:
            return self._outcome(
                name, "drain", False, found, f"{name} is already draining on every MaxScale; nothing to do"
            )
        changed = not all(s.draining for s in found.values())
        if changed:
            had = {h for h, s in found.items() if s.draining}
            self._note_sync()
            self.fleet.apply(
                f"set {name} drain",
                lambda b: b.set_state(name, "drain"),
                lambda b: None if had & set(self.fleet.group(b)) else b.clear_state(name, "drain"),
            )
            self.changes.append(f"{name} draining")
            self.record("drain", name, "ok")
            self.events.transition("drain-start", name)
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
            self.ui.plan(
                f"# confirm: no MaxScale lists {name} as Draining or Drained (up to {self.confirm_timeout:g}s)"
            )
            return self._outcome(name, "undrain", False, found, "dry run: nothing was changed")
        if not any(s.draining for s in found.values()):
            return self._outcome(
                name, "undrain", False, found, f"{name} is not draining on any MaxScale; nothing to do"
            )
        had = {h for h, s in found.items() if s.draining}
        self._note_sync()
        self.fleet.apply(
            f"clear {name} drain",
            lambda b: b.clear_state(name, "drain"),
            lambda b: None if not had & set(self.fleet.group(b)) else b.set_state(name, "drain"),
        )
        self.changes.append(f"{name} drain flag cleared")
        self.record("undrain", name, "ok")
        try:
            final = self.fleet.wait(lambda s: not s.draining, name, self.confirm_timeout, "undrained")
        except McsctlError as exc:
            exc.final = self.final_state(name)
            raise
        return self._outcome(name, "undrain", True, final, f"{name} is not draining on any MaxScale")
