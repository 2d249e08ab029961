"""`maintenance off` for one server: clear maintenance and any drain flag, confirm, optionally wait healthy."""

from __future__ import annotations

from ..errors import Interrupted, McsctlError, OperationFailed, Partial
from ..model import Server
from ..outcome import Outcome
from .enter import Enter


class Leave(Enter):
    """Leaving maintenance (one server)."""

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

    def _leave_checked(
        self, name: str, wait_healthy: bool, healthy_timeout: float, dry_run: bool, action: str, reason: str | None
    ) -> Outcome:
        found = self.fleet.locate(name)
        in_maint, draining = any(s.in_maintenance for s in found.values()), any(s.draining for s in found.values())
        if dry_run:
            self._plan_leave(name, wait_healthy, healthy_timeout)
            return self._outcome(name, action, False, found, "dry run: nothing was changed")
        changed, before = False, found
        if in_maint:
            self._before_off(name, reason)  # the pre-off hook may veto
        if in_maint or draining:
            self._note_sync()
        try:
            if in_maint:
                found = self._clear_maintenance(name, found, action, reason)
                changed = True
            if draining or any(s.draining for s in found.values()):
                left, interrupted = self._clear_drain(name)  # a leftover drain flag keeps it out of traffic
                if interrupted:
                    raise KeyboardInterrupt  # handled below: the final state is printed
                if left:
                    raise OperationFailed(
                        f"{name}: could not clear the drain flag on {', '.join(left)}",
                        hint=self._drain_hint(name, left),
                    )
                found = self.fleet.wait(lambda s: not s.draining, name, self.confirm_timeout, "undrained")
                changed = True
            if wait_healthy:
                found = self._wait_healthy(name, found, healthy_timeout, action)
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
            self.events.transition(
                "reaped" if action == "reap" else "maintenance-off", name, found=found, reason=reason
            )
        elif changed:
            self.changes.append(f"{name} drain flag cleared")
        return self._left(name, action, changed, found, reason)

    def _wait_healthy(self, name: str, found: dict[str, Server], timeout: float, action: str) -> dict[str, Server]:
        """Until `name` is Running with a role everywhere; the last read (the confirmation) may show it
        already, and then no further request is made."""
        if not all(map(_healthy, found.values())):
            progress = self._progress(f"{name} coming back", timeout)
            found = self.fleet.wait(_healthy, name, timeout, "Running with a role", progress)
        if action == "off":  # `maintenance off --wait-healthy`: ColumnStore too (run waited before leaving)
            from ..cs_api import wait_after

            wait_after(self, name, self.fleet.clock.now() + timeout, timeout)
        return found

    def _before_off(self, name: str, reason: str | None) -> None:
        """The pre-off hook; the events say what the maintenance was for (the journal's open record)."""
        opened = None if self.events.off else self._open_record(name)
        why = reason if reason is not None or opened is None else opened.reason
        self.events.before("off", [name], why, opened.expires if opened else None)

    def _clear_maintenance(
        self, name: str, found: dict[str, Server], action: str, reason: str | None
    ) -> dict[str, Server]:
        """Clear the maintenance flag everywhere (undone where it fails part-way), journal it, wait for it."""
        had = {h for h, s in found.items() if s.in_maintenance}
        try:
            self.fleet.apply(
                f"clear {name} maintenance",
                lambda b: b.clear_state(name, "maintenance"),
                lambda b: None if not had & set(self.fleet.group(b)) else b.set_state(name, "maintenance"),
            )
        except Partial as exc:
            self.record(action, name, "partial", hosts=exc.changed_hosts, reason=reason)
            exc.final = self.final_state(name)
            raise
        # Journal at once: a later timeout must not leave an open record that `reap` would act on.
        self.record(action, name, "ok", reason=reason)
        return self.fleet.wait(lambda s: not s.in_maintenance, name, self.confirm_timeout, "out of maintenance")

    def _plan_leave(self, name: str, wait_healthy: bool, healthy_timeout: float) -> None:
        self.events.planned("off")
        self._plan(f"clear maintenance of {name} on every MaxScale", lambda b: b.describe_clear(name, "maintenance"))
        self._plan(f"clear any drain flag of {name}", lambda b: b.describe_clear(name, "drain"))
        self.ui.plan(f"# confirm: no MaxScale lists {name} as Maintenance (up to {self.confirm_timeout:g}s)")
        if wait_healthy:
            self.ui.plan(f"# wait until {name} is Running with a role on every MaxScale (up to {healthy_timeout:g}s)")

    def _left(self, name: str, action: str, changed: bool, found: dict[str, Server], reason: str | None) -> Outcome:
        """The outcome of a leave; one that found nothing to do closes a record left open by a clear outside."""
        if changed:
            msg = f"{name} is out of maintenance on every MaxScale"
        else:
            msg = f"{name} is not in maintenance on any MaxScale; nothing to do"
            if self._open_record(name) is not None:  # cleared outside mcsctl: close the record so status/reap agree
                self.record(action, name, "ok", reason=reason, already_out=True)
                msg += " (closed its journal record)"
        return self._outcome(name, action, changed, found, msg)


def _healthy(server: Server) -> bool:
    """Back in traffic: Running with a role (a monitor's fresh view), maintenance cleared."""
    return server.running and server.role is not None and not server.in_maintenance
