"""The fake CMAPI's request rules, byte for byte where the reference gives them (§1, §2), without sockets."""

from __future__ import annotations

import json

import pytest

from .cmapihelpers import KEY, PRIMARY, REPLICA, World

BASE = "/cmapi/0.4.0"
JSON = {"Content-Type": "application/json", "x-api-key": KEY}


@pytest.fixture
def w() -> World:
    return World()


def test_node_status_fields_in_cmapi_order(w):
    doc = w.node_status("mcs1")
    assert list(doc) == [
        "timestamp",
        "uptime",
        "dbrm_mode",
        "cluster_mode",
        "dbroots",
        "module_id",
        "services",
        "mariadbd_running",
    ]
    assert doc["dbrm_mode"] == "master" and doc["cluster_mode"] == "readwrite" and doc["dbroots"] == ["1"]
    assert [s["name"] for s in doc["services"]] == PRIMARY and doc["uptime"] == 86400 and doc["module_id"] == 1
    pids = [s["pid"] for s in doc["services"]]
    assert pids == sorted(pids)
    replica = w.node_status("mcs2")
    assert replica["cluster_mode"] == "readonly" and [s["name"] for s in replica["services"]] == REPLICA


def test_success_bodies_are_cmapi_json_dumps(w):
    reply = w.raw("mcs1", "GET", f"{BASE}/node/primary")
    assert reply.status == 200 and reply.body == b'{"is_primary": "True"}'
    assert w.raw("mcs2", "GET", f"{BASE}/node/new_primary").body == b'{"is_primary": false}'
    assert w.raw("mcs1", "GET", f"{BASE}/node/new_primary").body == b'{"is_primary": true}'
    w.ms.cluster.set_running("mcs3", False)
    assert w.raw("mcs3", "GET", f"{BASE}/node/new_primary").body == b'{"is_primary": null}'
    assert w.raw("mcs1", "GET", "/cmapi/ready").body == b'{"started": true}'
    st, doc = w.status()
    assert list(doc)[0] == "timestamp" and list(doc)[-1] == "num_nodes" and doc["num_nodes"] == 3


def test_key_failures_are_401_with_the_three_messages(w):
    def msg(headers):
        reply = w.raw("mcs1", "GET", f"{BASE}/node/status", headers=headers)
        assert reply.status == 401
        return reply.body

    body = b'{"error": {"http_status": "401 Unauthorized", "message": "No API key provided."}}'
    assert msg({}) == body
    assert json.loads(msg({"x-api-key": ""}))["error"]["message"] == "Empty API key."
    assert json.loads(msg({"X-API-KEY": "nope"}))["error"]["message"] == "Incorrect API key"
    assert w.raw("mcs1", "GET", f"{BASE}/node/status", headers={"X-Api-Key": f'"{KEY}"'}).status == 200
    assert w.raw("mcs1", "GET", f"{BASE}/node/status", headers={"x-api-key": f"'{KEY}'"}).status == 200
    assert w.raw("mcs1", "GET", f"{BASE}/node/status", headers={"x-api-key": f" {KEY}"}).status == 401


def test_endpoints_without_key(w):
    for path in ("/cmapi/ready", f"{BASE}/node/primary", f"{BASE}/node/new_primary", f"{BASE}/node/versions"):
        assert w.raw("mcs2", "GET", path).status == 200, path
    assert World(version="23.10").raw("mcs1", "GET", f"{BASE}/node/versions").status == 404


def test_first_key_sent_becomes_the_key():
    w = World(nodes={"mcs2": {"key": None}})
    assert w.cs.node("mcs2").api_key is None
    assert w.raw("mcs2", "GET", f"{BASE}/node/status", headers={"x-api-key": "guess"}).status == 200
    assert w.cs.node("mcs2").api_key == "guess"
    assert w.raw("mcs2", "GET", f"{BASE}/node/status", headers={"x-api-key": KEY}).status == 401


def test_body_errors_come_before_the_key_check(w):
    reply = w.raw("mcs1", "PUT", f"{BASE}/node/start")  # no body, no key
    assert reply.status == 411
    assert json.loads(reply.body) == {
        "error": {"http_status": "411 Length Required", "message": "Client must specify Content-Length"}
    }
    reply = w.raw("mcs1", "PUT", f"{BASE}/cluster/mode-set", b"mode=readonly", {"Content-Type": "text/plain"})
    assert reply.status == 415
    assert json.loads(reply.body)["error"]["message"] == (
        "Expected an entity of content type application/json, text/javascript"
    )
    reply = w.raw("mcs1", "PUT", f"{BASE}/node/shutdown", b"{nope", {"Content-Type": "application/json"})
    assert reply.status == 400 and len(reply.body) == 513
    assert json.loads(reply.body)["error"] == {"http_status": "400 Bad Request", "message": "Invalid JSON document"}
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    reply = w.raw("mcs1", "PUT", f"{BASE}/node/start", b"{}", form)
    assert reply.status == 400 and json.loads(reply.body)["error"]["message"] == "Unexpected body parameters: {}"
    assert w.raw("mcs1", "PUT", f"{BASE}/node/start", b"{}", {"Content-Type": "application/json"}).status == 401
    assert w.raw("mcs1", "PUT", f"{BASE}/node/start", b"{}", JSON).status == 200


def test_unknown_path_and_wrong_method_are_404(w):
    reply = w.raw("mcs1", "GET", f"{BASE}/x")
    assert reply.status == 404 and len(reply.body) == 513
    assert json.loads(reply.body) == {
        "error": {"http_status": "404 Not Found", "message": "The path '/cmapi/0.4.0/x' was not found."}
    }
    assert w.raw("mcs1", "POST", f"{BASE}/node/status", b"{}", JSON).status == 404
    assert w.raw("mcs1", "GET", f"{BASE}/node/start").status == 404


def test_is_process_running(w):
    query = {"process_name": "DMLProc"}
    st, doc = w.call("mcs1", "GET", "node/is_process_running", query=query)
    assert st == 200 and list(doc) == ["timestamp", "process_name", "running"] and doc["running"] is True
    assert w.call("mcs2", "GET", "node/is_process_running", query=query)[1]["running"] is False
    wn = w.call("mcs1", "GET", "node/is_process_running", query={"process_name": "workernode"})
    assert wn[1]["running"] is False  # its systemd unit is never active
    st, doc = w.call("mcs1", "GET", "node/is_process_running")
    assert st == 404 and doc["error"]["message"] == "Missing parameters: process_name"
    assert w.call("mcs1", "GET", "node/is_process_running", query={"process_name": "mariadbd"})[1]["running"]
    old = World(version="23.10")
    st, doc = old.call("mcs1", "GET", "node/is_process_running", query={"process_name": "mariadbd"})
    assert st == 500 and doc["error"]["http_status"] == "500 Internal Server Error"


def test_mode_set_and_no_master(w):
    st, doc = w.call("mcs2", "PUT", "cluster/mode-set", {"timeout": 20, "mode": "readonly"})
    assert st == 200 and doc["cluster-mode"] == "readonly" and list(doc) == ["timestamp", "cluster-mode"]
    assert w.node_status("mcs1")["cluster_mode"] == "readonly"
    assert w.call("mcs2", "PUT", "cluster/mode-set", {"mode": "readwrite"})[0] == 200
    assert w.node_status("mcs1")["cluster_mode"] == "readwrite"
    w.cs.set_processes("mcs1", ["controllernode"], [])
    assert w.call("mcs2", "PUT", "cluster/mode-set", {}) == (422, {"error": "No master found in the cluster."})


@pytest.mark.parametrize(
    ("version", "start", "shutdown"),
    [
        ("25.x", "Starting transaction isn't succesfull.", "Starting transaction isn't succesfull."),
        ("23.10", "Starting transaction isn't successful.", "Starting transaction isn't succesful."),
    ],
)
def test_transaction_failures(version, start, shutdown):
    w = World(version=version)
    w.cs.hold_transaction("mcs3", 301)  # longer than the 300 s of retries
    reply = w.raw("mcs1", "PUT", f"{BASE}/cluster/start", b'{"timeout": 10}', JSON)
    assert reply.status == 422 and reply.reason == "Unprocessable Entity"
    assert reply.body == json.dumps({"error": start}).encode() and reply.delay == 300
    assert w.call("mcs1", "PUT", "cluster/shutdown") == (422, {"error": shutdown})
    w.cs.hold_transaction("mcs3", 299)  # ends within them: the call waits (not modelled on a virtual clock)
    assert w.call("mcs1", "PUT", "cluster/start")[0] == 200
    w.cs.hold_transaction("mcs3", 0)
    w.ms.cluster.restart("mcs3", 100)  # down but still in ActiveNodes
    assert w.call("mcs1", "PUT", "cluster/start")[0] == 422


def test_node_config_shows_the_topology(w):
    st, doc = w.call("mcs2", "GET", "node/config")
    assert st == 200 and list(doc) == ["timestamp", "config", "sm_config"]
    xml = doc["config"]
    for part in (
        "<DesiredNodes><Node>127.0.0.11</Node><Node>127.0.0.12</Node><Node>127.0.0.13</Node></DesiredNodes>",
        "<InactiveNodes></InactiveNodes>",
        "<PrimaryNode>127.0.0.11</PrimaryNode>",
        "<ConfigRevision>1</ConfigRevision>",
        "<Maintenance>false</Maintenance>",
        "<ModuleDBRootID3-1-3>3</ModuleDBRootID3-1-3>",
    ):
        assert part in xml
    assert doc["sm_config"] == "[ObjectStorage]\nservice = LocalStorage\n"


def test_add_and_remove_node(w):
    assert w.call("mcs1", "PUT", "cluster/node", {}) == (422, {"error": "missing node argument"})
    assert w.call("mcs1", "PUT", "cluster/node", {"node": "127.0.0.12"}) == (422, {"error": "Error while adding node."})
    st, doc = w.call("mcs1", "DELETE", "cluster/node", {"timeout": 10, "node": "127.0.0.13"})
    assert st == 200 and doc["node_id"] == "127.0.0.13"
    assert w.cs.node("mcs1").cfg.desired == ["127.0.0.11", "127.0.0.12"] and w.cs.node("mcs3").running == {}
    st, doc = w.call("mcs1", "POST", "cluster/node", {"node": "127.0.0.13"})
    assert st == 200 and w.cs.node("mcs2").cfg.active[-1] == "127.0.0.13"
    w.advance(10)
    assert w.services("mcs3") == REPLICA


def test_versions_and_storage_profiles():
    s3 = World(storage="s3")
    assert s3.services("mcs2") == ["StorageManager", *REPLICA]
    old = World(version="6.4")
    assert old.services("mcs2") == ["workernode", "PrimProc", "ExeMgr", "WriteEngineServer"]
    assert "mariadbd_running" not in old.node_status("mcs1")
    assert World(node_names="name").status()[1]["num_nodes"] == 3
    assert "mcs2" in World(node_names="name").status()[1]


def test_dead_host_or_cmapi_is_unreachable(w):
    w.ms.cluster.restart("mcs3", 10)
    assert not w.cs.node("mcs3").reachable
    w.advance(10)
    assert w.cs.node("mcs3").reachable and w.ms.cluster.dbs["mcs3"].running


def test_node_status_waits_for_a_dead_dbrm_controller(w):
    assert w.raw("mcs2", "GET", f"{BASE}/node/status", headers=JSON).delay == 0
    w.ms.cluster.restart("mcs1", 1000)
    reply = w.raw("mcs2", "GET", f"{BASE}/node/status", headers=JSON)
    assert reply.status == 200 and reply.delay == 5.0  # the DBRM socket timeout, on the real clock only
    assert json.loads(reply.body)["cluster_mode"] == "readonly"


def test_scenario_nodes_in_maintenance_or_partly_running():
    w = World(nodes={"mcs3": {"maintenance": True}, "mcs2": {"services": ["workernode", "PrimProc"]}})
    n3 = w.cs.node("mcs3")
    assert n3.running == {} and n3.cfg.maintenance and not n3.failover_on
    assert w.services("mcs2") == ["workernode", "PrimProc"]


def test_scenario_section_errors():
    import pytest as _pytest

    from simulator.scenario import ScenarioError

    for section, text in (
        ({"nodes": {"mcs1": {"services": ["Nope"]}}}, "must be a list of ColumnStore programs"),
        ({"version": "7"}, "'7' is not one of 6.4, 23.10, 25.x"),
        ({"primary": "zz"}, "unknown server 'zz'"),
        ({"bogus": 1}, "unknown key(s) 'bogus'"),
        ({"key": ""}, "columnstore.key: must be a non-empty string"),
        ({"failover": "yes"}, "columnstore.failover: must be bool"),
    ):
        with _pytest.raises(ScenarioError, match=None) as info:
            World(**section)
        assert text in str(info.value), (section, str(info.value))
