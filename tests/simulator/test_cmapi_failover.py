"""The fake CMAPI's dynamic behaviour on a virtual clock: heartbeat, deactivation, reactivation, the
cluster-wide restarts, the start-up sequence, standby, failover off (reference §5)."""

from __future__ import annotations

from .cmapihelpers import PRIMARY, REPLICA, World


def active(w: World, node: str = "mcs1") -> list[str]:
    return list(w.cs.node(node).cfg.active)


def test_reboot_with_failover_deactivates_then_reactivates_with_two_restarts():
    w = World()
    before = w.pids()
    w.cs.reboot("mcs3", w.cs.time, w.cs.time + 60)
    st, doc = w.status()
    assert st == 422 and doc == {"error": "Got an error retrieving status from node 127.0.0.13"}
    w.advance(32)
    assert "127.0.0.13" in active(w) and w.pids()["mcs1"] == before["mcs1"]  # not yet: 33 silent ticks
    t = w.advance_until(lambda: "127.0.0.13" not in active(w))
    assert 33 <= t <= 33 + 5  # the agent's 5 s queue poll
    cfg = w.cs.node("mcs1").cfg
    assert cfg.inactive == ["127.0.0.13"] and cfg.revision == 2 and cfg.desired[-1] == "127.0.0.13"
    assert w.cs.node("mcs2").cfg.revision == 2 and w.cs.node("mcs3").cfg.revision == 1  # the dead node kept its copy
    assert w.services("mcs1") == [] and w.services("mcs2") == []  # restart #1 in progress
    w.advance(10)
    st, doc = w.status()
    assert st == 200 and doc["num_nodes"] == 2 and "127.0.0.13" not in doc
    assert doc["127.0.0.11"]["dbroots"] == ["1", "3"] and doc["127.0.0.12"]["dbroots"] == ["2"]
    assert [s["name"] for s in doc["127.0.0.11"]["services"]] == PRIMARY
    after1 = w.pids()
    assert set(after1["mcs1"].values()).isdisjoint(before["mcs1"].values())  # all new pids
    # the node boots at t=60: CMAPI syncs the newer config (it is inactive there) and is ready at once
    w.advance_until(lambda: w.cs.node("mcs3").host_up)
    n3 = w.cs.node("mcs3")
    assert n3.ready and n3.cfg.revision == 2 and n3.running == {}
    direct = w.node_status("mcs3")
    assert direct["services"] == [] and direct["dbroots"] == [] and direct["dbrm_mode"] == "slave"
    boot = w.t
    t = w.advance_until(lambda: "127.0.0.13" in active(w))
    assert boot + 33 <= t <= boot + 38
    assert w.cs.node("mcs1").cfg.revision == 3 and w.cs.node("mcs3").cfg.revision == 3
    w.advance(10)
    st, doc = w.status()
    assert st == 200 and doc["num_nodes"] == 3 and list(doc)[1:4] == ["127.0.0.11", "127.0.0.12", "127.0.0.13"]
    assert [doc[f"127.0.0.1{i}"]["dbroots"] for i in (1, 2, 3)] == [["1"], ["2"], ["3"]]
    assert [s["name"] for s in doc["127.0.0.13"]["services"]] == REPLICA
    after2 = w.pids()
    assert set(after2["mcs1"].values()).isdisjoint(after1["mcs1"].values())  # restart #2 everywhere
    assert w.cs.node("mcs3").module_file == 3


def test_fast_reboot_waits_forty_seconds_and_is_deactivated_meanwhile():
    w = World()
    w.cs.reboot("mcs3", w.cs.time, w.cs.time + 10)
    w.advance(11)
    n3 = w.cs.node("mcs3")
    assert n3.host_up and not n3.ready and n3.starting == "wait"  # still active in every config
    st, doc = w.call("mcs3", "GET", "/cmapi/ready", key=None)
    assert st == 503 and doc == {"error": "CMAPI not ready to handle requests."}
    w.advance_until(lambda: "127.0.0.13" not in active(w))
    assert "127.0.0.13" in n3.cfg.active  # not told: it is not in the deactivation push
    ready = w.advance_until(lambda: n3.ready)
    assert ready == 50  # booted at 10, waited 40
    w.advance_until(lambda: "127.0.0.13" in active(w))
    w.advance(10)
    assert w.services("mcs3") == REPLICA and n3.cfg.active == active(w)


def test_failover_off_leaves_the_node_active_and_stopped_until_node_start():
    w = World(failover=False)
    w.cs.reboot("mcs3", w.cs.time, w.cs.time + 5)
    w.advance(5)
    n3 = w.cs.node("mcs3")
    assert not n3.ready
    w.advance(39)
    assert not n3.ready
    w.advance(1)
    assert n3.ready and active(w) == ["127.0.0.11", "127.0.0.12", "127.0.0.13"]
    w.advance(300)
    st, doc = w.status()
    assert st == 200 and doc["num_nodes"] == 3
    entry = doc["127.0.0.13"]
    assert entry["services"] == [] and entry["dbrm_mode"] == "offline" and entry["cluster_mode"] == "offline"
    assert w.call("mcs3", "PUT", "node/start")[0] == 200
    assert w.services("mcs3") == REPLICA


def test_cluster_mode_offline_rewrite_only_from_25():
    w = World(failover=False, version="23.10")
    w.cs.set_processes("mcs3", list(REPLICA), [])
    st, doc = w.status()
    assert doc["127.0.0.13"]["dbrm_mode"] == "offline" and doc["127.0.0.13"]["cluster_mode"] == "readonly"
    assert "mariadbd_running" not in doc["127.0.0.13"]


def test_two_node_cluster_survivor_enters_standby_and_leaves_it_at_reactivation():
    w = World(2)
    w.cs.reboot("mcs2", w.cs.time, None)
    w.advance_until(lambda: "127.0.0.12" not in active(w))
    w.advance(10)
    n1 = w.cs.node("mcs1")
    assert n1.standby and n1.running == {}
    assert any("Entering standby mode" in e["message"] for e in w.cs.log)
    assert w.cs.log[0]["message"].startswith("Failover support is inactive; requires at least 3 nodes")
    w.cs.power("mcs2", True)
    w.advance_until(lambda: "127.0.0.12" in active(w))
    w.advance(10)
    assert not n1.standby and w.services("mcs1") == PRIMARY and w.services("mcs2") == REPLICA


def test_primary_follows_a_maxscale_switchover_only_at_deactivation():
    w = World()
    w.ms.switchover(["MariaDB-Monitor", "mcs2"])
    w.advance(5)
    assert w.cs.node("mcs1").cfg.primary == "127.0.0.11" and "controllernode" in w.cs.node("mcs1").running
    w.cs.reboot("mcs1", w.cs.time, None)
    w.advance_until(lambda: "127.0.0.11" not in active(w, "mcs2"))
    w.advance(10)
    assert w.cs.node("mcs2").cfg.primary == "127.0.0.12"
    assert w.services("mcs2") == PRIMARY and w.node_status("mcs2")["dbroots"] == ["1", "2"]
    assert w.call("mcs2", "GET", "node/primary", key=None) == (200, {"is_primary": "True"})


def test_primary_down_without_switchover_searches_thirty_seconds_then_takes_the_least_loaded():
    w = World()
    w.cs.reboot("mcs1", w.cs.time, None)  # MaxScale's auto_failover is off: nobody becomes replication primary
    w.advance_until(lambda: "no node answers new_primary" in " ".join(e["message"] for e in w.cs.log))
    searching = w.t
    w.advance_until(lambda: "127.0.0.11" not in active(w, "mcs2"))
    assert w.t - searching >= 30
    w.advance(10)
    assert w.cs.node("mcs2").cfg.primary == "127.0.0.12" and w.services("mcs2") == PRIMARY


def test_node_shutdown_stops_failover_and_the_peers_deactivate_it():
    w = World()
    assert w.call("mcs3", "PUT", "node/shutdown", {"timeout": 0}) == (200, {"timestamp": "2023-11-14 22:13:20"})
    n3 = w.cs.node("mcs3")
    assert n3.running == {} and n3.cfg.maintenance and not n3.failover_on
    w.advance_until(lambda: "127.0.0.13" not in active(w))
    # a reboot keeps Maintenance: no config sync, no failover, until node/start
    w.cs.reboot("mcs3", w.cs.time, w.cs.time + 5)
    w.advance(44)
    assert not n3.ready  # its stale config lists it as active: the 40 s wait still applies
    w.advance(1)
    assert n3.ready and not n3.failover_on and n3.running == {}
    assert any("In maintenance state" in e["message"] for e in w.cs.log)
    w.call("mcs3", "PUT", "node/start")
    assert n3.failover_on and not n3.cfg.maintenance and w.services("mcs3") == REPLICA
    w.advance_until(lambda: "127.0.0.13" in active(w))


def test_cluster_shutdown_and_start_push_maintenance_and_restart_everything():
    w = World()
    st, doc = w.call("mcs2", "PUT", "cluster/shutdown", {"timeout": 30})
    assert st == 200 and list(doc) == ["timestamp"]
    assert all(n.running == {} and not n.failover_on and n.cfg.maintenance for n in w.cs.nodes.values())
    w.advance(200)
    assert active(w) == ["127.0.0.11", "127.0.0.12", "127.0.0.13"]  # nobody deactivated
    w.call("mcs2", "PUT", "cluster/start", {"timeout": 30})
    w.advance(10)
    assert w.services("mcs1") == PRIMARY and w.cs.node("mcs1").cfg.revision == 3
    assert all(n.failover_on for n in w.cs.nodes.values())


def test_cmapi_restart_alone_silences_the_responder_long_enough_to_be_deactivated():
    w = World()
    pids = w.pids()["mcs3"]
    w.cs.restart_cmapi("mcs3")
    assert w.cs.node("mcs3").running == pids  # the processes keep running
    w.advance_until(lambda: "127.0.0.13" not in active(w))
    w.advance_until(lambda: "127.0.0.13" in active(w))
    w.advance(10)
    assert w.services("mcs3") == REPLICA and w.pids()["mcs3"] != pids


def test_tick_scales_every_timing():
    w = World(tick=0.1)
    w.cs.reboot("mcs3", w.cs.time, w.cs.time + 1)
    t = w.advance_until(lambda: "127.0.0.13" not in active(w), step=0.1)
    assert 3.3 <= t <= 3.9
    t = w.advance_until(lambda: w.cs.node("mcs3").ready, step=0.1)
    assert t <= 5.1  # 1 s down + at most the 4 s wait
    w.advance_until(lambda: "127.0.0.13" in active(w), limit=20, step=0.1)


def test_local_key_reaches_peers_in_cluster_status_and_a_wrong_peer_key_fails_it():
    w = World()
    w.cs.node("mcs2").api_key = None  # never configured: stores the first key it is sent
    assert w.status()[0] == 200 and w.cs.node("mcs2").api_key == w.cs.node("mcs1").api_key
    w.cs.node("mcs3").api_key = "another"
    assert w.status() == (422, {"error": "Got an error retrieving status from node 127.0.0.13"})


def test_two_nodes_down_of_four_are_both_deactivated():
    w = World(4)
    w.cs.reboot("mcs3", w.cs.time, None)
    w.cs.reboot("mcs4", w.cs.time, None)
    w.advance_until(lambda: active(w) == ["127.0.0.11", "127.0.0.12"], limit=120)
    w.advance(10)
    n1 = w.cs.node("mcs1")
    assert n1.standby and n1.running == {}  # 2 of 4 is not more than half: standby
    assert w.cs.node("mcs2").standby
    w.cs.power("mcs3", True)
    w.advance_until(lambda: "127.0.0.13" in active(w), limit=120)
    w.advance(10)
    assert not n1.standby and w.services("mcs1") == PRIMARY and w.services("mcs3") == REPLICA


def test_a_broken_program_does_not_come_back_after_the_restarts():
    w = World(tick=0.5)
    w.cs.set_processes("mcs3", [], [], broken=["PrimProc"])
    assert "PrimProc" not in w.services("mcs3")
    w.cs.reboot("mcs3", w.cs.time, w.cs.time + 5)
    w.advance_until(lambda: "127.0.0.13" not in active(w))
    w.advance_until(lambda: "127.0.0.13" in active(w))
    w.advance(10)
    assert w.services("mcs3") == ["workernode", "WriteEngineServer"]
    w.call("mcs3", "PUT", "node/start")
    assert "PrimProc" not in w.services("mcs3")
    w.cs.set_processes("mcs3", [], ["PrimProc"], fixed=["PrimProc"])
    assert w.services("mcs3") == ["workernode", "WriteEngineServer", "PrimProc"]
