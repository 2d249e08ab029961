"""`mcsctl rolling`: run a command on every node of a cluster, one node at a time, without an outage.

Order: the replicas first (in `--servers` order, else natural name order), the primary last. When the
primary's turn comes it is switched over to a node this roll has already done (healthy and caught up;
`--to` if given) and then handled like a replica. **The primary stays on the new node**: the roll does
not switch back (`mcsctl switchover --to OLD` does, if wanted).

Per node: enter maintenance (the drain rules of `maintenance on`), run COMMAND with `{server}`,
`{address}` and `{port}` substituted, wait (up to `--catchup-timeout` from the command's end) until
every MaxScale shows the node Running and its GTID caught up with the primary's, leave maintenance
(confirmed on every MaxScale), then wait for its role (`Slave`) to show. MaxScale hides role words
while a server is in maintenance (reference §2.2), so the role can only be checked after leaving.

The first failure stops the roll: that node stays in maintenance, the table shows what was done,
what failed and what is left, and the exit status is the failing one. The journal gets `on`/`off`
records per node (from the Procedures) and `rolling-start`/`rolling-node`/`rolling-end` records whose
`extra["roll"]` ties them together; `--resume` replays them and retries the failed node from the top.
"""

from __future__ import annotations

import re
import shlex
import signal
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import CommandFailed, GuardRefused, Interrupted, McsctlError, OperationFailed, TimedOut, UsageError
from .gtid import behind
from .health import SETTLE, wait_back
from .model import Server
from .noderow import FINISHED, NodeResult, NodeRow, Step
from .signals import shielded

HEADERS = ["Order", "Node", "Role", "Result", "Enter s", "Command s", "Exit", "Catchup s", "Leave s", "Total s", "Note"]
REASON = "rolling maintenance"


def natural(name: str) -> list:
    """Sort key: mcs2 before mcs10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


@dataclass
class Plan:
    """What a roll will do: `order` is every node of the roll, `done` those finished before (--resume)."""

    roll: str
    order: list[str]
    primary: str
    monitor: str | None
    roles: dict[str, str]
    done: list[str] = field(default_factory=list)
    resumed_failed: str | None = None  # on --resume: the node that failed (expected in maintenance)

    @property
    def todo(self) -> list[str]:
        return [n for n in self.order if n not in self.done]


class Roller:
    """The rolling workflow over `Procedures` (pure logic: clock, runner and UI are injected)."""

    def __init__(
        self,
        proc,
        ui,
        opts,
        argv: list[str],
        catchup_timeout: float,
        runner: Callable[[list[str]], tuple[int, int | None]] | None = None,
        settle: float = SETTLE,
    ):
        from .run import run_command

        self.proc, self.ui, self.argv = proc, ui, list(argv)
        self.opts = replace(opts, switchover=False, allow_primary=False, reason=opts.reason or REASON)
        self.to = opts.to
        self.catchup_timeout = catchup_timeout
        self.runner = runner or run_command
        self.settle = settle
        self.fleet = proc.fleet
        self.clock = proc.fleet.clock
        self.rows: list[NodeRow] = []

    # ------------------------------------------------------------ planning
    def plan(self, names: list[str] | None, resume: bool) -> Plan:
        views = self.fleet.read()
        primary = self.proc.primary(views)
        first = next(iter(views.values()))
        if resume:
            plan = self._resume_plan(primary)
        else:
            members = [s.name for s in first if s.monitor == primary.monitor]
            if names:
                if len(set(names)) != len(names):
                    raise UsageError("--servers names a server twice")
                for n in names:
                    self.fleet.locate(n, views)  # UnknownServer with a near-miss hint
                    if n not in members:
                        raise UsageError(f"{n} is not monitored by {primary.monitor} (the primary's monitor)")
                members = list(names)
            else:
                members.sort(key=natural)
            order = [n for n in members if n != primary.name] + ([primary.name] if primary.name in members else [])
            roles = {n: ("primary" if n == primary.name else "replica") for n in order}
            plan = Plan(uuid.uuid4().hex[:12], order, primary.name, primary.monitor, roles)
        self._guard_start(plan, views)
        return plan

    def _resume_plan(self, primary: Server) -> Plan:
        journal = self.proc.journal
        records = journal.read() if journal is not None else []
        rolls = [r for r in records if r.action.startswith("rolling-") and isinstance(r.extra.get("roll"), str)]
        starts = [r for r in rolls if r.action == "rolling-start"]
        if not starts:
            raise OperationFailed("nothing to resume: the journal has no rolling maintenance")
        roll = starts[-1].extra["roll"]
        mine = [r for r in rolls if r.extra.get("roll") == roll]
        if any(r.action == "rolling-end" and r.outcome == "ok" for r in mine):
            raise OperationFailed(f"nothing to resume: the last rolling maintenance ({roll}) finished")
        start = next(r for r in mine if r.action == "rolling-start")
        done = [r.server for r in mine if r.action == "rolling-node" and r.outcome == "ok" and r.server]
        # A node that failed once and was done on a later attempt no longer counts as failed.
        failed = [r.server for r in mine if r.action == "rolling-node" and r.outcome != "ok" and r.server not in done]
        old_cmd = start.extra.get("command")
        if old_cmd and old_cmd != self.argv:
            if not self.opts.yes:
                raise GuardRefused(
                    f"the roll started with {shlex.join(old_cmd)}, not {shlex.join(self.argv)}",
                    hint="resume with the same command, or add --yes to go on with the new one",
                )
            self.ui.warn(f"the roll started with {shlex.join(old_cmd)}; going on with {shlex.join(self.argv)}")
        if sorted(start.hosts) != sorted(self.fleet.hosts):
            self.ui.warn(f"the roll started on {', '.join(start.hosts)}; now on {', '.join(self.fleet.hosts)}")
        order = list(start.extra.get("order") or [])
        roles = dict(start.extra.get("roles") or {})
        plan = Plan(roll, order, primary.name, primary.monitor, roles, done)
        # The node that failed, or (after a crash, with no record of it) the one that was in progress.
        plan.resumed_failed = failed[-1] if failed else (plan.todo[0] if plan.todo else None)
        self.ui.info(
            f"resuming rolling maintenance {roll}: done {', '.join(done) or 'nothing'}; "
            f"left {', '.join(plan.todo) or 'nothing'}"
        )
        return plan

    def _guard_start(self, plan: Plan, views) -> None:
        for name in plan.todo:
            if name == plan.resumed_failed:
                continue  # left in maintenance (maybe down) by the roll we resume
            bad = {h: s for h, s in self.fleet.locate(name, views).items() if not s.routable}
            if bad:
                hint = (
                    "bring it back first (mcsctl maintenance off " + name + "), then --resume again"
                    if plan.done or plan.resumed_failed
                    else "bring it back first, leave it out with --servers, or --resume an unfinished roll"
                )
                raise GuardRefused(
                    f"{name} is not healthy before its turn: " + "; ".join(f"{h}: {s.state}" for h, s in bad.items()),
                    hint=hint,
                )

    # ------------------------------------------------------------ dry run
    def dry_run(self, plan: Plan) -> None:
        views = self.fleet.read()
        ui, todo, n = self.ui, plan.todo, len(plan.order)
        ui.plan(f"# rolling maintenance over {len(todo)} node(s), one at a time: {', '.join(todo)}")
        if plan.done:
            ui.plan(f"# already done (resumed): {', '.join(plan.done)}")
        for name in todo:
            i = plan.order.index(name) + 1
            server = next(iter(self.fleet.locate(name, views).values()))
            ui.plan(f"# node {i}/{n}: {name} ({plan.roles.get(name, 'replica')})")
            if name == self.proc.primary(views).name:
                self.proc.switchover(to=self._target(plan, views, quiet=True), dry_run=True, views=views)
            self.proc.plan_enter(name, self.opts)
            ui.plan("# run: " + shlex.join(self._argv_for(server)))
            ui.plan(
                f"# wait until every MaxScale shows {name} Running with its GTID caught up with the "
                f"primary's (up to {self.catchup_timeout:g}s)"
            )
            self.proc.leave(name, dry_run=True)
            ui.plan(f"# wait until every MaxScale shows {name} as Slave, Running and caught up")
        if plan.primary in todo:
            ui.plan("# the primary stays where the switchover put it")

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
                err = exc
                if isinstance(exc, KeyboardInterrupt):
                    err = Interrupted(f"{name}: interrupted during {row.step}")
                elif not isinstance(exc, McsctlError):
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
            self.proc.record("rolling-node", name, "ok", roll=plan.roll, status=row.exit, **row.times())
        self.proc.record("rolling-end", None, "ok", roll=plan.roll, done=[r.node for r in self.rows])
        try:  # every node is done; the primary's name is only for the last line
            return self.proc.primary(self.fleet.read()).name
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
            views = self.fleet.read()
            if self.proc.primary(views).name == name:
                target = self._target(plan, views)
                self.proc.ui.info(f"{name} is the primary: it hands over to {target} first")
                self._timed(row, "enter_s", lambda: self.proc.switchover(to=target, views=views))
                row.note = f"primary moved to {target}"
            conns = sum(s.connections or 0 for s in self.fleet.locate(name).values())
            self.proc.ui.info(f"{name}: entering maintenance ({conns} connection(s))")
            entered = self._timed(row, "enter_s", lambda: self.proc.enter(name, self.opts, action="on"))
            if not entered.changed:
                self.proc.ui.info(entered.message)  # e.g. resuming: the failed node is still in maintenance
            server = next(iter(self.fleet.locate(name).values()))
            argv = self._argv_for(server)
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
        wait_back(self.fleet, self.proc.ui, name, deadline, in_maintenance, self.settle, self.catchup_timeout)

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

    def _argv_for(self, server: Server) -> list[str]:
        from .run import substitute

        return substitute(self.argv, server)

    def _target(self, plan: Plan, views, quiet: bool = False) -> str:
        """Where the primary goes: --to, else the most caught-up healthy replica this roll has done."""
        if self.to:
            return self.to
        old = self.proc.primary(views)
        ranked = self.proc.candidates(views, old)
        if not ranked:
            raise GuardRefused(f"no replica can take over from {old.name}", hint="bring a replica back first")
        # In a dry run nothing is done yet: every node planned before the primary counts as done.
        done = set(plan.done) | {r.node for r in self.rows if r.result in FINISHED}
        if quiet:
            done |= set(plan.order[: plan.order.index(old.name)]) if old.name in plan.order else set(plan.order)
        good = [s for s in ranked if s.name in done and behind(s.gtid, old.gtid) in (0, None)]
        if good:
            return good[0].name
        if not quiet:
            self.ui.warn(
                f"no node of this roll can take over from {old.name}; using {ranked[0].name} "
                "(the most caught-up replica)"
            )
        return ranked[0].name


def _result_of(err: McsctlError) -> NodeResult:
    if isinstance(err, CommandFailed):
        return NodeResult.FAILED
    if isinstance(err, TimedOut):
        return NodeResult.TIMEOUT
    if isinstance(err, Interrupted):
        return NodeResult.INTERRUPTED
    return NodeResult.ERROR


def _maintenance_note(proc, name: str) -> str:
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


def rows_for_output(rows: list[NodeRow]) -> list[dict[str, Any]]:
    """The table as render (and --format json) shows it."""
    return [r.output() for r in rows]


def rolling_command(
    st,
    names,
    opts,
    command,
    *,
    resume: bool = False,
    catchup_timeout: float = 600.0,
    fmt: str = "table",
    runner=None,
    show_rows: Callable[[list[NodeRow]], None] | None = None,
) -> str | None:
    """The `mcsctl rolling` command: plan, dry-run or roll; the primary at the end (None for a dry run).
    The node table always ends the output: `show_rows` gets it (default: render prints it in `fmt`)."""
    from .run import check_command

    if show_rows is None:
        from . import render

        def show_rows(rows: list[NodeRow]) -> None:
            render.rows_out(HEADERS, rows_for_output(rows), fmt)

    if runner is None:  # an injected runner (tests) runs no real program
        check_command(command)
    elif not command:
        raise UsageError("rolling needs a COMMAND after --")
    if resume and names:
        raise UsageError("--resume continues the last roll with its own servers; leave out --servers")
    proc = st.procedures()
    for name in (names or []) + ([opts.to] if opts.to else []):
        proc.check_name(name)  # a name a backend cannot send is refused before any request
    ui = st.reporter
    roller = Roller(proc, ui, opts, command, catchup_timeout, runner=runner)
    plan = roller.plan(names, resume)
    if opts.dry_run:
        roller.dry_run(plan)
        return None
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
        show_rows(roller.rows)
        done = [r.node for r in roller.rows if r.result in FINISHED]
        left = [r.node for r in roller.rows if r.result is NodeResult.LEFT]
        row = next((r for r in roller.rows if r.result not in (*FINISHED, NodeResult.LEFT)), None)
        if row is None:  # failed outside any node (e.g. reading the cluster before the first one)
            raise
        failed = row.node
        ui.info(
            f"rolling maintenance stopped: done {', '.join(done) or 'nothing'}; failed {failed} during "
            f"{row.step}{_maintenance_note(proc, failed)}; left {', '.join(left) or 'nothing'}"
        )
        exc.hint = exc.hint or f"fix {failed}, then: mcsctl rolling --resume -- {shlex.join(command)}"
        raise
    show_rows(roller.rows)
    moved = f"; the primary is now {primary}" if primary != plan.primary else ""
    ui.info(
        f"rolled {len(plan.todo)} node(s){moved}"
        + (f" (it stays there; mcsctl switchover --to {plan.primary} moves it back)" if moved else "")
    )
    return primary
