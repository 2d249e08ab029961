"""The /sim control API over HTTP: sessions, transactions, faults, clock, reset, scenarios, bad input."""

from __future__ import annotations

import json

from simulator.clock import VirtualClock


def state(sim, name):
    return sim.get_json(f"/v1/servers/{name}")["data"]["attributes"]["state"]


def test_sessions_requests_and_close(vsim):
    st, body = vsim.control("POST", "/sim/sessions", {"count": 3, "user": "bob", "remote": "10.0.0.9"})
    assert st == 200 and body["ids"] == ["1", "2", "3"]
    doc = vsim.get_json("/v1/sessions")
    assert [s["attributes"]["user"] for s in doc["data"]] == ["bob"] * 3
    assert doc["data"][0]["attributes"]["remote"] == "10.0.0.9"
    st, body = vsim.control("POST", "/sim/sessions/1/begin")
    assert st == 200 and body["in_transaction"] is True
    st, body = vsim.control("POST", "/sim/sessions/1/write")
    st, body = vsim.control("POST", "/sim/sessions/1/commit")
    assert st == 200 and body["committed"] is True
    assert vsim.get_json("/v1/servers/mcs1")["data"]["attributes"]["gtid_current_pos"] == "0-1-16"
    vsim.advance(1.0)  # the monitor reads the new GTID on its next tick
    assert vsim.get_json("/v1/servers/mcs1")["data"]["attributes"]["gtid_current_pos"] == "0-1-17"
    assert vsim.control("DELETE", "/sim/sessions/2")[0] == 200
    assert [s["id"] for s in vsim.get_json("/v1/sessions")["data"]] == ["1", "3"]
    assert vsim.control("DELETE", "/sim/sessions/2")[0] == 404
    assert vsim.control("POST", "/sim/sessions/1/dance")[0] == 400


def test_write_after_primary_maintenance_reports_lost_transaction(vsim):
    vsim.control("POST", "/sim/sessions", {"count": 1})
    vsim.control("POST", "/sim/sessions/1/begin")
    vsim.api("PUT", "/v1/monitors/MariaDB-Monitor/stop")
    assert vsim.api("PUT", "/v1/servers/mcs1/set?state=maintenance")[0] == 204
    st, body = vsim.control("POST", "/sim/sessions/1/commit")
    assert st == 200 and body["closed"] is True and body["transaction_lost"] is True
    assert vsim.get_json("/v1/sessions")["data"] == []


def test_down_up_restart_and_clock(vsim):
    assert vsim.control("POST", "/sim/servers/mcs3/down")[0] == 200
    assert state(vsim, "mcs3") == "Slave, Running"  # the monitor has not ticked yet
    assert vsim.control("POST", "/sim/clock/advance", {"seconds": 1})[0] == 200
    assert state(vsim, "mcs3") == "Down"
    assert vsim.get_json("/v1/servers/mcs3")["data"]["attributes"]["gtid_current_pos"] is None
    vsim.control("POST", "/sim/servers/mcs3/up")
    vsim.control("POST", "/sim/clock/advance", {"seconds": 1})
    assert state(vsim, "mcs3") == "Slave, Running"
    vsim.control("POST", "/sim/servers/mcs2/restart", {"seconds": 10})
    vsim.control("POST", "/sim/clock/advance", {"seconds": 5})
    assert state(vsim, "mcs2") == "Down"
    vsim.control("POST", "/sim/clock/advance", {"seconds": 5})
    assert state(vsim, "mcs2") == "Slave, Running"
    st, body = vsim.control("POST", "/sim/servers/mcs2/gtid", {"lag": 2})
    assert st == 200
    st, body = vsim.control("POST", "/sim/servers/mcs1/gtid", {"gtid": "0-1-100"})
    vsim.control("POST", "/sim/clock/advance", {"seconds": 1})
    gtids = {s["id"]: s["attributes"]["gtid_current_pos"] for s in vsim.get_json("/v1/servers")["data"]}
    assert gtids == {"mcs1": "0-1-100", "mcs2": "0-1-98", "mcs3": "0-1-100"}


def test_state_reset_and_scenario(vsim):
    vsim.api("PUT", "/v1/servers/mcs3/set?state=maintenance")
    st, body = vsim.control("GET", "/sim/state")
    assert st == 200 and body["servers"]["mcs3"]["state"] == "Maintenance, Running"
    st, body = vsim.control("POST", "/sim/reset")
    assert st == 200 and body["servers"]["mcs3"]["state"] == "Slave, Running"
    sc = {"servers": [{"name": "a", "role": "master"}, {"name": "b"}], "sessions": [{"count": 2}]}
    st, body = vsim.control("POST", "/sim/scenario", sc)
    assert st == 200 and sorted(body["servers"]) == ["a", "b"]
    assert [s["attributes"]["statistics"]["connections"] for s in vsim.get_json("/v1/servers")["data"]] == [2, 2]
    vsim.api("PUT", "/v1/servers/b/set?state=maintenance")
    vsim.control("POST", "/sim/reset")
    assert state(vsim, "b") == "Slave, Running"  # reset goes back to the last loaded scenario


def test_bad_input_is_a_clear_400(vsim):
    for method, path, raw in (
        ("POST", "/sim/sessions", b"{not json"),
        ("POST", "/sim/sessions", b"[1, 2]"),
        ("POST", "/sim/scenario", b'{"servers": [{"name": "a b"}]}'),
        ("POST", "/sim/scenario", b'{"bogus": 1}'),
        ("POST", "/sim/scenario", b'{"servers": [{"name": "a", "monitor": "nope"}]}'),
        ("POST", "/sim/sessions", b'{"count": -1}'),
        ("POST", "/sim/sessions", b'{"servers": ["nosuch"]}'),
        ("POST", "/sim/servers/nosuch/down", b""),
        ("POST", "/sim/servers/mcs1/restart", b'{"seconds": "soon"}'),
        ("POST", "/sim/servers/mcs1/gtid", b"{}"),
        ("POST", "/sim/shutdown-mode", b'{"on": "yes"}'),
    ):
        status, _, body = vsim._http(method, path, raw, {"Content-Type": "application/json"})
        assert status == 400, (path, raw, status, body)
        detail = json.loads(body)["errors"][0]["detail"]
        assert detail and "Traceback" not in detail
    assert vsim.control("GET", "/sim/nosuch")[0] == 404


def test_clock_advance_needs_a_virtual_clock(make_sim):
    sim = make_sim()
    st, body = sim.control("POST", "/sim/clock/advance", {"seconds": 1})
    assert st == 400 and "VirtualClock" in body["errors"][0]["detail"]
    virtual = make_sim(clock=VirtualClock())
    assert virtual.control("POST", "/sim/clock/advance", {"seconds": 2.5}) == (200, {"time": 2.5})


def test_pair_shares_the_cluster_not_the_flags(maxscale_sims):
    a, b = maxscale_sims(2, clock=VirtualClock())
    assert a.port != b.port and a.cluster is b.cluster
    a.api("PUT", "/v1/servers/mcs3/set?state=maintenance")
    assert (state(a, "mcs3"), state(b, "mcs3")) == ("Maintenance, Running", "Slave, Running")
    a.control("POST", "/sim/servers/mcs2/down")
    a.control("POST", "/sim/clock/advance", {"seconds": 1})
    assert state(a, "mcs2") == state(b, "mcs2") == "Down"
    b.control("POST", "/sim/sessions", {"count": 2})
    assert a.get_json("/v1/sessions")["data"] == [] and len(b.get_json("/v1/sessions")["data"]) == 2


def test_profile_fixture_argument(make_sim):
    sim = make_sim(profile="legacy", clock=VirtualClock())
    assert sim.api("PUT", "/v1/servers/mcs1/set?state=maintenance")[0] == 204
    assert state(sim, "mcs1") == "Maintenance, Running"


def test_maxctrl_bin_is_on_path(maxctrl_bin):
    import os
    import shutil

    exe = shutil.which("maxctrl")
    assert exe == os.path.join(str(maxctrl_bin), "maxctrl") and os.access(exe, os.X_OK)


def test_config_sync_copies_maintenance_to_the_peers(maxscale_sims):
    a, b = maxscale_sims(2, scenario={"config_sync_cluster": "MariaDB-Monitor"})
    doc = a.get_json("/v1/maxscale")["data"]["attributes"]
    assert doc["parameters"]["config_sync_cluster"] == "MariaDB-Monitor" and doc["config_sync"]["status"] == "OK"
    status, _, _ = a.api("PUT", "/v1/servers/mcs2/set?state=maintenance")
    assert status == 204
    assert b.get_json("/v1/servers/mcs2")["data"]["attributes"]["state"] == "Maintenance, Running"
    a.api("PUT", "/v1/servers/mcs2/clear?state=maintenance")
    assert b.get_json("/v1/servers/mcs2")["data"]["attributes"]["state"] == "Slave, Running"


def test_config_sync_needs_22_08(make_sim):
    import pytest

    from simulator.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="22.08"):
        make_sim(scenario={"version": "6.4.15", "config_sync_cluster": "MariaDB-Monitor"})


def test_without_config_sync_the_document_says_so(maxscale_sim):
    doc = maxscale_sim.get_json("/v1/maxscale")["data"]["attributes"]
    assert doc["config_sync"] is None and doc["parameters"]["config_sync_cluster"] is None
