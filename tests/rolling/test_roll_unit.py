"""The rolling workflow over in-memory MaxScales: order, switchover, failures, --resume, dry run."""

from __future__ import annotations

import json

import pytest

from mcsctl.errors import (
    CommandFailed,
    ExitCode,
    GuardRefused,
    Interrupted,
    TimedOut,
    UnknownServer,
    UsageError,
    exit_code_of,
)
from mcsctl.journal import Journal
from mcsctl.render_status import roll as show_roll
from mcsctl.rolling import Roller, natural, rolling_command
from mcsctl.workflow import OnOptions

from .fakes import Runner, State, make_procedures, make_world

CMD = ["restart", "{server}", "{address}:{port}"]


def setup(n=3, hosts=("a:8989",), tmp_path=None, **kw):
    world = make_world(n, hosts, **kw)
    proc, ui = make_procedures(world, tmp_path / "journal.jsonl" if tmp_path else None)
    return world, proc, ui, Runner(world)


def roller(proc, ui, runner, opts=None, timeout=30.0, **kw):
    return Roller(proc, ui, opts or OnOptions(switchover=True), CMD, timeout, runner=runner, **kw)


def states(world, host=0):
    return {n: s.state() for n, s in world.backends[host].servers.items()}


def actions(tmp_path):
    return [(r.action, r.server, r.outcome) for r in Journal(tmp_path / "journal.jsonl").read() if r.action != "intent"]


def test_natural_order():
    assert sorted(["mcs10", "mcs2", "mcs1"], key=natural) == ["mcs1", "mcs2", "mcs10"]


def test_full_roll_three_nodes_primary_ends_on_first_done_replica(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    r = roller(proc, ui, run)
    plan = r.plan(None, resume=False)
    assert plan.order == ["mcs2", "mcs3", "mcs1"]
    r.start(plan)
    assert r.roll(plan) == "mcs2"
    assert [a[1] for a in run.ran] == ["mcs2", "mcs3", "mcs1"]
    assert run.ran[0] == ["restart", "mcs2", "127.0.0.1:3306"]
    assert states(world) == {"mcs1": "Slave, Running", "mcs2": "Master, Running", "mcs3": "Slave, Running"}
    assert [row.result for row in r.rows] == ["done"] * 3
    assert r.rows[2].note == "primary moved to mcs2"
    assert all(row.catchup_s >= 1.0 for row in r.rows)  # waited for a fresh monitor view
    acts = actions(tmp_path)
    assert acts[0] == ("rolling-start", None, "ok") and acts[-1] == ("rolling-end", None, "ok")
    for name in ("mcs2", "mcs3", "mcs1"):
        i = acts.index(("on", name, "ok"))
        assert acts[i + 1 : i + 3] == [("off", name, "ok"), ("rolling-node", name, "ok")]
    assert acts.index(("switchover", "mcs1", "ok")) < acts.index(("on", "mcs1", "ok"))
    assert any(line.startswith("node 3/3: mcs1 is the primary: it hands over to mcs2") for line in ui.lines)


def test_full_roll_five_nodes_two_maxscales(tmp_path):
    world, proc, ui, run = setup(5, ("a:8989", "b:8989"), tmp_path=tmp_path)
    world.write(3)
    r = roller(proc, ui, run)
    plan = r.plan(None, resume=False)
    assert plan.order == ["mcs2", "mcs3", "mcs4", "mcs5", "mcs1"]
    r.start(plan)
    assert r.roll(plan) == "mcs2"
    for host in (0, 1):
        assert states(world, host) == {
            "mcs1": "Slave, Running",
            "mcs2": "Master, Running",
            "mcs3": "Slave, Running",
            "mcs4": "Slave, Running",
            "mcs5": "Slave, Running",
        }
        assert world.backends[host].calls.count("clear mcs1 maintenance") == 1
    assert sum(1 for line in ui.lines if " is Running and caught up on every MaxScale" in line) == 5


def test_servers_order_is_kept_and_the_primary_goes_last(tmp_path):
    world, proc, ui, run = setup(4, tmp_path=tmp_path)
    plan = roller(proc, ui, run).plan(["mcs1", "mcs4", "mcs2"], resume=False)
    assert plan.order == ["mcs4", "mcs2", "mcs1"]
    with pytest.raises(UnknownServer):
        roller(proc, ui, run).plan(["mcs9"], resume=False)
    with pytest.raises(UsageError):
        roller(proc, ui, run).plan(["mcs2", "mcs2"], resume=False)


def test_replicas_only_leave_the_primary_alone(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    r = roller(proc, ui, run)
    plan = r.plan(["mcs3", "mcs2"], resume=False)
    r.start(plan)
    assert r.roll(plan) == "mcs1"
    assert not any("switchover" in c for c in world.backends[0].calls)


def test_to_picks_the_new_primary(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    r = roller(proc, ui, run, OnOptions(switchover=True, to="mcs3"))
    plan = r.plan(None, resume=False)
    r.start(plan)
    assert r.roll(plan) == "mcs3"


def test_replica_behind_after_restart_is_waited_for(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path, catchup=4.0)
    world.write(5)
    r = roller(proc, ui, run)
    plan = r.plan(["mcs2"], resume=False)
    r.start(plan)

    def write_during(argv):
        world.write(2)  # the primary moves on while mcs2 restarts

    run.during.append(write_during)
    r.roll(plan)
    assert any("transaction(s) behind mcs1" in line for line in ui.lines)
    assert r.rows[0].catchup_s >= 4.0


def test_failing_command_on_second_node_stops_then_resume_finishes(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    run.status["mcs3"] = 3
    r = roller(proc, ui, run)
    plan = r.plan(None, resume=False)
    r.start(plan)
    with pytest.raises(CommandFailed) as exc:
        r.roll(plan)
    assert exit_code_of(exc.value) == 3
    assert states(world)["mcs3"] == "Maintenance, Running"
    assert states(world)["mcs1"] == "Master, Running"
    assert [(row.node, row.result) for row in r.rows] == [("mcs2", "done"), ("mcs3", "failed"), ("mcs1", "left")]
    assert r.rows[1].exit == 3
    assert actions(tmp_path)[-1] == ("rolling-end", None, "failed")

    del run.status["mcs3"]
    run.ran.clear()
    r2 = roller(proc, ui, run)
    plan2 = r2.plan(None, resume=True)
    assert plan2.roll == plan.roll and plan2.done == ["mcs2"] and plan2.todo == ["mcs3", "mcs1"]
    r2.start(plan2)
    assert r2.roll(plan2) == "mcs2"
    assert [a[1] for a in run.ran] == ["mcs3", "mcs1"]
    assert [(row.node, row.result) for row in r2.rows] == [("mcs2", "done before"), ("mcs3", "done"), ("mcs1", "done")]
    assert any("mcs3 is already in maintenance" in line for line in ui.lines)
    assert states(world)["mcs3"] == "Slave, Running"
    with pytest.raises(Exception, match="nothing to resume"):
        roller(proc, ui, run).plan(None, resume=True)


def test_a_fresh_roll_refuses_a_node_left_in_maintenance(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    world.backends[0].servers["mcs3"].maintenance = True
    with pytest.raises(GuardRefused, match="mcs3 is not healthy"):
        roller(proc, ui, run).plan(None, resume=False)


@pytest.mark.parametrize("ticks", [True, False])
def test_node_that_never_comes_back_times_out_in_maintenance(tmp_path, ticks):
    # The command returns before any monitor tick saw the node go down: a stale "Running" must not count.
    world, proc, ui, run = setup(tmp_path=tmp_path, ticks=ticks)
    run.took = 0.0
    run.never.add("mcs2")
    r = roller(proc, ui, run, timeout=5.0)
    plan = r.plan(None, resume=False)
    r.start(plan)
    with pytest.raises(TimedOut) as exc:
        r.roll(plan)
    assert exc.value.exit_code == ExitCode.TIMEOUT
    assert "within 5s" in str(exc.value)
    assert states(world)["mcs2"] == "Maintenance, Down"
    assert [row.result for row in r.rows] == ["timeout", "left", "left"]
    assert ("rolling-node", "mcs2", "timeout") in actions(tmp_path)


def test_interrupted_command_stops_the_roll(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    run.signal["mcs2"] = 2
    r = roller(proc, ui, run)
    plan = r.plan(None, resume=False)
    r.start(plan)
    with pytest.raises(Interrupted) as exc:
        r.roll(plan)
    assert exit_code_of(exc.value) == 130
    assert states(world)["mcs2"] == "Maintenance, Running"
    assert len(run.ran) == 1


def test_primary_sessions_are_drained_after_the_switchover(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    a = world.backends[0]
    a.servers["mcs1"].connections = 3  # sessions with open transactions on the primary
    seen = []

    def sessions_finish(t):
        s = a.servers["mcs1"]
        if s.role == "Slave" and s.drain and s.connections:
            seen.append(s.state())
            s.connections -= 1  # one transaction ends per poll

    world.clock.on_sleep.append(sessions_finish)
    r = roller(proc, ui, run)
    plan = r.plan(None, resume=False)
    r.start(plan)
    r.roll(plan)
    assert seen[0] == "Draining, Slave, Running"
    calls = a.calls
    assert (
        calls.index("switchover MariaDB-Monitor mcs2 mcs1")
        < calls.index("set mcs1 drain")
        < calls.index("set mcs1 maintenance")
    )
    assert any(line.startswith("node 3/3: mcs1 draining") for line in ui.lines)


def test_dry_run_prints_every_call_and_changes_nothing(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    r = roller(proc, ui, run, OnOptions(switchover=True, dry_run=True, drain_timeout=60))
    r.dry_run(r.plan(None, resume=False))
    node = lambda i, name, role: [  # noqa: E731
        f"# node {i}/3: {name} ({role})",
        f"# set {name} draining on every MaxScale",
        f"a:8989: set {name} drain",
        f"# wait until {name} is Drained on every MaxScale (up to 60s; then --on-timeout fail)",
        f"# set {name} in maintenance on every MaxScale",
        f"a:8989: set {name} maintenance",
        f"# clear the drain flag of {name}",
        f"a:8989: clear {name} drain",
        f"# confirm: every MaxScale lists {name} as Maintenance (up to 5s)",
        f"# run: restart {name} 127.0.0.1:3306",
        f"# wait until every MaxScale shows {name} Running with its GTID caught up with the primary's (up to 30s)",
        f"# clear maintenance of {name} on every MaxScale",
        f"a:8989: clear {name} maintenance",
        f"# clear any drain flag of {name}",
        f"a:8989: clear {name} drain",
        f"# confirm: no MaxScale lists {name} as Maintenance (up to 5s)",
        f"# wait until every MaxScale shows {name} as Slave, Running and caught up",
    ]
    switch = [
        "# switch over from mcs1 to mcs2 (monitor MariaDB-Monitor)",
        "a:8989: switchover MariaDB-Monitor mcs2 mcs1",
        "# confirm: every MaxScale lists mcs2 as Master and mcs1 as not Master",
    ]
    p = node(3, "mcs1", "primary")
    expected = (
        ["# rolling maintenance over 3 node(s), one at a time: mcs2, mcs3, mcs1"]
        + node(1, "mcs2", "replica")
        + node(2, "mcs3", "replica")
        + p[:1]
        + switch
        + p[1:]
        + ["# the primary stays where the switchover put it"]
    )
    assert ui.lines == expected
    assert world.backends[0].calls == [] and run.ran == []
    assert not (tmp_path / "journal.jsonl").exists()


def test_rolling_command_prints_the_table_and_json(tmp_path, capsys):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    report = rolling_command(
        State(proc, ui), None, OnOptions(switchover=True, yes=True), CMD, catchup_timeout=30, runner=run
    )
    show_roll(report, "json", ui)  # render prints the table the roll returns
    rows = json.loads(capsys.readouterr().out)
    assert [(r["order"], r["node"], r["role"], r["result"], r["exit"]) for r in rows] == [
        ("1/3", "mcs2", "replica", "done", 0),
        ("2/3", "mcs3", "replica", "done", 0),
        ("3/3", "mcs1", "primary", "done", 0),
    ]
    assert set(rows[0]) == {
        "order",
        "node",
        "role",
        "result",
        "enter_s",
        "command_s",
        "exit",
        "catchup_s",
        "leave_s",
        "total_s",
        "note",
    }
    assert "the primary is now mcs2" in ui.lines[-1]


def test_rolling_command_failure_prints_done_failed_left(tmp_path, capsys):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    run.status["mcs3"] = 7
    with pytest.raises(CommandFailed) as exc:
        rolling_command(
            State(proc, ui), None, OnOptions(switchover=True, yes=True), CMD, catchup_timeout=30, runner=run
        )
    show_roll(exc.value.report, "table", ui)  # the failed roll's report rides on its error
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == [
        "Order",
        "Node",
        "Role",
        "Result",
        "Enter",
        "s",
        "Command",
        "s",
        "Exit",
        "Catchup",
        "s",
        "Leave",
        "s",
        "Total",
        "s",
        "Note",
    ]
    assert out[1].split()[:4] == ["1/3", "mcs2", "replica", "done"]
    assert out[2].split()[:4] == ["2/3", "mcs3", "replica", "failed"]
    assert out[3].split()[:4] == ["3/3", "mcs1", "primary", "left"]
    assert "done mcs2; failed mcs3 during command (left in maintenance); left mcs1" in ui.lines[-1]
    assert exc.value.hint == "fix mcs3, then: mcsctl rolling --resume -- restart '{server}' '{address}:{port}'"


def test_rolling_command_usage_errors(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    with pytest.raises(UsageError):
        rolling_command(State(proc, ui), None, OnOptions(), [], runner=run)
    with pytest.raises(UsageError):
        rolling_command(State(proc, ui), ["mcs2"], OnOptions(), CMD, resume=True, runner=run)


def test_two_node_cluster_rolls_without_the_last_server_guard(tmp_path):
    world, proc, ui, run = setup(2, tmp_path=tmp_path)
    r = roller(proc, ui, run)
    plan = r.plan(None, resume=False)
    r.start(plan)
    assert r.roll(plan) == "mcs2"
    assert states(world) == {"mcs1": "Slave, Running", "mcs2": "Master, Running"}


def test_role_that_does_not_come_back_puts_the_node_back_into_maintenance(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    run.before.append(lambda argv: setattr(world.dbs[argv[1]], "role", None))  # replication not restarted
    r = roller(proc, ui, run, timeout=6.0)
    plan = r.plan(None, resume=False)
    r.start(plan)
    with pytest.raises(TimedOut, match="mcs2: not Slave, Running and caught up within 6s"):
        r.roll(plan)
    assert states(world)["mcs2"] == "Maintenance, Running"
    assert r.rows[0].result == "timeout"
    assert [a for a in actions(tmp_path) if a[1] == "mcs2"][-3:] == [
        ("off", "mcs2", "ok"),
        ("on", "mcs2", "ok"),
        ("rolling-node", "mcs2", "timeout"),
    ]


def test_drain_timeout_fails_before_maintenance(tmp_path, capsys):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    world.backends[0].servers["mcs2"].connections = 1  # never closes
    with pytest.raises(TimedOut) as exc:
        rolling_command(State(proc, ui), None, OnOptions(switchover=True, drain_timeout=2, yes=True), CMD, runner=run)
    show_roll(exc.value.report, "table", ui)  # the failed roll's report rides on its error
    assert states(world)["mcs2"] == "Slave, Running" and run.ran == []
    assert "failed mcs2 during enter (not in maintenance); left mcs3, mcs1" in ui.lines[-1]


def test_short_catchup_timeout_still_works_without_tick_counters(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path, ticks=False, interval=0.25, catchup=0.25)
    r = roller(proc, ui, run, timeout=1.5)
    plan = r.plan(None, resume=False)
    r.start(plan)
    assert r.roll(plan) == "mcs2"


def test_ctrl_c_while_waiting_for_the_node_stops_with_130(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    run.seconds = 2.0  # down for longer than a monitor interval, so a tick sees it down

    def ctrl_c(t):
        mcs2 = world.backends[0].servers["mcs2"]
        if mcs2.maintenance and run.ran and not mcs2.running:  # once the monitor has seen it go down
            raise KeyboardInterrupt

    world.clock.on_sleep.append(ctrl_c)
    r = roller(proc, ui, run)
    plan = r.plan(None, resume=False)
    r.start(plan)
    with pytest.raises(Interrupted, match="mcs2: interrupted during catch-up") as exc:
        r.roll(plan)
    assert exit_code_of(exc.value) == 130
    world.clock.on_sleep.clear()
    assert states(world)["mcs2"] == "Maintenance, Down"
    assert ("rolling-node", "mcs2", "interrupted") in actions(tmp_path)


def test_switchover_time_counts_into_enter(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    r = roller(proc, ui, run)
    plan = r.plan(["mcs1"], resume=False)
    r.start(plan)
    assert r.roll(plan) == "mcs2"
    assert any("no node of this roll can take over from mcs1; using mcs2" in line for line in ui.lines)
    assert r.rows[0].enter_s is not None and r.rows[0].total_s >= r.rows[0].catchup_s


def test_resume_after_a_crash_mid_node(tmp_path):
    world, proc, ui, run = setup(tmp_path=tmp_path)
    r = roller(proc, ui, run)
    plan = r.plan(None, resume=False)
    r.start(plan)
    proc.record("rolling-node", "mcs2", "ok", roll=plan.roll)
    proc.enter("mcs3", OnOptions())  # mcsctl was killed while mcs3 was in maintenance
    r2 = roller(proc, ui, run)
    plan2 = r2.plan(None, resume=True)
    assert plan2.todo == ["mcs3", "mcs1"] and plan2.resumed_failed == "mcs3"
    r2.start(plan2)
    assert r2.roll(plan2) == "mcs2"
    assert [a[1] for a in run.ran] == ["mcs3", "mcs1"]


def test_resume_after_a_crash_following_an_earlier_failure(tmp_path):
    """mcs2 failed, a resume did mcs2 and crashed in mcs3: the next resume retries mcs3, not mcs2."""
    world, proc, ui, run = setup(tmp_path=tmp_path)
    r = roller(proc, ui, run)
    plan = r.plan(None, resume=False)
    r.start(plan)
    proc.record("rolling-node", "mcs2", "failed", roll=plan.roll)
    proc.record("rolling-end", None, "failed", roll=plan.roll, failed="mcs2")
    proc.record("rolling-node", "mcs2", "ok", roll=plan.roll)
    proc.enter("mcs3", OnOptions())  # killed while mcs3 was in maintenance
    plan2 = roller(proc, ui, run).plan(None, resume=True)
    assert plan2.done == ["mcs2"] and plan2.resumed_failed == "mcs3" and plan2.todo == ["mcs3", "mcs1"]
