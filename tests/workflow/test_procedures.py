"""The maintenance procedures over in-memory MaxScales: drain, deadlines, guards, undo, switchover."""

from __future__ import annotations

import pytest

from mcsctl.errors import (
    ExitCode,
    GuardRefused,
    Interrupted,
    OperationFailed,
    Partial,
    Refused,
    TimedOut,
    UnknownServer,
    Unreachable,
)
from mcsctl.fleet import Fleet
from mcsctl.ui import SilentUI
from mcsctl.workflow import OnOptions, Procedures

from .fakes import clock_of, cluster


def make(hosts=("a:8989",), n=3, answer=False):
    backends = cluster(hosts, n)
    clock = clock_of(backends)
    ui = SilentUI(answer)
    return Procedures(Fleet(backends, clock, poll=0.5), ui, confirm_timeout=5), backends, clock, ui


def test_plain_on_then_off_confirms_on_every_host():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    out = proc.enter("mcs3", OnOptions(drain=False))
    assert out.changed and {h: s.state for h, s in out.final.items()} == {
        "a:8989": "Maintenance, Running",
        "b:8989": "Maintenance, Running",
    }
    assert a.calls == b.calls == ["set mcs3 maintenance"]
    out = proc.leave("mcs3")
    assert out.changed and all(s.state == "Slave, Running" for s in out.final.values())


def test_already_in_maintenance_is_a_no_op():
    proc, (a,), _, ui = make()
    a.servers["mcs3"].maintenance = True
    out = proc.enter("mcs3", OnOptions())
    assert not out.changed and a.calls == []
    assert out.message == "mcs3 is already in maintenance on every MaxScale; nothing to do"


def test_drain_waits_for_connections_then_sets_maintenance_and_clears_drain():
    proc, (a,), clock, ui = make()
    a.servers["mcs3"].connections = 3
    clock.on_sleep.append(lambda t: setattr(a.servers["mcs3"], "connections", max(0, 3 - int(t))))
    out = proc.enter("mcs3", OnOptions(drain_timeout=10))
    assert a.calls == ["set mcs3 drain", "set mcs3 maintenance", "clear mcs3 drain"]
    assert out.final["a:8989"].state == "Maintenance, Running"
    assert not a.servers["mcs3"].drain
    assert any("draining" in line for line in ui.lines)


@pytest.mark.parametrize("policy", ["fail", "force", "proceed"])
def test_drain_timeout_policies(policy):
    proc, (a,), clock, _ = make(answer=True)
    a.servers["mcs3"].connections = 2
    opts = OnOptions(drain_timeout=3, on_timeout=policy, yes=True)
    if policy == "fail":
        with pytest.raises(TimedOut) as exc:
            proc.enter("mcs3", opts)
        assert exc.value.exit_code == ExitCode.TIMEOUT
        assert "2 connection(s) left" in exc.value.message and "session" in exc.value.message
        assert a.calls == ["set mcs3 drain", "clear mcs3 drain"]
        assert not a.servers["mcs3"].maintenance and not a.servers["mcs3"].drain
        return
    out = proc.enter("mcs3", opts)
    assert clock.t >= 3
    forced = policy == "force"
    assert a.calls == ["set mcs3 drain", f"set mcs3 maintenance{' force' if forced else ''}", "clear mcs3 drain"]
    assert out.cut == (2 if forced else 0)
    assert a.servers["mcs3"].connections == (0 if forced else 2)


def test_force_needs_consent_without_a_terminal():
    proc, (a,), _, _ = make()
    a.servers["mcs3"].connections = 4
    with pytest.raises(GuardRefused) as exc:
        proc.enter("mcs3", OnOptions(force=True))
    assert "--yes" in exc.value.message and a.calls == []
    out = proc.enter("mcs3", OnOptions(force=True, yes=True))
    assert out.cut == 4 and a.calls == ["set mcs3 maintenance force"]


def test_primary_is_refused_with_a_hint():
    proc, (a,), _, _ = make()
    with pytest.raises(GuardRefused) as exc:
        proc.enter("mcs1", OnOptions())
    assert exc.value.exit_code == 4 and "--switchover" in exc.value.hint
    assert a.calls == []


def test_switchover_then_maintenance_on_old_primary_on_two_hosts():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    a.servers["mcs2"].gtid = b.servers["mcs2"].gtid = "0-1-5"  # mcs3 (0-1-17) is more caught up
    out = proc.enter("mcs1", OnOptions(switchover=True, drain=False, yes=True))
    assert a.calls[0] == "switchover MariaDB-Monitor mcs3 mcs1"
    assert b.calls == ["set mcs1 maintenance"]
    assert out.final["b:8989"].state == "Maintenance, Running"
    assert a.servers["mcs3"].role == "Master"


def test_last_routable_server_is_guarded():
    proc, (a,), _, _ = make(n=2)
    a.servers["mcs1"].role = "Slave"
    a.servers["mcs2"].role = "Slave"
    a.servers["mcs1"].maintenance = True
    with pytest.raises(GuardRefused) as exc:
        proc.enter("mcs2", OnOptions(drain=False))
    assert "last server" in exc.value.message


def test_unknown_server_suggests_a_near_miss():
    proc, _, _, _ = make()
    with pytest.raises(UnknownServer) as exc:
        proc.enter("mcs33", OnOptions())
    assert exc.value.hint == "did you mean mcs3?"


def test_second_host_fails_first_is_undone():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    b.fail_on["set maintenance"] = Refused("refused", status=400, host="b:8989")
    with pytest.raises(Refused) as exc:
        proc.enter("mcs3", OnOptions(drain=False))
    assert "undone on a:8989" in exc.value.message
    assert a.calls == ["set mcs3 maintenance", "clear mcs3 maintenance"]
    assert not a.servers["mcs3"].maintenance


def test_undo_that_fails_is_partial():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    b.fail_on["set maintenance"] = Refused("refused", status=400, host="b:8989")
    a.fail_on["clear maintenance"] = Unreachable("cannot connect", host="a:8989")
    with pytest.raises(Partial) as exc:
        proc.enter("mcs3", OnOptions(drain=False))
    assert exc.value.exit_code == 5
    assert "a:8989: still changed" in exc.value.message


def test_confirmation_deadline():
    proc, (a,), _, _ = make()
    orig = a.set_state
    a.set_state = lambda server, state, force=False: None  # MaxScale says OK but never changes
    with pytest.raises(TimedOut) as exc:
        proc.enter("mcs3", OnOptions(drain=False))
    assert "not in maintenance after 5s" in exc.value.message
    a.set_state = orig


def test_dry_run_changes_nothing_and_prints_every_call():
    proc, (a, b), _, ui = make(("a:8989", "b:8989"))
    proc.enter("mcs3", OnOptions(dry_run=True))
    assert a.calls == b.calls == []
    assert "a:8989: set mcs3 drain" in ui.lines and "b:8989: set mcs3 maintenance" in ui.lines
    assert "b:8989: clear mcs3 drain" in ui.lines


def test_off_clears_a_leftover_drain_and_waits_healthy():
    proc, (a,), _, _ = make()
    a.servers["mcs3"].maintenance = True
    a.servers["mcs3"].drain = True
    out = proc.leave("mcs3", wait_healthy=True)
    assert a.calls == ["clear mcs3 maintenance", "clear mcs3 drain"]
    assert out.final["a:8989"].state == "Slave, Running"


def test_switchover_refuses_a_target_in_maintenance():
    proc, (a,), _, _ = make()
    a.servers["mcs2"].maintenance = True
    with pytest.raises(GuardRefused):
        proc.switchover(to="mcs2")
    with pytest.raises(OperationFailed):
        proc.switchover(to="nosuch")


# ------------------------------------------------------------------ found in review: interrupts, others' flags


def test_interrupt_half_way_through_a_change_undoes_it_everywhere():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    b.fail_on["set drain"] = KeyboardInterrupt()
    with pytest.raises(Interrupted) as exc:
        proc.enter("mcs3", OnOptions())
    assert "nothing was changed" in exc.value.message
    assert not a.servers["mcs3"].drain and not b.servers["mcs3"].drain
    assert {h: s.state for h, s in exc.value.final.items()} == {"a:8989": "Slave, Running", "b:8989": "Slave, Running"}


def test_interrupt_while_confirming_is_journaled_and_reports_the_state(tmp_path):
    from mcsctl.journal import Journal

    proc, (a,), clock, _ = make()
    proc.journal = Journal(tmp_path / "j.jsonl")
    orig = a.set_state
    a.set_state = lambda server, state, force=False: orig(server, state, force) if state == "drain" else None

    def interrupt(t):
        raise KeyboardInterrupt

    a.servers["mcs3"].connections = 0
    clock.on_sleep.append(interrupt)
    with pytest.raises(Interrupted) as exc:
        proc.enter("mcs3", OnOptions(reason="disk"))
    assert [(r.action, r.reason) for r in proc.journal.read() if r.action != "intent"] == [("on", "disk")]
    assert not a.servers["mcs3"].drain  # the drain we set is gone
    assert exc.value.final is not None


def test_a_drain_someone_else_set_is_left_alone():
    proc, (a,), _, _ = make()
    a.servers["mcs3"].drain = True
    a.servers["mcs3"].connections = 3
    with pytest.raises(TimedOut):
        proc.enter("mcs3", OnOptions(drain_timeout=1))
    assert a.servers["mcs3"].drain  # still draining, as before
    assert "clear mcs3 drain" not in a.calls


def test_drain_flag_that_cannot_be_cleared_after_success_is_partial():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    b.fail_on["clear drain"] = Unreachable("cannot connect", host="b:8989")
    with pytest.raises(Partial) as exc:
        proc.enter("mcs3", OnOptions())
    assert "drain flag could not be cleared on b:8989" in exc.value.message
    assert "maxctrl -h b:8989 clear server mcs3 drain" in exc.value.hint


def test_drain_flag_left_after_a_failure_is_added_to_the_error():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    a.servers["mcs3"].connections = 1
    b.fail_on["clear drain"] = Unreachable("cannot connect", host="b:8989")
    with pytest.raises(TimedOut) as exc:
        proc.enter("mcs3", OnOptions(drain_timeout=1))
    assert exc.value.exit_code == 6
    assert "the drain flag is still set on b:8989" in exc.value.message


def test_off_is_journaled_before_the_health_wait(tmp_path):
    from mcsctl.journal import Journal, open_maintenances

    proc, (a,), _, _ = make()
    proc.journal = Journal(tmp_path / "j.jsonl")
    proc.enter("mcs3", OnOptions(drain=False))
    a.servers["mcs3"].running = False
    with pytest.raises(TimedOut):
        proc.leave("mcs3", wait_healthy=True, healthy_timeout=2)
    assert open_maintenances(proc.journal.read()) == {}


def test_unmonitored_server_is_not_the_last_one():
    proc, (a,), _, _ = make()
    a.servers["mcs3"].monitor = None
    out = proc.enter("mcs3", OnOptions(drain=False))
    assert out.changed


def test_near_miss_ignores_case():
    proc, _, _, _ = make()
    with pytest.raises(UnknownServer) as exc:
        proc.enter("MCS3", OnOptions())
    assert exc.value.hint == "did you mean mcs3?"


def test_a_host_that_times_out_is_undone_too():
    """MaxScale may apply a PUT and then time out: the failing host gets the (idempotent) undo as well."""
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    orig = b.set_state

    def applied_then_timeout(server, state, force=False):
        orig(server, state, force)
        raise Unreachable("no answer within 10s", host="b:8989")

    b.set_state = applied_then_timeout
    with pytest.raises(Unreachable) as exc:
        proc.enter("mcs3", OnOptions(drain=False))
    assert "undone on a:8989" in exc.value.message
    assert not a.servers["mcs3"].maintenance and not b.servers["mcs3"].maintenance


def test_off_that_fails_restores_maintenance_only_where_it_was():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    b.servers["mcs2"].maintenance = True
    b.fail_on["clear maintenance"] = Refused("refused", status=400, host="b:8989")
    with pytest.raises(Refused):
        proc.leave("mcs2")
    assert not a.servers["mcs2"].maintenance  # it was never in maintenance on a
    assert b.servers["mcs2"].maintenance


# ------------------------------------------------------------------ found in code review: journal and waits


def journaled(tmp_path):
    from mcsctl.journal import Journal

    proc, backends, clock, ui = make(("a:8989", "b:8989"))
    proc.journal = Journal(tmp_path / "j.jsonl")
    proc.wall = lambda: 1_000_000 + clock.now()
    return proc, backends, clock


def test_a_new_reason_or_expiry_on_a_server_already_in_maintenance_is_recorded(tmp_path):
    from mcsctl.journal import open_maintenances

    proc, (a, b), _ = journaled(tmp_path)
    proc.enter("mcs3", OnOptions(drain=False, reason="a", expires_after=1))
    out = proc.enter("mcs3", OnOptions(drain=False, reason="b", expires_after=7200))
    assert not out.changed and "recorded the new reason/expiry" in out.message
    rec = open_maintenances(proc.journal.read())["mcs3"]
    assert (rec.reason, rec.expires) == ("b", 1_000_000 + 7200)


def test_off_closes_the_record_of_a_maintenance_cleared_outside_mcsctl(tmp_path):
    from mcsctl.journal import open_maintenances

    proc, (a, b), _ = journaled(tmp_path)
    proc.enter("mcs3", OnOptions(drain=False))
    a.servers["mcs3"].maintenance = b.servers["mcs3"].maintenance = False  # maxctrl clear ... by hand
    out = proc.leave("mcs3")
    assert "closed its journal record" in out.message
    assert open_maintenances(proc.journal.read()) == {}


def test_partial_change_is_journaled_for_the_hosts_left_changed(tmp_path):
    from mcsctl.journal import open_maintenances

    proc, (a, b), _ = journaled(tmp_path)
    b.fail_on["set maintenance"] = Refused("conflict", status=400, host="b:8989")
    a.fail_on["clear maintenance"] = Unreachable("cannot connect", host="a:8989")
    with pytest.raises(Partial) as exc:
        proc.enter("mcs3", OnOptions(drain=False, reason="r"))
    assert exc.value.final["a:8989"].state == "Maintenance, Running"
    rec = open_maintenances(proc.journal.read())["mcs3"]
    assert rec.hosts == ["a:8989"] and rec.outcome == "partial" and rec.reason == "r"


def test_expiry_duration_counts_from_entering(tmp_path):
    from mcsctl.journal import open_maintenances

    proc, _, clock = journaled(tmp_path)
    clock.t = 500
    proc.enter("mcs2", OnOptions(drain=False, expires_after=60))
    assert open_maintenances(proc.journal.read())["mcs2"].expires == 1_000_000 + 500 + 60


def test_switchover_to_the_current_primary_is_nothing_to_do():
    proc, (a,), _, _ = make()
    out = proc.switchover(to="mcs1")
    assert not out.changed and "already the primary" in out.message and a.calls == []


def test_a_poll_that_fails_once_is_retried_until_the_deadline():
    proc, (a,), clock, _ = make()
    calls = {"n": 0}
    orig = a.list_servers

    def flaky():  # the first confirmation poll (the 2nd read) loses its connection
        calls["n"] += 1
        if calls["n"] == 2:
            raise Unreachable("connection reset", host="a:8989")
        return orig()

    a.list_servers = flaky
    out = proc.enter("mcs3", OnOptions(drain=False))
    assert out.changed and calls["n"] == 3 and clock.t > 0


def test_config_sync_changes_go_through_one_maxscale_and_are_confirmed_on_all():
    proc, (a, b, c), _, ui = make(("a:8989", "b:8989", "c:8989"))
    a.sync_cluster = b.sync_cluster = "MariaDB-Monitor"  # c keeps its own configuration
    out = proc.enter("mcs3", OnOptions(drain=False))
    assert a.calls == ["set mcs3 maintenance"] and b.calls == [] and c.calls == ["set mcs3 maintenance"]
    assert all(s.in_maintenance for s in out.final.values())
    assert any(
        "configuration sync: changes go through a:8989, c:8989; MaxScale copies them to b:8989" in x for x in ui.lines
    )
    proc.leave("mcs3")
    assert b.calls == [] and not b.servers["mcs3"].maintenance


def test_switchover_runs_on_the_maxscale_whose_monitor_leads():
    """Cooperative monitoring: only the MaxScale whose monitor holds the locks may switch over."""
    from mcsctl.model import Monitor

    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    a.list_monitors = lambda: [Monitor(name="MariaDB-Monitor", module="mariadbmon", state="Running", leads=False)]
    b.list_monitors = lambda: [Monitor(name="MariaDB-Monitor", module="mariadbmon", state="Running", leads=True)]
    proc.switchover(to="mcs2")
    assert [c for c in a.calls if c.startswith("switchover")] == []
    assert b.calls == ["switchover MariaDB-Monitor mcs2 mcs1"]


# ------------------------------------------------------------------ second code review


def test_ctrl_c_during_the_drain_cleanup_finishes_it_then_reports(monkeypatch):
    import os
    import signal

    from mcsctl.signals import interrupts

    proc, (a,), _, _ = make()
    orig = a.clear_state

    def clear_and_get_interrupted(server, state):
        os.kill(os.getpid(), signal.SIGINT)  # the admin presses Ctrl-C again right now
        orig(server, state)

    a.clear_state = clear_and_get_interrupted
    with interrupts(), pytest.raises(Interrupted) as exc:
        proc.enter("mcs3", OnOptions())
    assert not a.servers["mcs3"].drain and a.servers["mcs3"].maintenance  # cleanup done, then reported
    assert "it is in maintenance" in exc.value.message and exc.value.final["a:8989"].in_maintenance


def test_a_maxscale_whose_sync_cannot_be_read_is_written_on_its_own():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    a.sync_cluster = "MariaDB-Monitor"

    def unreadable():
        raise Unreachable("no answer", host="b:8989")

    b.config_sync_cluster = unreadable
    assert [w.host for w in proc.fleet.writers()] == ["a:8989", "b:8989"]
    assert proc.fleet._writers is None  # asked again next time


def test_a_flag_a_sync_peer_had_is_not_cleared_through_the_writer():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    a.sync_cluster = b.sync_cluster = "MariaDB-Monitor"
    b.servers["mcs3"].drain = True  # someone drained it; only b shows it so far
    a.servers["mcs3"].connections = b.servers["mcs3"].connections = 1
    with pytest.raises(TimedOut):
        proc.enter("mcs3", OnOptions(drain_timeout=1))
    assert "clear mcs3 drain" not in a.calls and b.servers["mcs3"].drain


def test_a_wrong_password_during_a_poll_fails_at_once():
    from mcsctl.errors import AuthFailed

    proc, (a,), clock, _ = make()
    calls = {"n": 0}
    orig = a.list_servers

    def expired_password():
        calls["n"] += 1
        if calls["n"] >= 2:
            raise AuthFailed("authentication failed", host="a:8989")
        return orig()

    a.list_servers = expired_password
    with pytest.raises(AuthFailed):
        proc.enter("mcs3", OnOptions(drain=False))
    assert clock.t == 0  # no retry until the deadline


def test_a_writer_behind_its_sync_cluster_hands_the_change_to_a_peer():
    proc, (a, b), _, _ = make(("a:8989", "b:8989"))
    a.sync_cluster = b.sync_cluster = "MariaDB-Monitor"
    conflict = (
        "Cannot start configuration change: Configuration conflict detected: version stored in the "
        "cluster (7) is not the same as the local version (6), MaxScale is out of sync."
    )
    a.fail_on["set maintenance"] = Refused("refused", status=400, detail=conflict, host="a:8989")
    out = proc.enter("mcs3", OnOptions(drain=False))
    assert out.changed and b.calls == ["set mcs3 maintenance"]
    assert all(s.in_maintenance for s in out.final.values())
