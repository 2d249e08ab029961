"""End to end: the installed mcsctl (REST backend) against the simulator's fake CMAPI over HTTPS (issue 14)."""

from __future__ import annotations

import json
import sys

from tests.cli.conftest import state_of
from tests.ports import closed_port


def control(sim, path: str, body: dict) -> list[str]:
    """A COMMAND (argv, no shell) that POSTs `body` to the simulator's control API at /sim/PATH."""
    code = (
        "import sys, urllib.request;"
        "urllib.request.urlopen(urllib.request.Request(sys.argv[1], method='POST', data=sys.argv[2].encode(),"
        " headers={'Content-Type': 'application/json'}))"
    )
    return [sys.executable, "-c", code, f"{sim.url}/sim/{path}", json.dumps(body)]


def reboot(sim, seconds: float = 0.3) -> list[str]:
    return control(sim, "servers/{server}/restart", {"seconds": seconds})


def cs_log(sim) -> list[str]:
    return [e["message"] for e in sim.control("GET", "/sim/columnstore")[1]["log"]]


# ------------------------------------------------------------------ reading
def test_status_with_the_key_from_the_monitor(cs_sim, rest_mcsctl):
    sim = cs_sim()
    r = rest_mcsctl("columnstore", "status", hosts=[sim])
    assert r.rc == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split() == ["Node", "Address", "CMAPI", "Role", "DBRM", "Mode", "Active", "Services", "Revision"]
    assert lines[1].split()[:8] == ["mcs1", "127.0.0.11", "ready", "primary", "master", "readwrite", "yes", "6/6"]
    assert lines[2].split()[3:8] == ["replica", "slave", "readonly", "yes", "3/3"]
    assert "ColumnStore primary: mcs1; MaxScale primary: mcs1 (they match)" in r.out
    assert "only the DBRM master's cluster mode is meaningful" in r.out
    doc = rest_mcsctl("cs", "status", "--format", "json", hosts=[sim]).json()
    assert doc["columnstore_primary"] == "mcs1" and doc["primaries_match"] is True and doc["problems"] == []
    assert [n["name"] for n in doc["nodes"]] == ["mcs1", "mcs2", "mcs3"]
    tsv = rest_mcsctl("cs", "status", "--format", "tsv", hosts=[sim]).out.splitlines()
    assert tsv[1].split("\t")[:4] == ["mcs2", "127.0.0.12", "ready", "replica"]


def test_servers_json_and_table_gain_columnstore(cs_sim, rest_mcsctl):
    sim = cs_sim()
    sim.control("POST", "/sim/columnstore/mcs3/host", {"up": False})
    doc = rest_mcsctl("servers", "--format", "json", hosts=[sim]).json()
    by = {s["name"]: s for s in doc}
    assert by["mcs1"]["columnstore"] == {
        "primary": True,
        "cluster_mode": "readwrite",
        "services": ["workernode", "controllernode", "PrimProc", "WriteEngineServer", "DMLProc", "DDLProc"],
        "ready": True,
        "active": True,
    }
    assert by["mcs1"]["columnstore_error"] is None
    assert by["mcs3"]["columnstore"] is None and "cannot reach CMAPI on mcs3" in by["mcs3"]["columnstore_error"]
    table = rest_mcsctl("servers", hosts=[sim]).out.splitlines()
    assert table[0].split()[-1] == "CS" and table[1].endswith("primary rw 6 procs")


def test_without_a_key_changes_say_columnstore_was_not_checked(cs_sim, rest_mcsctl):
    sim = cs_sim(monitor_key=False)
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[sim])
    assert r.rc == 0, r.err
    assert r.err.count("ColumnStore was not checked: no CMAPI key is known") == 1
    r = rest_mcsctl("--no-columnstore", "maintenance", "off", "mcs3", hosts=[sim])
    assert r.rc == 0 and "ColumnStore" not in r.err
    assert rest_mcsctl("cs", "status", hosts=[sim]).rc == 3
    assert "CS" not in rest_mcsctl("servers", hosts=[sim]).out.splitlines()[0].split()


# ------------------------------------------------------------------ errors change nothing
def test_wrong_key_is_exit_3_and_nothing_changes(cs_sim, rest_mcsctl):
    sim = cs_sim()
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[sim], env={"MCSCTL_CMAPI_KEY": "wrong"})
    assert r.rc == 3
    assert "refused the API key: Incorrect API key" in r.err and "wrong" not in r.err.replace("wrong", "", 0)
    assert "Maintenance" not in state_of(sim, "mcs3")


def test_unreachable_cmapi_is_exit_3_and_nothing_changes(cs_sim, rest_mcsctl):
    sim = cs_sim()
    r = rest_mcsctl("--cmapi-port", str(closed_port()), "maintenance", "on", "mcs3", "--no-drain", hosts=[sim])
    assert r.rc == 3
    assert "no node's CMAPI answers (cannot reach CMAPI on mcs1" in r.err
    assert "Maintenance" not in state_of(sim, "mcs3")


# ------------------------------------------------------------------ guards and warnings
def test_the_columnstore_primary_is_guarded_before_a_switchover(cs_sim, rest_mcsctl):
    sim = cs_sim()
    r = rest_mcsctl("maintenance", "on", "mcs1", "--switchover", "--yes", hosts=[sim])
    assert r.rc == 4
    assert "mcs1 is the ColumnStore primary (DBRM master): taking it down stops DML and DDL" in r.err
    assert "a MaxScale switchover does not move the ColumnStore primary" in r.err and "33 s" in r.err
    assert "--allow-columnstore-primary" in r.err
    assert state_of(sim, "mcs1") == "Master, Running"  # no switchover happened
    r = rest_mcsctl("maintenance", "on", "mcs1", "--switchover", "--yes", "--allow-columnstore-primary", hosts=[sim])
    assert r.rc == 0, r.err
    assert "Maintenance" in state_of(sim, "mcs1")


def test_drain_is_not_guarded(cs_sim, rest_mcsctl):
    sim = cs_sim()
    assert rest_mcsctl("drain", "mcs2", hosts=[sim]).rc == 0


def test_unhealthy_rest_of_the_cluster_refuses_but_the_target_never_blocks(cs_sim, rest_mcsctl):
    sim = cs_sim()
    sim.control("POST", "/sim/columnstore/mcs2/processes", {"stop": ["PrimProc"]})
    sim.control("POST", "/sim/columnstore/mcs3/processes", {"stop": ["WriteEngineServer"]})
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[sim])
    assert r.rc == 4
    assert "the rest of the ColumnStore cluster is not healthy: PrimProc not running on mcs2" in r.err
    assert "mcs3" not in r.err.split("healthy:")[1].split("\n")[0]  # its own state does not count
    assert "Maintenance" not in state_of(sim, "mcs3")
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", "--allow-unhealthy", hosts=[sim])
    assert r.rc == 0, r.err


def test_warnings_before_run(cs_sim, rest_mcsctl):
    sim = cs_sim()
    r = rest_mcsctl("maintenance", "run", "mcs3", "--dry-run", "--", "true", hosts=[sim])
    assert r.rc == 0, r.err
    assert "peers deactivate it and restart ColumnStore on every other node" in r.err
    assert "mcs3's dbroots 3 are on local storage" in r.err
    assert "# then until ColumnStore is healthy: mcs3 active again" in r.out + r.err
    assert "standby" not in r.err
    r = rest_mcsctl("--no-cmapi-failover", "maintenance", "run", "mcs3", "--dry-run", "--", "true", hosts=[sim])
    assert "deactivate" not in r.err


def test_two_node_cluster_warns_of_the_survivors_standby(cs_sim, rest_mcsctl):
    sim = cs_sim(n=2)
    r = rest_mcsctl("maintenance", "run", "mcs2", "--dry-run", "--", "true", hosts=[sim])
    assert r.rc == 0, r.err
    assert "in a 2-node cluster the survivor mcs1 enters standby: ColumnStore stops entirely" in r.err


def test_active_nodes_by_name_match_maxscales_servers(cs_sim, rest_mcsctl):
    sim = cs_sim(node_names="name")
    doc = rest_mcsctl("cs", "status", "--format", "json", hosts=[sim]).json()
    assert doc["active_nodes"] == ["mcs1", "mcs2", "mcs3"]
    assert all(n["active"] is True for n in doc["nodes"]) and doc["problems"] == []


def test_s3_storage_counts_storagemanager_and_has_no_local_dbroot_warning(cs_sim, rest_mcsctl):
    sim = cs_sim(storage="s3")
    doc = rest_mcsctl("cs", "status", "--format", "json", hosts=[sim]).json()
    assert doc["problems"] == [] and all("StorageManager" in n["expected_services"] for n in doc["nodes"])
    r = rest_mcsctl("maintenance", "run", "mcs3", "--dry-run", "--", "true", hosts=[sim])
    assert r.rc == 0 and "local storage" not in r.err


def test_columnstore_64_counts_exemgr(cs_sim, rest_mcsctl):
    sim = cs_sim(version="6.4")
    doc = rest_mcsctl("cs", "status", "--format", "json", hosts=[sim]).json()
    assert doc["problems"] == []
    assert [len(n["expected_services"]) for n in doc["nodes"]] == [7, 4, 4]  # the 6.4 rule: 7 and 4
    sim.control("POST", "/sim/columnstore/mcs2/processes", {"stop": ["ExeMgr"]})
    doc = rest_mcsctl("cs", "status", "--format", "json", hosts=[sim]).json()
    assert doc["problems"] == ["ExeMgr not running on mcs2"]
    assert doc["nodes"][1]["missing_services"] == ["ExeMgr"]


def test_rolling_warns_once_for_the_cluster_and_per_node_for_dbroots(cs_sim, rest_mcsctl):
    sim = cs_sim()
    r = rest_mcsctl("rolling", "--dry-run", "--allow-columnstore-primary", "--", "true", hosts=[sim])
    assert r.rc == 0, r.err
    assert r.err.count("CMAPI failover may be on") == 1 and "about 33 s after each node goes down" in r.err
    assert r.err.count("are on local storage") == 3
    assert r.out.splitlines()[0] == "# rolling maintenance over 3 node(s), one at a time: mcs2, mcs3, mcs1"


def test_rolling_puts_the_columnstore_primary_after_maxscales(cs_sim, rest_mcsctl):
    sim = cs_sim(primary="mcs2")  # CMAPI's primary is not MaxScale's (mcs1)
    r = rest_mcsctl("rolling", "--dry-run", "--allow-columnstore-primary", "--", "true", hosts=[sim])
    assert r.rc == 0, r.err
    assert r.out.splitlines()[0] == "# rolling maintenance over 3 node(s), one at a time: mcs3, mcs1, mcs2"
    doc = rest_mcsctl("cs", "status", "--format", "json", hosts=[sim]).json()
    assert (doc["columnstore_primary"], doc["maxscale_primary"], doc["primaries_match"]) == ("mcs2", "mcs1", False)


def test_cmapi_ca_cert_verifies_ca_signed_nodes_and_refuses_the_self_signed(cs_sim, rest_mcsctl, tmp_path):
    """Sites that gave CMAPI CA-signed certificates: `--cmapi-ca-cert` verifies each node's (hostname included);
    CMAPI's own self-signed certificates then fail the check, and nothing changes."""
    signed = cs_sim(tls="ca")
    r = rest_mcsctl("--cmapi-ca-cert", signed.cmapi_ca, "columnstore", "status", hosts=[signed])
    assert r.rc == 0, r.err
    assert "ColumnStore primary: mcs1; MaxScale primary: mcs1 (they match)" in r.out
    r = rest_mcsctl("--cmapi-ca-cert", signed.cmapi_ca, "maintenance", "on", "mcs3", "--no-drain", hosts=[signed])
    assert r.rc == 0, r.err
    assert state_of(signed, "mcs3") == "Maintenance, Running"

    own = cs_sim()  # CMAPI's self-signed certificates: not signed by that CA
    r = rest_mcsctl("--cmapi-ca-cert", signed.cmapi_ca, "maintenance", "on", "mcs3", "--no-drain", hosts=[own])
    assert r.rc == 3 and "certificate" in r.err and len(r.err.strip().splitlines()) <= 2, r.err
    assert state_of(own, "mcs3") == "Slave, Running"
