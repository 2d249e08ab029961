"""The fake CMAPI through real sockets: HTTPS listeners per node address, the fixture, the control routes,
the monitor's cs_admin_* parameters, and `maxscale-sim --columnstore` as a process."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys

import pytest

from simulator.clock import VirtualClock
from simulator.cmapi_client import call, insecure_context

T0 = 1_700_000_000.0


@pytest.fixture
def cs(make_sim):
    return make_sim(clock=VirtualClock(T0), columnstore=True)


def test_each_node_listens_on_its_address_with_a_self_signed_certificate(cs):
    assert cs.cmapi_port and cs.cmapi_key
    for i, name in enumerate(("mcs1", "mcs2", "mcs3")):
        address = f"127.0.0.{11 + i}"
        assert cs.columnstore.node(name).address == address
        assert cs.get_json(f"/v1/servers/{name}")["data"]["attributes"]["parameters"]["address"] == address
        raw = socket.create_connection((address, cs.cmapi_port), timeout=10)
        with insecure_context().wrap_socket(raw) as tls:
            der = tls.getpeercert(binary_form=True)
        pem = ssl.DER_cert_to_PEM_cert(der)
        text = subprocess.run(["openssl", "x509", "-noout", "-subject"], input=pem, capture_output=True, text=True)
        assert "CN = mariadb.com" in text.stdout and "O = MariaDB Corporation" in text.stdout
    st, doc = cs.cmapi("mcs2", "GET", "node/status")
    assert st == 200 and doc["dbrm_mode"] == "slave" and doc["timestamp"] == "2023-11-14 22:13:20"


def test_verification_fails_against_the_self_signed_certificate(cs):
    ctx = ssl.create_default_context()
    with pytest.raises(ssl.SSLError), socket.create_connection(("127.0.0.11", cs.cmapi_port), timeout=10) as raw:
        ctx.wrap_socket(raw, server_hostname="127.0.0.11")


def test_monitor_shows_the_cs_admin_parameters(cs):
    params = cs.get_json("/v1/monitors/MariaDB-Monitor")["data"]["attributes"]["parameters"]
    assert params["cs_admin_api_key"] == cs.cmapi_key
    assert params["cs_admin_base_path"] == "/cmapi/0.4.0" and params["cs_admin_port"] == cs.cmapi_port
    assert params["password"] == "*****"


def test_monitor_without_key_shows_null(make_sim):
    sim = make_sim(clock=VirtualClock(T0), columnstore={"monitor_key": False, "key": "k1"})
    params = sim.get_json("/v1/monitors/MariaDB-Monitor")["data"]["attributes"]["parameters"]
    assert params["cs_admin_api_key"] is None and sim.cmapi_key == "k1"


def test_wire_form_of_a_401_and_a_422(cs):
    st, raw = call("127.0.0.12", cs.cmapi_port, "GET", "node/status", key="wrong", raw=True)
    assert st == 401 and raw == b'{"error": {"http_status": "401 Unauthorized", "message": "Incorrect API key"}}'
    cs.control("POST", "servers/mcs3/restart", {"seconds": 600})
    st, raw = call("127.0.0.11", cs.cmapi_port, "GET", "cluster/status", key=cs.cmapi_key, raw=True)
    assert st == 422 and raw == b'{"error": "Got an error retrieving status from node 127.0.0.13"}'


def test_a_rebooting_node_drops_connections_and_comes_back_without_columnstore(cs):
    st, state = cs.control("POST", "servers/mcs3/restart", {"seconds": 20})
    assert st == 200 and state["db"]["running"] is False
    with pytest.raises(OSError):
        cs.cmapi("mcs3", "GET", "/cmapi/ready", key=None)
    cs.advance(20)
    assert cs.cmapi("mcs3", "GET", "/cmapi/ready", key=None)[0] == 503  # the 40 s start-up wait
    cs.advance(40)
    assert cs.cmapi("mcs3", "GET", "/cmapi/ready", key=None) == (200, {"started": True})
    assert cs.get_json("/v1/servers/mcs3")["data"]["attributes"]["state"] == "Slave, Running"


def test_control_processes_and_state_dump(cs):
    st, node = cs.control("POST", "columnstore/mcs3/processes", {"stop": ["PrimProc"]})
    assert st == 200 and "PrimProc" not in [s["name"] for s in node["services"]]
    assert [s["name"] for s in cs.cmapi("mcs3", "GET", "node/status")[1]["services"]] == [
        "workernode",
        "WriteEngineServer",
    ]
    st, node = cs.control("POST", "columnstore/mcs3/processes", {"start": ["PrimProc"]})
    assert [s["name"] for s in node["services"]] == ["workernode", "WriteEngineServer", "PrimProc"]
    assert cs.control("POST", "columnstore/mcs3/processes", {"stop": ["Nope"]})[0] == 400
    assert cs.control("POST", "columnstore/mcs3/processes", {})[0] == 400
    assert cs.control("POST", "columnstore/nobody/processes", {"stop": ["PrimProc"]})[0] == 400
    st, dump = cs.control("GET", "columnstore")
    assert st == 200 and set(dump["nodes"]) == {"mcs1", "mcs2", "mcs3"}
    assert dump["nodes"]["mcs1"]["config"]["primary"] == "127.0.0.11" and dump["tick"] == 1.0


def test_control_host_cmapi_restart_and_transaction(cs):
    st, node = cs.control("POST", "columnstore/mcs2/host", {"up": False})
    assert st == 200 and node["host_up"] is False and node["services"] == []
    cs.advance(1)  # the monitor's next tick
    assert cs.get_json("/v1/servers/mcs2")["data"]["attributes"]["state"] == "Down"
    assert cs.control("POST", "columnstore/mcs2/host", {"up": "yes"})[0] == 400
    st, node = cs.control("POST", "columnstore/mcs2/host", {"up": True})
    assert node["host_up"] is True and node["ready"] is False
    st, node = cs.control("POST", "columnstore/mcs3/cmapi-restart")
    assert st == 200 and node["ready"] is False and len(node["services"]) == 3
    st, node = cs.control("POST", "columnstore/mcs1/transaction", {"seconds": 301})
    assert node["in_transaction"] is True
    assert cs.cmapi("mcs1", "PUT", "cluster/start", {"timeout": 5})[0] == 422


def test_control_without_columnstore_is_400(vsim):
    st, body = vsim.control("GET", "columnstore")
    assert st == 400 and "--columnstore" in body["errors"][0]["detail"]


def test_scenario_section_and_its_errors(make_sim):
    sim = make_sim(
        scenario={
            "servers": [{"name": "a"}, {"name": "b"}],
            "columnstore": {"primary": "b", "nodes": {"a": {"services": ["workernode"]}}},
        },
        clock=VirtualClock(T0),
        columnstore={"failover": False},
    )
    assert sim.columnstore.node("b").cfg.primary == "127.0.0.12"
    assert [s["name"] for s in sim.cmapi("a", "GET", "node/status")[1]["services"]] == ["workernode"]
    assert sim.columnstore.node("a").auto_failover is False
    st, body = sim.control("POST", "scenario", {"columnstore": {"key": "x", "tick": 0}})
    assert st == 400 and "columnstore.tick" in body["errors"][0]["detail"]
    st, body = sim.control("POST", "scenario", {"columnstore": {"key": "x", "nodes": {"zz": {}}}})
    assert st == 400 and "unknown server 'zz'" in body["errors"][0]["detail"]


def test_maxscale_sim_columnstore_process(tmp_path):
    from simulator.cmapi_serving import shared_port

    port = shared_port(["127.0.0.11", "127.0.0.12"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--servers", "db1,db2", "--columnstore"]
        + ["--cmapi-port", str(port), "--cs-tick", "0.05", "--cs-failover", "off"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = [proc.stdout.readline().rstrip("\n") for _ in range(4)]
        assert lines[1:3] == [
            f"maxscale-sim: CMAPI of db1 on https://127.0.0.11:{port}",
            f"maxscale-sim: CMAPI of db2 on https://127.0.0.12:{port}",
        ]
        key = lines[3].split("CMAPI key ")[1].split(";")[0]
        assert lines[3].endswith("tick 0.05s, failover False")
        st, doc = call("127.0.0.12", port, "GET", "cluster/status", key=key)
        assert st == 200 and doc["num_nodes"] == 2
    finally:
        proc.terminate()
        proc.wait(10)


def test_maxscale_sim_columnstore_options_need_columnstore():
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "--cs-tick", "0.1"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "need --columnstore" in done.stderr


def test_ha_pair_shares_one_columnstore_and_a_scenario_reload_keeps_the_listeners(maxscale_sims):
    first, second = maxscale_sims(2, clock=VirtualClock(T0), columnstore={"key": "pair"})
    assert first.cmapi_port == second.cmapi_port and first.columnstore is second.columnstore
    for sim in (first, second):
        params = sim.get_json("/v1/monitors/MariaDB-Monitor")["data"]["attributes"]["parameters"]
        assert params["cs_admin_port"] == first.cmapi_port and params["cs_admin_api_key"] == "pair"
    st, _ = first.control("POST", "scenario", {"servers": [{"name": "a"}, {"name": "b"}]})
    assert st == 200 and set(first.columnstore.nodes) == {"a", "b"}
    assert first.cmapi("b", "GET", "node/status", key="pair")[0] == 200
    assert first.control("POST", "reset")[0] == 200
    assert first.cmapi("a", "GET", "cluster/status", key="pair")[1]["num_nodes"] == 2


def test_a_powered_off_node_in_the_scenario(make_sim):
    sim = make_sim(clock=VirtualClock(T0), columnstore={"nodes": {"mcs3": {"host": False}}})
    assert sim.columnstore.node("mcs3").host_up is False
    assert sim.get_json("/v1/servers/mcs3")["data"]["attributes"]["state"] == "Down"
    with pytest.raises(OSError):
        sim.cmapi("mcs3", "GET", "/cmapi/ready", key=None)


def test_real_clock_with_a_small_tick_deactivates_and_reactivates(make_sim):
    import time

    sim = make_sim(columnstore={"tick": 0.02})
    sim.control("POST", "servers/mcs3/restart", {"seconds": 0.1})

    def wait_for(check, limit=60.0):
        end = time.monotonic() + limit
        while not check():
            assert time.monotonic() < end, "not reached"
            time.sleep(0.05)

    def active():
        return sim.cmapi("mcs1", "GET", "node/config")[1]["config"]

    wait_for(lambda: "<InactiveNodes><Node>127.0.0.13</Node></InactiveNodes>" in active())
    wait_for(lambda: "<InactiveNodes></InactiveNodes>" in active())
    wait_for(lambda: len(sim.cmapi("mcs3", "GET", "node/status")[1]["services"]) == 3)
    log = [e["message"] for e in sim.control("GET", "columnstore")[1]["log"]]
    assert any(m.startswith("failover: deactivated 127.0.0.13") for m in log)
    assert any(m.startswith("failover: activated 127.0.0.13") for m in log)


def test_a_black_holed_host_makes_requests_hang_until_the_client_gives_up(make_sim):
    sim = make_sim(clock=VirtualClock(T0), columnstore={"blackhole_seconds": 30})
    st, node = sim.control("POST", "columnstore/mcs3/host", {"up": False, "blackhole": True})
    assert st == 200 and node["blackhole"] is True
    with pytest.raises(TimeoutError):
        sim.cmapi("mcs3", "GET", "node/status", timeout=0.3)
    with pytest.raises(TimeoutError):
        sim.cmapi("mcs1", "GET", "cluster/status", timeout=0.3)  # CMAPI's fan-out has no timeout either
    assert sim.cmapi("mcs1", "GET", "node/status")[0] == 200
    sim.control("POST", "columnstore/mcs3/host", {"up": True})
    assert sim.columnstore.node("mcs3").blackhole is False  # the stop ends the waits still pending


def test_blackhole_seconds_then_the_usual_answers(make_sim):
    sim = make_sim(clock=VirtualClock(T0), columnstore={"blackhole_seconds": 0.2})
    sim.control("POST", "columnstore/mcs3/host", {"up": False, "blackhole": True})
    with pytest.raises(OSError):
        sim.cmapi("mcs3", "GET", "/cmapi/ready", key=None)
    st, doc = sim.cmapi("mcs1", "GET", "cluster/status")
    assert st == 422 and doc == {"error": "Got an error retrieving status from node 127.0.0.13"}


def test_ca_signed_certificates_verify_with_the_hostname(make_sim):
    sim = make_sim(clock=VirtualClock(T0), columnstore={"tls": "ca"})
    assert sim.cmapi_ca and os.path.exists(sim.cmapi_ca)
    ctx = ssl.create_default_context(cafile=sim.cmapi_ca)
    raw = socket.create_connection(("127.0.0.12", sim.cmapi_port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname="127.0.0.12") as tls:
        assert tls.getpeercert()["subjectAltName"] == (("IP Address", "127.0.0.12"),)
    raw = socket.create_connection(("127.0.0.12", sim.cmapi_port), timeout=10)
    with pytest.raises(ssl.SSLCertVerificationError):
        ctx.wrap_socket(raw, server_hostname="127.0.0.13")  # the name does not match the certificate
    raw.close()
    assert sim.cmapi("mcs3", "GET", "node/status")[0] == 200


def test_real_clock_call_waits_for_another_transaction_then_goes_on(make_sim):
    sim = make_sim(columnstore={"tick": 0.01})  # 300 s of retries = 3 s
    sim.control("POST", "columnstore/mcs2/transaction", {"seconds": 0.5})
    assert sim.cmapi("mcs1", "PUT", "cluster/mode-set", {"mode": "readonly"})[0] == 200
    assert sim.cmapi("mcs1", "GET", "node/status")[1]["cluster_mode"] == "readonly"
    sim.control("POST", "columnstore/mcs2/transaction", {"seconds": 10})
    assert sim.cmapi("mcs1", "PUT", "cluster/mode-set", {"mode": "readwrite"}) == (
        422,
        {"error": "Starting transaction isn't succesfull."},
    )


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--cs-tick", "0"], "columnstore.tick: must be a number of seconds above 0"),
        (["--cmapi-port", "70000"], "columnstore.port: must be a port number 1-65535"),
    ],
)
def test_maxscale_sim_bad_columnstore_options(args, text):
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "--columnstore", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and text in done.stderr and "Traceback" not in done.stderr


def test_control_break_and_fix(cs):
    st, node = cs.control("POST", "columnstore/mcs2/processes", {"break": ["WriteEngineServer"]})
    assert st == 200 and node["broken"] == ["WriteEngineServer"]
    assert "WriteEngineServer" not in [s["name"] for s in node["services"]]
    st, node = cs.control("POST", "columnstore/mcs2/processes", {"start": ["WriteEngineServer"]})
    assert "WriteEngineServer" not in [s["name"] for s in node["services"]]
    st, node = cs.control("POST", "columnstore/mcs2/processes", {"fix": ["WriteEngineServer"]})
    assert node["broken"] == []
    assert cs.control("POST", "columnstore/mcs2/processes", {"break": "PrimProc"})[0] == 400
