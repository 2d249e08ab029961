"""The guards over in-memory MaxScales: the set judged as one, the consent rule, what changed, the plan."""

from __future__ import annotations

import io
import json

import pytest

from mcsctl.errors import GuardRefused, TimedOut, UsageError
from mcsctl.fleet import Fleet
from mcsctl.render import Reporter
from mcsctl.ui import SilentUI
from mcsctl.workflow import OnOptions, Procedures

from .fakes import clock_of, cluster


def make(hosts=("a:8989",), n=3, answer=False, ui=None):
    backends = cluster(hosts, n)
    ui = ui or SilentUI(answer)
    return Procedures(Fleet(backends, clock_of(backends), poll=0.5), ui, confirm_timeout=5), backends, ui


def test_the_last_routable_guard_judges_the_set():
    proc, (a,), _ = make(n=3)
    with pytest.raises(GuardRefused, match="no replica can take over from mcs1"):
        proc.enter_set(["mcs1", "mcs2", "mcs3"], OnOptions(switchover=True, yes=True, drain=False))
    outs = proc.enter_set(["mcs2", "mcs3"], OnOptions(drain=False))  # the primary stays: it takes traffic
    assert [o.server for o in outs] == ["mcs2", "mcs3"] and all(o.changed for o in outs)
    proc.leave_set(["mcs2", "mcs3"])
    a.servers["mcs1"].running = False  # the primary is down: the two replicas are the last
    a.calls.clear()
    with pytest.raises(GuardRefused, match="mcs2, mcs3 are the last servers that can take traffic"):
        proc.enter_set(["mcs2", "mcs3"], OnOptions(drain=False))
    proc.enter("mcs2", OnOptions(drain=False))  # one at a time, the first still leaves mcs3
    assert a.calls == ["set mcs2 maintenance"]


def test_a_switchover_target_inside_the_set_is_a_usage_error():
    proc, (a,), _ = make()
    with pytest.raises(UsageError, match="--to mcs2 names a server being taken out"):
        proc.enter_set(["mcs1", "mcs2"], OnOptions(switchover=True, to="mcs2", yes=True))
    assert a.calls == []


def test_a_set_with_the_primary_switches_over_to_a_server_outside_it():
    proc, (a,), _ = make(n=3)
    outs = proc.enter_set(["mcs1", "mcs2"], OnOptions(switchover=True, yes=True, drain=False))
    assert a.calls[0] == "switchover MariaDB-Monitor mcs3 mcs1"
    assert outs[0].extra["changes"] == ["switchover mcs1 -> mcs3", "mcs1 in maintenance", "mcs2 in maintenance"]


def test_a_set_that_does_not_drain_is_undone_everywhere():
    proc, (a,), _ = make(n=3)
    a.servers["mcs3"].connections = 2
    with pytest.raises(TimedOut) as exc:
        proc.enter_set(["mcs2", "mcs3"], OnOptions(drain_timeout=1))
    assert "mcs3 did not drain in 1s" in exc.value.message and "undone on mcs2, mcs3" in exc.value.message
    assert not any(s.drain or s.maintenance for s in a.servers.values())


def test_consent_on_a_terminal_is_a_question():
    proc, (a,), ui = make(answer=False)
    ui.interactive = True
    with pytest.raises(GuardRefused, match="not confirmed"):
        proc.switchover(to="mcs2", yes=False)
    assert ui.lines == ["? Switch the primary over from mcs1 to mcs2, interrupting its clients' writes?"]
    assert not any(c.startswith("switchover") for c in a.calls)


def test_allow_last_needs_consent():
    proc, (a,), _ = make(n=2)
    a.servers["mcs1"].running = False
    with pytest.raises(GuardRefused, match="--yes"):
        proc.enter("mcs2", OnOptions(drain=False, allow_last=True))
    out = proc.enter("mcs2", OnOptions(drain=False, allow_last=True, yes=True))
    assert out.changed


def test_dry_run_plan_as_json_names_each_call_and_its_host():
    out = io.StringIO()
    ui = Reporter(out=out, err=io.StringIO())
    ui.plan_json = True
    proc, _, _ = make(("a:8989", "b:8989"), ui=ui)
    proc.enter("mcs3", OnOptions(dry_run=True))
    ui.flush_plan()
    doc = json.loads(out.getvalue())
    assert doc["steps"][0] == {
        "step": "set mcs3 draining on every MaxScale",
        "calls": [
            {"host": "a:8989", "call": "a:8989: set mcs3 drain"},
            {"host": "b:8989", "call": "b:8989: set mcs3 drain"},
        ],
    }


def test_off_for_a_set_puts_back_what_it_took_out_when_one_fails():
    from mcsctl.errors import Refused

    proc, (a,), _ = make(n=3)
    proc.enter_set(["mcs2", "mcs3"], OnOptions(drain=False))
    real_clear = a.clear_state

    def clear(server, state):
        if server == "mcs3":
            raise Refused("injected refusal")
        return real_clear(server, state)

    a.clear_state = clear
    with pytest.raises(Refused) as exc:
        proc.leave_set(["mcs2", "mcs3"])
    assert "put back in maintenance: mcs2" in exc.value.message
    assert a.servers["mcs2"].maintenance and a.servers["mcs3"].maintenance
