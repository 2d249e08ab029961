"""`run`, `off --wait-healthy` and `rolling` wait for ColumnStore too (reference §7.2), end to end."""

from __future__ import annotations

from tests.cli.conftest import state_of

from .test_cs_e2e import control, cs_log, reboot

FAST = ("--cs-settle", "0.3", "--healthy-timeout", "60")


def test_run_with_a_reboot_waits_for_deactivation_reactivation_and_both_restarts(cs_sim, rest_mcsctl):
    sim = cs_sim()
    r = rest_mcsctl("maintenance", "run", "mcs3", "--no-drain", *FAST, "--", *reboot(sim), hosts=[sim])
    assert r.rc == 0, r.err
    assert "mcs3: waiting for ColumnStore:" in r.err
    assert "mcs3: ColumnStore is healthy (pids stable for 0.3s)" in r.err
    print(r.err)
    log = cs_log(sim)
    assert any(m.startswith("failover: deactivated 127.0.0.13") for m in log)
    assert any(m.startswith("failover: activated 127.0.0.13") for m in log)
    assert "Maintenance" not in state_of(sim, "mcs3")
    doc = rest_mcsctl("cs", "status", "--format", "json", hosts=[sim]).json()
    assert doc["problems"] == [] and all(n["active"] for n in doc["nodes"])
    assert doc["config_revision"] >= 3  # deactivation and reactivation each pushed a config


def test_run_with_a_process_that_does_not_come_back_is_exit_6_naming_it(cs_sim, rest_mcsctl):
    sim = cs_sim()
    stop = control(sim, "columnstore/{server}/processes", {"stop": ["PrimProc"]})
    r = rest_mcsctl(
        "maintenance",
        "run",
        "mcs3",
        "--no-drain",
        "--cs-settle",
        "0.3",
        "--healthy-timeout",
        "2",
        "--",
        *stop,
        hosts=[sim],
    )
    assert r.rc == 6, r.err
    assert "ColumnStore not healthy within 2s (PrimProc not running on mcs3); it stays in maintenance" in r.err
    assert "Maintenance" in state_of(sim, "mcs3")


def test_run_with_a_reboot_where_a_process_never_starts_again_is_exit_6_naming_it(cs_sim, rest_mcsctl):
    sim = cs_sim()
    sim.control("POST", "/sim/columnstore/mcs3/processes", {"break": ["PrimProc"]})
    r = rest_mcsctl(
        "maintenance",
        "run",
        "mcs3",
        "--no-drain",
        "--cs-settle",
        "0.3",
        "--healthy-timeout",
        "20",
        "--",
        *reboot(sim),
        hosts=[sim],
    )
    assert r.rc == 6, r.err
    assert "(PrimProc not running on mcs3); it stays in maintenance" in r.err
    assert any(m.startswith("failover: activated 127.0.0.13") for m in cs_log(sim))  # it was reactivated
    assert "Maintenance" in state_of(sim, "mcs3")


def test_off_wait_healthy_checks_columnstore(cs_sim, rest_mcsctl):
    sim = cs_sim()
    assert rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[sim]).rc == 0
    sim.control("POST", "/sim/columnstore/mcs3/processes", {"stop": ["WriteEngineServer"]})
    r = rest_mcsctl("maintenance", "off", "mcs3", "--wait-healthy", "--healthy-timeout", "1", hosts=[sim])
    assert r.rc == 6
    assert "WriteEngineServer not running on mcs3" in r.err
    sim.control("POST", "/sim/columnstore/mcs3/processes", {"start": ["WriteEngineServer"]})
    r = rest_mcsctl("maintenance", "off", "mcs3", "--wait-healthy", "--cs-settle", "0.2", hosts=[sim])
    assert r.rc == 0, r.err


def test_failover_off_says_columnstore_will_not_start_and_columnstore_start_starts_it(cs_sim, rest_mcsctl):
    sim = cs_sim(failover=False)
    args = ("--no-cmapi-failover", "maintenance", "run", "mcs3", "--no-drain", "--cs-settle", "0.3")
    r = rest_mcsctl(*args, "--healthy-timeout", "10", "--", *reboot(sim), hosts=[sim])
    assert r.rc == 6, r.err
    assert "ColumnStore is stopped and will not start by itself (CMAPI failover off)" in r.err
    assert "--columnstore-start" in r.err
    assert rest_mcsctl("maintenance", "off", "mcs3", hosts=[sim]).rc == 0
    r = rest_mcsctl(*args, "--healthy-timeout", "60", "--columnstore-start", "--", *reboot(sim), hosts=[sim])
    assert r.rc == 0, r.err
    assert "starting it (node/start)" in r.err
    assert "Maintenance" not in state_of(sim, "mcs3")


def test_rolling_over_three_nodes_with_reboots_puts_the_columnstore_primary_last(cs_sim, rest_mcsctl):
    sim = cs_sim()
    r = rest_mcsctl("rolling", "--yes", "--cs-settle", "0.3", "--", *reboot(sim), hosts=[sim])
    assert r.rc == 4  # the ColumnStore primary mcs1 is in the roll: refused up front
    assert "mcs1 is the ColumnStore primary" in r.err
    assert all("Maintenance" not in state_of(sim, n) for n in ("mcs1", "mcs2", "mcs3"))
    r = rest_mcsctl(
        "rolling", "--yes", "--allow-columnstore-primary", "--cs-settle", "0.3", "--", *reboot(sim), hosts=[sim]
    )
    assert r.rc == 0, r.err
    order = [line.split()[1] for line in r.out.splitlines()[1:4]]
    assert order == ["mcs2", "mcs3", "mcs1"]
    assert "rolled 3 node(s); the primary is now" in r.out + r.err
    assert "the ColumnStore primary is" in r.out + r.err
    doc = rest_mcsctl("cs", "status", "--format", "json", hosts=[sim]).json()
    assert doc["problems"] == [] and doc["primaries_match"] is True


def test_rolling_over_five_nodes(cs_sim, rest_mcsctl):
    sim = cs_sim(n=5)
    r = rest_mcsctl("rolling", "--yes", "--allow-columnstore-primary", "--cs-settle", "0.2", "--", "true", hosts=[sim])
    assert r.rc == 0, r.err
    assert r.err.count("ColumnStore is healthy") == 5
    assert "the ColumnStore primary is" in r.out + r.err


def test_two_node_cluster_comes_back_from_standby(cs_sim, rest_mcsctl):
    sim = cs_sim(n=2)
    r = rest_mcsctl("maintenance", "run", "mcs2", "--no-drain", *FAST, "--", *reboot(sim), hosts=[sim])
    assert r.rc == 0, r.err
    assert "survivor mcs1 enters standby" in r.err
    assert "mcs2: ColumnStore is healthy" in r.err
    assert any("standby" in m for m in cs_log(sim))


def test_the_cmapi_key_never_reaches_command_nor_the_output(cs_sim, rest_mcsctl, tmp_path):
    import json
    import sys

    sim = cs_sim()
    dump = tmp_path / "env.json"
    code = f"import json, os; open({str(dump)!r}, 'w').write(json.dumps(dict(os.environ)))"
    env = {"MCSCTL_CMAPI_KEY": sim.cmapi_key}
    r = rest_mcsctl(
        "-v",
        "maintenance",
        "run",
        "mcs3",
        "--no-drain",
        "--cs-settle",
        "0.2",
        "--",
        sys.executable,
        "-c",
        code,
        hosts=[sim],
        env=env,
    )
    assert r.rc == 0, r.err
    seen = json.loads(dump.read_text())
    assert "MCSCTL_CMAPI_KEY" not in seen and sim.cmapi_key not in seen.values()
    assert sim.cmapi_key not in r.out + r.err


def test_allow_unhealthy_does_not_wait_for_a_node_that_was_already_out(cs_sim, rest_mcsctl):
    sim = cs_sim(failover=False)
    sim.control("POST", "/sim/columnstore/mcs2/host", {"up": False})
    args = ("--no-cmapi-failover", "maintenance", "run", "mcs3", "--no-drain", "--cs-settle", "0.2")
    r = rest_mcsctl(*args, "--", "true", hosts=[sim])
    assert r.rc == 4 and "mcs2: CMAPI does not answer" in r.err
    r = rest_mcsctl(*args, "--allow-unhealthy", "--healthy-timeout", "20", "--", "true", hosts=[sim])
    assert r.rc == 0, r.err
    assert "mcs3: ColumnStore is healthy" in r.err


def test_off_columnstore_options_need_wait_healthy(cs_sim, rest_mcsctl):
    sim = cs_sim()
    r = rest_mcsctl("maintenance", "off", "mcs3", "--cs-settle", "1", hosts=[sim])
    assert r.rc == 2 and "--columnstore-start and --cs-settle go with --wait-healthy" in r.err


def test_run_on_the_primary_with_a_switchover_moves_the_columnstore_primary_at_deactivation(cs_sim, rest_mcsctl):
    sim = cs_sim()
    args = ("maintenance", "run", "mcs1", "--switchover", "--yes", "--no-drain", *FAST)
    r = rest_mcsctl(*args, "--", *reboot(sim), hosts=[sim])
    assert r.rc == 4 and "mcs1 is the ColumnStore primary" in r.err
    assert state_of(sim, "mcs1") == "Master, Running"
    r = rest_mcsctl(*args, "--allow-columnstore-primary", "--", *reboot(sim), hosts=[sim])
    assert r.rc == 0, r.err
    doc = rest_mcsctl("cs", "status", "--format", "json", hosts=[sim]).json()
    assert doc["columnstore_primary"] == doc["maxscale_primary"] != "mcs1"
    assert doc["problems"] == []
