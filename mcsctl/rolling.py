"""`mcsctl rolling`: run a command on every node of a cluster, one node at a time, without an outage.

Order: the replicas first (in `--servers` order, else natural name order), the primary last. When the
primary's turn comes it is switched over to a node this roll has already done (healthy and caught up;
`--to` if given) and then handled like a replica. **The primary stays on the new node**: the roll does
not switch back (`mcsctl switchover --to OLD` does, if wanted).

Per node: enter maintenance (the drain rules of `maintenance on`), run COMMAND with `{server}`,
`{address}` and `{port}` substituted, wait (up to `--catchup-timeout` from the command's end) until
every MaxScale shows the node Running and its GTID caught up with the primary's, leave maintenance
(confirmed on every MaxScale), then wait for its role (`Slave`) to show. MaxScale hides role words
while a server is in maintenance (docs/maxscale-facts.md: role-words), so the role can only be checked after leaving.

The first failure stops the roll: that node stays in maintenance, the table shows what was done,
what failed and what is left, and the exit status is the failing one. The journal gets `on`/`off`
records per node (from the Procedures) and `rolling-start`/`rolling-node`/`rolling-end` records whose
`extra["roll"]` ties them together; `--resume` replays them and retries the failed node from the top.
"""

from __future__ import annotations

import shlex
import signal
from collections.abc import Callable

from .cs_api import check_turn as cs_check_turn
from .cs_api import primaries as cs_primaries
from .cs_api import wait_after as cs_wait_after
from .dataclass_lite import replace
from .errors import CommandFailed, Interrupted, McsctlError, OperationFailed, TimedOut, UsageError
from .health import SETTLE, wait_back
from .noderow import FINISHED, HEADERS, NodeResult, NodeRow, Step, rows_for_output
from .reports import RollReport
from .rolling_plan import REASON, Plan, RollPlanner, natural
from .signals import shielded

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any, Protocol

    from .fleet import Views
    from .outcome import OnOptions
    from .procedures import Procedures
    from .ui import UI
    from .watch import Watch
else:
    Protocol = object  # the protocols here are for mypy only


__all__ = ["HEADERS", "REASON", "Plan", "Roller", "natural", "rolling_command", "rows_for_output"]

Runner = Callable[[list[str]], tuple[int, "int | None"]]
STAYS = "; it stays in maintenance"


class Roller(RollPlanner):
    """The rolling workflow over `Procedures` (pure logic: clock, runner and UI are injected)."""

    def __init__(
        self,
        proc: Procedures,
        ui: UI,
        opts: OnOptions,
        argv: list[str],
        catchup_timeout: float,
        runner: Runner | None = None,
        settle: float = SETTLE,
    ) -> None:
        from .run import run_command

        super().__init__(proc, ui, opts, argv, catchup_timeout)
        self.runner = runner or run_command
        self.settle = settle
        self._seen: Views | None = None  # the views that last showed a node back (the primary at the end)

    # ------------------------------------------------------------ the roll
    def start(self, plan: Plan) -> None:
        self.proc.record(
            "rolling-start",
            None,
            "ok",
            roll=plan.roll,
            order=plan.order,
            roles=plan.roles,
            command=self.argv,
            primary=plan.primary,
            done=plan.done,
            resumed=bool(plan.done or plan.resumed_failed),
            catchup_timeout=self.catchup_timeout,
        )
        for name in plan.order:
            if name in plan.done:
                self.rows.append(self._row(plan, name, NodeResult.DONE_BEFORE))

    def roll(self, plan: Plan) -> str:
        """Roll every node left; returns the primary's name at the end. Raises on the first failure."""
        todo = plan.todo
        for k, name in enumerate(todo):
            row = self._row(plan, name, NodeResult.RUNNING)
            self.rows.append(row)
            try:
                # The node's lock for its whole turn; what is said meanwhile is prefixed with the node.
                with self.proc.changing("rolling-node", [name]), self.proc.ui.prefixed(f"node {row.order}: "):
                    self._node(plan, name, row)
            except BaseException as exc:
                err: McsctlError
                if isinstance(exc, KeyboardInterrupt):
                    err = Interrupted(f"{name}: interrupted during {row.step}")
                elif isinstance(exc, McsctlError):
                    err = exc
                else:
                    raise
                row.result = _result_of(err)
                row.note = str(err)
                left = todo[k + 1 :]
                for other in left:
                    self.rows.append(self._row(plan, other, NodeResult.LEFT))
                with shielded():  # a later signal must not cut the records `--resume` needs
                    self.proc.record(
                        "rolling-node",
                        name,
                        row.result.value,
                        roll=plan.roll,
                        step=row.step.value,
                        status=row.exit,
                        error=str(err),
                    )
                    self.proc.events.transition(
                        "rolling-node", name, row.result.value, roll=plan.roll, order=row.order, step=row.step.value
                    )
                    self.proc.record(
                        "rolling-end",
                        None,
                        "failed",
                        roll=plan.roll,
                        failed=name,
                        left=left,
                        done=[r.node for r in self.rows if r.result in FINISHED],
                    )
                if err is not exc:
                    raise err from None
                raise
            row.result = NodeResult.DONE
            times: dict[str, Any] = row.times()  # enter_s, command_s, ... (record's keywords are Any)
            self.proc.record("rolling-node", name, "ok", roll=plan.roll, status=row.exit, **times)
            self.proc.events.transition("rolling-node", name, roll=plan.roll, order=row.order, status=row.exit)
        self.proc.record("rolling-end", None, "ok", roll=plan.roll, done=[r.node for r in self.rows])
        try:  # every node is done; the primary's name is only for the last line: the last node's read shows it
            return self.proc.primary(self._seen if self._seen is not None else self.fleet.read()).name
        except McsctlError as exc:
            self.ui.warn(f"could not read the primary at the end: {exc}")
            return plan.primary

    def _row(self, plan: Plan, name: str, result: NodeResult) -> NodeRow:
        order = f"{plan.order.index(name) + 1}/{len(plan.order)}"
        return NodeRow(order, name, plan.roles.get(name, "replica"), result)

    def _timed(self, row: NodeRow, column: str, fn: Callable[[], Any]) -> Any:
        """Run fn, adding the time it took to the row's `column` (enter_s, command_s, ...)."""
        t0 = self.clock.now()
        try:
            return fn()
        finally:
            row.add_time(column, self.clock.now() - t0)

    def _node(self, plan: Plan, name: str, row: NodeRow) -> None:
        t0 = self.clock.now()
        try:
            cs_check_turn(self.proc, name)  # the ColumnStore primary may have moved onto it meanwhile
            views = self.fleet.read()
            if self.proc.primary(views).name == name:
                target = self._target(plan, views)
                self.proc.ui.info(f"{name} is the primary: it hands over to {target} first")
                self._timed(row, "enter_s", lambda: self.proc.switchover(to=target, views=views))
                row.note = f"primary moved to {target}"
                views = self.fleet.read()  # its connections after the handover
            conns = sum(s.connections or 0 for s in self.fleet.locate(name, views).values())
            self.proc.ui.info(f"{name}: entering maintenance ({conns} connection(s))")
            entered = self._timed(row, "enter_s", lambda: self.proc.enter(name, self.opts, action="on"))
            if not entered.changed:
                self.proc.ui.info(entered.message)  # e.g. resuming: the failed node is still in maintenance
            argv = self._argv_for(next(iter(entered.final.values())))  # the address and port as entering saw them
            row.step = Step.COMMAND
            self.proc.ui.info(f"{name}: running {shlex.join(argv)}")
            status, sig = self._timed(row, "command_s", lambda: self._run(argv, row))
            if sig:
                raise Interrupted(
                    f"{name}: interrupted by {signal.Signals(sig).name} (command exit status "
                    f"{status}); it stays in maintenance"
                )
            if status:
                raise CommandFailed(f"{name}: command exited with status {status}; it stays in maintenance", status)
            row.step = Step.CATCH_UP
            deadline = self.clock.now() + self.catchup_timeout
            self._timed(row, "catchup_s", lambda: self._back(name, deadline, in_maintenance=True))
            # ColumnStore: the node active again and the cluster settled before it takes traffic
            self._timed(row, "catchup_s", lambda: cs_wait_after(self.proc, name, deadline, self.catchup_timeout, STAYS))
            row.step = Step.LEAVE
            self._timed(row, "leave_s", lambda: self.proc.leave(name, action="off", reason=self.opts.reason))
            row.step = Step.ROLE
            try:
                self._timed(row, "leave_s", lambda: self._back(name, deadline, in_maintenance=False))
            except TimedOut:
                self._back_in(name)
                raise
        finally:
            row.total_s = round(self.clock.now() - t0, 2)

    def _back(self, name: str, deadline: float, in_maintenance: bool) -> None:
        seen = wait_back(self.fleet, self.proc.ui, name, deadline, in_maintenance, self.settle, self.catchup_timeout)
        self._seen = None if in_maintenance else seen

    def _run(self, argv: list[str], row: NodeRow) -> tuple[int, int | None]:
        try:
            status, sig = self.runner(argv)
        except CommandFailed as exc:  # not found (127) / not executable (126)
            row.exit = exc.status
            exc.message += "; it stays in maintenance"
            raise
        row.exit = status
        return status, sig

    def _back_in(self, name: str) -> None:
        """The role did not come back after leaving maintenance: put the node back (no traffic goes to it)."""
        try:
            self.proc.enter(name, replace(self.opts, drain=False, force=False), action="on")
        except McsctlError as exc:
            self.proc.ui.warn(f"{name}: could not put it back into maintenance: {exc}")


def _result_of(err: McsctlError) -> NodeResult:
    if isinstance(err, CommandFailed):
        return NodeResult.FAILED
    if isinstance(err, TimedOut):
        return NodeResult.TIMEOUT
    if isinstance(err, Interrupted):
        return NodeResult.INTERRUPTED
    return NodeResult.ERROR


def _maintenance_note(proc: Procedures, name: str) -> str:
    """` (left in maintenance)` or ` (not in maintenance)` as the MaxScales show it now; `` if unknown."""
    try:
        found = proc.fleet.locate(name)
    except McsctlError:
        return ""
    if all(s.in_maintenance for s in found.values()):
        return " (left in maintenance)"
    if not any(s.in_maintenance for s in found.values()):
        return " (not in maintenance)"
    return " (in maintenance on " + ", ".join(h for h, s in found.items() if s.in_maintenance) + " only)"


class Operator(Protocol):
    """What a roll needs of its caller (a `mcsctl.api.Cluster`): the procedures and the observer."""

    @property
    def reporter(self) -> Watch: ...

    def procedures(self) -> Procedures: ...


def cs_last(plan: Plan, cs: Any) -> None:
    """ColumnStore: the ColumnStore primary goes last (after the MaxScale primary, when they differ)."""
    view = cs.last_view if cs is not None else None
    name = view.primary() if view is not None else None
    if name in plan.order and name != plan.order[-1]:
        plan.order.remove(name)
        plan.order.append(name)


def _check_args(names: list[str] | None, command: list[str], resume: bool, runner: Runner | None) -> None:
    from .run import check_command

    if runner is None:  # an injected runner (tests) runs no real program
        check_command(command)
    elif not command:
        raise UsageError("rolling needs a COMMAND after --")
    if resume and names:
        raise UsageError("--resume continues the last roll with its own servers; leave out --servers")


def _stopped(roller: Roller, proc: Procedures, exc: McsctlError, command: list[str]) -> RollReport:
    """The failed roll's report: its table and last words (what was done, what failed, what is left; none
    when it failed outside any node); the hint tells how to resume."""
    done = [r.node for r in roller.rows if r.result in FINISHED]
    left = [r.node for r in roller.rows if r.result is NodeResult.LEFT]
    row = next((r for r in roller.rows if r.result not in (*FINISHED, NodeResult.LEFT)), None)
    if row is None:  # failed outside any node (e.g. reading the cluster before the first one)
        return RollReport(list(roller.rows), None, table=True)
    failed = row.node
    exc.hint = exc.hint or f"fix {failed}, then: mcsctl rolling --resume -- {shlex.join(command)}"
    summary = (
        f"rolling maintenance stopped: done {', '.join(done) or 'nothing'}; failed {failed} during "
        f"{row.step}{_maintenance_note(proc, failed)}; left {', '.join(left) or 'nothing'}"
    )
    return RollReport(list(roller.rows), None, summary, table=True)


def rolling_command(
    st: Operator,
    names: list[str] | None,
    opts: OnOptions,
    command: list[str],
    *,
    resume: bool = False,
    catchup_timeout: float = 600.0,
    runner: Runner | None = None,
) -> RollReport:
    """The `mcsctl rolling` command: plan, dry-run or roll; the report (its node table, the primary at the
    end, its last line; a dry run has no table). A failed roll raises with its report on the error
    (`err.report`): the CLI prints the table and the last line before the error."""
    _check_args(names, command, resume, runner)
    proc = st.procedures()
    for name in (names or []) + ([opts.to] if opts.to else []):
        proc.check_name(name)  # a name a backend cannot send is refused before any request
    ui = st.reporter
    roller = Roller(proc, ui, opts, command, catchup_timeout, runner=runner)
    plan = roller.plan(names, resume)
    cs_last(plan, proc.columnstore)
    if opts.dry_run:
        roller.dry_run(plan)
        return RollReport([], None)
    if not plan.todo:
        raise OperationFailed("nothing to roll")
    if proc.journal is not None:
        proc.journal.check_writable()  # before the roll's first record: an unusable journal changes nothing
    if plan.primary in plan.todo:  # the one consent rule: asked once, before the first node
        proc.consent(
            f"The roll switches the primary {plan.primary} over at its turn, interrupting its clients' writes. Go on?",
            f"the roll switches the primary {plan.primary} over",
            opts.yes,
        )
    roller.start(plan)
    try:
        primary = roller.roll(plan)
    except McsctlError as exc:
        exc.report = _stopped(roller, proc, exc, command)
        raise
    moved = f"; the primary is now {primary}" if primary != plan.primary else ""
    summary = f"rolled {len(plan.todo)} node(s){moved}" + (
        f" (it stays there; mcsctl switchover --to {plan.primary} moves it back)" if moved else ""
    )
    summary += cs_primaries(proc.columnstore, primary)
    return RollReport(list(roller.rows), primary, summary, table=True)
