"""Model rules: sessions, lazy and forced maintenance, drain, profiles, ticks, GTIDs, switchover, HA pairs."""

from __future__ import annotations

import pytest

from simulator.clock import VirtualClock
from simulator.model import Cluster, MaxScale, SimError


def make(scenario=None, profile=None, clock=None):
    clock = clock or VirtualClock(1000.0)
    return MaxScale(Cluster(clock), scenario, profile=profile)


def states(ms):
    ms.sync()
    return {n: ms.state_string(n) for n in ms.views}


def conns(ms):
    return {n: ms.connections(n) for n in ms.views}


def test_default_topology_states():
    ms = make()
    assert states(ms) == {"mcs1": "Master, Running", "mcs2": "Slave, Running", "mcs3": "Slave, Running"}


def test_new_session_connects_like_readwritesplit_and_skips_unusable():
    ms = make()
    ms.set_state("mcs3", "maintenance")
    ms.set_state("mcs2", "drain")
    [sid] = ms.open_sessions(1)
    assert sorted(ms.sessions[sid].conns) == ["mcs1"]
    [sid] = ms.open_sessions(1, servers=["mcs2", "mcs3"] + ["mcs1"])
    assert sorted(ms.sessions[sid].conns) == ["mcs1"]
    ms.cluster.set_running("mcs1", False)
    ms.clock.advance(1.0)
    with pytest.raises(SimError) as err:
        ms.open_sessions(1)
    assert err.value.status == 400


def test_maintenance_without_force_closes_replica_connection_at_next_request():
    ms = make()
    ids = ms.open_sessions(2)
    ms.set_state("mcs3", "maintenance")
    assert conns(ms)["mcs3"] == 2  # still there: nothing happens until the session's next request
    out = ms.request(ids[0], "read")
    assert not out["closed"] and "mcs3" not in out["connections"]
    assert conns(ms)["mcs3"] == 1
    ms.request(ids[1], "write")
    assert conns(ms)["mcs3"] == 0
    assert ms.state_string("mcs3") == "Maintenance, Running"


def test_force_closes_connections_at_once():
    ms = make()
    ms.open_sessions(3)
    ms.set_state("mcs3", "maintenance", force="yes")
    assert conns(ms)["mcs3"] == 0 and len(ms.sessions) == 3


@pytest.mark.parametrize(
    "value,version,closes",
    [
        ("yes", "24.02.4", True),
        ("true", "24.02.4", True),
        ("ON", "24.02.4", True),
        ("1", "23.02.1", True),
        ("no", "24.02.4", False),
        ("true", "22.08.14", False),
        ("yes", "22.08.14", True),
        ("yes", "2.5.29", True),
    ],
)
def test_force_truthiness_by_version(value, version, closes):
    ms = make({"version": version})
    ms.open_sessions(1)
    ms.set_state("mcs3", "maintenance", force=value)
    assert (conns(ms)["mcs3"] == 0) is closes


def test_draining_then_drained_when_connections_reach_zero():
    ms = make()
    [sid] = ms.open_sessions(1, servers=["mcs1", "mcs3"])
    ms.set_state("mcs3", "drain")
    assert ms.state_string("mcs3") == "Draining, Slave, Running"
    ms.request(sid, "read")  # draining connections carry on
    assert ms.state_string("mcs3") == "Draining, Slave, Running"
    ms.close_session(sid)
    assert ms.state_string("mcs3") == "Drained, Slave, Running"
    ms.set_state("mcs3", "maintenance")
    assert ms.state_string("mcs3") == "Maintenance, Running"  # maintenance hides drain and the role
    ms.set_state("mcs3", "drain", clear=True)
    ms.set_state("mcs3", "maintenance", clear=True)
    assert ms.state_string("mcs3") == "Slave, Running"


def test_2402_refuses_primary_even_with_force_but_accepts_when_monitor_stopped():
    ms = make()
    for state, force in (("maintenance", None), ("maintenance", "yes"), ("drain", None)):
        with pytest.raises(SimError) as err:
            ms.set_state("mcs1", state, force=force)
        assert err.value.status == 400 and "The server is primary" in err.value.details[-1]
    ms.set_monitor_running("MariaDB-Monitor", False)
    ms.set_state("mcs1", "maintenance")
    assert ms.state_string("mcs1") == "Maintenance, Running"


def test_2402_primary_in_maintenance_loses_open_transaction_at_next_request():
    ms = make()
    [a, b] = ms.open_sessions(2)
    ms.request(a, "begin")
    ms.request(a, "write")
    ms.set_monitor_running("MariaDB-Monitor", False)
    ms.set_state("mcs1", "maintenance")
    out = ms.request(a, "commit")
    assert out["closed"] and out["transaction_lost"]
    out = ms.request(b, "read")  # no transaction: reads carry on from replicas
    assert not out["closed"] and out["routed_to"] in ("mcs2", "mcs3")
    out = ms.request(b, "write")
    assert out["closed"] and not out["transaction_lost"]


def test_legacy_primary_keeps_connection_until_commit_then_closes():
    ms = make(profile="legacy")
    gtid0 = ms.cluster.dbs["mcs1"].gtid
    [a, b] = ms.open_sessions(2)
    ms.request(a, "begin")
    ms.request(a, "write")
    ms.set_state("mcs1", "maintenance")  # legacy: accepted with the monitor running
    assert ms.state_string("mcs1") == "Maintenance, Running"
    assert ms.request(a, "write")["routed_to"] == "mcs1"
    out = ms.request(a, "commit")
    assert out["committed"] and not out["closed"] and "mcs1" not in out["connections"]
    assert ms.cluster.dbs["mcs1"].gtid == "0-1-17" != gtid0
    assert conns(ms)["mcs1"] == 1  # b is idle: it keeps the connection until its next request
    ms.request(b, "read")
    assert conns(ms)["mcs1"] == 0
    assert not [e for e in ms.events if e["transaction_lost"]]


def test_legacy_force_closes_everything_at_once():
    ms = make(profile="legacy")
    [a, _] = ms.open_sessions(2)
    ms.request(a, "begin")
    ms.set_state("mcs1", "maintenance", force="yes")
    assert conns(ms)["mcs1"] == 0
    assert [e["transaction_lost"] for e in ms.events] == [True]


def test_restart_is_noticed_on_the_next_tick_and_gtid_catches_up():
    ms = make()
    [sid] = ms.open_sessions(1)
    ms.cluster.restart("mcs3", 5)
    assert ms.state_string("mcs3") == "Slave, Running"  # not yet: the monitor has not ticked
    ms.clock.advance(1.0)
    assert states(ms)["mcs3"] == "Down" and conns(ms)["mcs3"] == 0
    ms.request(sid, "write")
    ms.request(sid, "write")
    ms.clock.advance(4.0)  # t=5: running again in the cluster; this tick sees it
    assert states(ms)["mcs3"] == "Slave, Running"
    assert ms.views["mcs3"].gtid == "0-1-16"  # not caught up yet
    ms.clock.advance(2.0)
    ms.sync()
    assert ms.views["mcs3"].gtid == ms.views["mcs1"].gtid == "0-1-18"


def test_lag_and_explicit_gtid():
    ms = make()
    ms.cluster.set_gtid("mcs2", lag=3)
    ms.clock.advance(1.0)
    ms.sync()
    assert ms.views["mcs2"].gtid == "0-1-13"
    ms.cluster.set_gtid("mcs2", lag=0)
    ms.clock.advance(1.0)
    ms.sync()
    assert ms.views["mcs2"].gtid == "0-1-16"


def test_long_idle_period_is_cheap_and_counts_ticks():
    ms = make()
    ms.clock.advance(86400 * 30)
    ms.sync()
    assert ms.monitors["MariaDB-Monitor"].ticks == 86400 * 30


def test_switchover_moves_sessions_primary_connections():
    ms = make()
    [sid] = ms.open_sessions(1)
    ms.switchover(["MariaDB-Monitor", "mcs2", "mcs1"])
    assert ms.sessions[sid].master == "mcs2"
    out = ms.request(sid, "write")
    assert out["routed_to"] == "mcs2"
    assert ms.cluster.dbs["mcs2"].gtid == "0-2-17"


def test_ha_pair_has_separate_flags_and_sessions_but_one_cluster():
    clock = VirtualClock(0.0)
    cluster = Cluster(clock)
    a, b = MaxScale(cluster, None, name="a"), MaxScale(cluster, None, name="b")
    a.set_state("mcs3", "maintenance")
    a.open_sessions(2)
    assert states(a)["mcs3"] == "Maintenance, Running" and states(b)["mcs3"] == "Slave, Running"
    assert conns(b)["mcs1"] == 0 and conns(a)["mcs1"] == 2
    cluster.set_running("mcs2", False)
    clock.advance(1.0)
    assert states(a)["mcs2"] == states(b)["mcs2"] == "Down"
    # a switchover through A: B's monitor notices on its next tick
    cluster.set_running("mcs2", True)
    clock.advance(1.0)
    a.set_state("mcs3", "maintenance", clear=True)
    a.switchover(["MariaDB-Monitor", "mcs3", "mcs1"])
    assert states(a)["mcs3"] == "Master, Running"
    assert b.state_string("mcs3") == "Slave, Running"
    clock.advance(1.0)
    assert states(b)["mcs3"] == "Master, Running" and states(b)["mcs1"] == "Slave, Running"


def test_version_lines_change_wire_details():
    old = make({"version": "22.08.14"})
    with pytest.raises(SimError) as err:
        old.set_state("nosuch", "maintenance")
    assert (err.value.status, err.value.details) == (404, None)
    with pytest.raises(SimError) as err:
        old.set_state("mcs1", "maintenance")
    assert err.value.status == 400 and "The server is master," in err.value.details[0]
    with pytest.raises(SimError) as err:
        old.set_state("mcs3", "running")
    assert err.value.details == [
        "The server is monitored, so only the maintenance status can be set/cleared manually. Status was not modified."
    ]
    older = make({"version": "6.4.15"})
    with pytest.raises(SimError) as err:
        older.set_state("mcs3", "bogus")
    assert err.value.status == 403
    v2308 = make({"version": "23.08.7"})
    with pytest.raises(SimError) as err:
        v2308.set_state("nosuch", "maintenance")
    assert err.value.details == ["nosuch is not a server"]


def test_unmonitored_server_accepts_any_state():
    ms = make({"monitors": [], "servers": [{"name": "a", "role": "master", "monitor": None}, {"name": "b"}]})
    assert states(ms) == {"a": "Master, Running", "b": "Slave, Running"}
    ms.set_state("b", "master")
    ms.set_state("b", "slave", clear=True)
    ms.set_state("a", "maintenance")
    assert states(ms) == {"a": "Maintenance, Running", "b": "Master, Running"}
