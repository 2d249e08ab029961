"""Switchover: pick the most caught-up replica, switch the primary over (mariadbmon), confirm everywhere."""

from __future__ import annotations

from ..errors import GuardRefused, McsctlError, NoAnswer, OperationFailed
from ..fleet import Views
from ..gtid import behind
from ..model import Server
from ..outcome import Outcome
from .core import Core

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from ..backends.base import Backend


class Switch(Core):
    """The switchover procedures."""

    def primary(self, views: Views) -> Server:
        names = {h: [s.name for s in servers if s.is_primary] for h, servers in views.items()}
        distinct = {tuple(v) for v in names.values()}
        if len(distinct) > 1:
            raise OperationFailed(
                "the MaxScales disagree about the primary: "
                + "; ".join(f"{h}: {','.join(v) or 'none'}" for h, v in names.items())
            )
        (only,) = distinct
        if len(only) != 1:
            raise OperationFailed("no primary found" if not only else f"several primaries: {', '.join(only)}")
        return next(s for s in next(iter(views.values())) if s.name == only[0])

    def _switcher(self, monitor: str) -> Backend:
        """The MaxScale to run the switchover on: with cooperative monitoring only the one whose monitor leads
        can; otherwise the first. (One monitor read per MaxScale, only with several MaxScales.)"""
        if len(self.fleet.backends) > 1:
            try:
                per_host = self.fleet.each(lambda b: b.list_monitors())
            except McsctlError:
                per_host = []
            for backend, monitors in zip(self.fleet.backends, per_host, strict=True):
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

        def lag(s: Server) -> int | None:
            return behind(s.gtid, primary.gtid)

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
                f"{to} cannot become the primary: "
                + "; ".join(
                    f"{h}: {s.state or 'no state'}" + ("" if s.monitor == old.monitor else f" (not in {old.monitor})")
                    for h, s in (bad or target).items()
                ),
                hint="pick a running replica that is not in maintenance or draining",
            )
        return to

    def _after_no_answer(self, exc: NoAnswer, new: str) -> None:
        """A module command that timed out is unknown, not failed (docs/maxscale-facts.md: module-timeout): re-read
        every MaxScale; go on if `new` became the primary, else report the timeout."""
        self.ui.warn(f"the switchover call got no answer ({exc.message}): reading every MaxScale to see what happened")
        try:
            self.fleet.wait(lambda s: s.is_primary, new, self.confirm_timeout, "Master")
        except McsctlError:
            exc.message += f"; {new} did not become the primary on every MaxScale within {self.confirm_timeout:g}s"
            raise exc from None
        self.ui.warn(f"{new} is the primary on every MaxScale: the switchover happened although its call timed out")

    def switchover(
        self,
        to: str | None = None,
        dry_run: bool = False,
        views: Views | None = None,
        exclude: tuple[str, ...] = (),
        yes: bool = True,
    ) -> Outcome:
        """Switch the primary over (mariadbmon) and confirm everywhere. `yes=False` asks first (the CLI)."""
        if to is not None:
            self.check_name(to)  # before any request
        views = views if views is not None else self.fleet.read()
        old = self.primary(views)
        new = self.switch_target(views, to, exclude)
        monitor = old.monitor
        assert monitor, "switch_target refuses a primary without a monitor"
        if new == old.name:
            return self._outcome(
                old.name,
                "switchover",
                False,
                self.fleet.locate(new, views),
                f"{new} is already the primary; nothing to do",
                extra={"to": new},
            )
        if dry_run:
            switcher = self._switcher(monitor)
            self.ui.plan(f"# switch over from {old.name} to {new} (monitor {monitor})")
            self.ui.plan(switcher.describe_switchover(monitor, new, old.name), host=switcher.host)
            self.ui.plan(f"# confirm: every MaxScale lists {new} as Master and {old.name} as not Master")
            return self._outcome(old.name, "switchover", False, {}, "dry run: nothing was changed", extra={"to": new})
        self.consent(
            f"Switch the primary over from {old.name} to {new}, interrupting its clients' writes?",
            f"the switchover from {old.name} to {new} interrupts the primary's clients",
            yes,
        )
        with self.changing("switchover", [old.name, new]):
            self.ui.info(f"switching over from {old.name} to {new}")
            try:
                self._switcher(monitor).switchover(monitor, new, old.name)
            except NoAnswer as exc:
                self._after_no_answer(exc, new)
            self.changes.append(f"switchover {old.name} -> {new}")
            try:
                final = self.fleet.wait(lambda s: s.is_primary, new, self.confirm_timeout, "Master")
                was = self.fleet.wait(
                    lambda s: s.is_replica or s.in_maintenance, old.name, self.confirm_timeout, "a replica"
                )
            except McsctlError as exc:
                self._note_changes(exc)
                raise
            self.record("switchover", old.name, "ok", to=new)
            self.events.transition("switchover", old.name, found=was, to=new)
        return self._outcome(
            old.name, "switchover", True, final, f"{new} is the primary on every MaxScale", extra={"to": new}
        )
