"""Safe maintenance end to end (issue 5): drain and deadlines, force, the primary, run, undo, journal."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import pytest

from .conftest import finish, state_of, wait_for

SESSIONS_ON_MCS3 = {"sessions": [{"count": 2, "servers": ["mcs1", "mcs3"], "user": "app", "remote": "10.0.0.7"}]}


def conns(sim, name):
    return sim.get_json(f"/v1/servers/{name}")["data"]["attributes"]["statistics"]["connections"]


def session_ids(sim):
    return [s["id"] for s in sim.get_json("/v1/sessions")["data"]]


def test_drain_completes_when_the_last_session_closes(rest_mcsctl, make_sim):
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    p = rest_mcsctl.start("maintenance", "on", "mcs3", "--drain-timeout", "20", hosts=[sim])
    wait_for(lambda: state_of(sim, "mcs3") == "Draining, Slave, Running", what="Draining")
    for sid in session_ids(sim):
        sim.control("DELETE", f"/sim/sessions/{sid}")
    r = finish(p)
    assert r.rc == 0, r.err
    assert state_of(sim, "mcs3") == "Maintenance, Running"
    assert rest_mcsctl("maintenance", "off", "mcs3", hosts=[sim]).rc == 0
    assert state_of(sim, "mcs3") == "Slave, Running"  # no drain flag left behind


def test_drain_timeout_fail_names_the_sessions_and_changes_nothing(rest_mcsctl, make_sim):
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    r = rest_mcsctl("maintenance", "on", "mcs3", "--drain-timeout", "0.3", hosts=[sim])
    assert r.rc == 6, r.err
    assert "did not drain in 0.3s: 2 connection(s) left" in r.err
    assert "app@10.0.0.7" in r.err and "drain cleared, nothing was changed" in r.err
    assert state_of(sim, "mcs3") == "Slave, Running"


def test_drain_timeout_force_cuts_connections_with_yes(rest_mcsctl, make_sim):
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    r = rest_mcsctl("maintenance", "on", "mcs3", "--drain-timeout", "0.3", "--on-timeout", "force", hosts=[sim])
    assert r.rc == 4 and "--yes" in r.err  # no terminal to ask on
    assert state_of(sim, "mcs3") == "Slave, Running"
    r = rest_mcsctl(
        "maintenance",
        "on",
        "mcs3",
        "--drain-timeout",
        "0.3",
        "--on-timeout",
        "force",
        "--yes",
        "--format",
        "json",
        hosts=[sim],
    )
    assert r.rc == 0, r.err
    assert "FORCING maintenance, cutting 2 connection(s)" in r.err
    assert json.loads(r.out)["connections_cut"] == 2
    assert state_of(sim, "mcs3") == "Maintenance, Running" and conns(sim, "mcs3") == 0


def test_drain_timeout_proceed_leaves_connections_to_close_later(rest_mcsctl, make_sim):
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    r = rest_mcsctl("maintenance", "on", "mcs3", "--drain-timeout", "0.3", "--on-timeout", "proceed", hosts=[sim])
    assert r.rc == 0, r.err
    assert "close at their next request" in r.err
    assert state_of(sim, "mcs3") == "Maintenance, Running" and conns(sim, "mcs3") == 2
    sid = session_ids(sim)[0]
    status, body = sim.control("POST", f"/sim/sessions/{sid}/read")
    assert status == 200 and "mcs3" not in body["connections"]  # the stale connection closed on its request


def test_force_with_open_transactions(rest_mcsctl, make_sim):
    scenario = {"sessions": [{"count": 1, "servers": ["mcs1", "mcs3"], "in_transaction": True}]}
    sim = make_sim(scenario=scenario)
    r = rest_mcsctl("maintenance", "on", "mcs3", "--force", "--yes", hosts=[sim])
    assert r.rc == 0, r.err
    assert "cutting 1 connection(s)" in r.err
    assert state_of(sim, "mcs3") == "Maintenance, Running" and conns(sim, "mcs3") == 0
    sid = session_ids(sim)[0]
    status, body = sim.control("POST", f"/sim/sessions/{sid}/commit")
    assert status == 200 and body["committed"] is True  # a replica connection was cut; the primary kept it


def test_legacy_primary_waits_for_its_open_transaction(rest_mcsctl, make_sim):
    scenario = {"profile": "legacy", "sessions": [{"count": 1, "servers": ["mcs1", "mcs2"], "in_transaction": True}]}
    sim = make_sim(scenario=scenario)
    p = rest_mcsctl.start("maintenance", "on", "mcs1", "--allow-primary", "--drain-timeout", "20", hosts=[sim])
    wait_for(lambda: state_of(sim, "mcs1") == "Maintenance, Running", what="maintenance on the primary")
    time.sleep(0.2)
    assert p.poll() is None  # still waiting for the transaction
    sid = session_ids(sim)[0]
    status, body = sim.control("POST", f"/sim/sessions/{sid}/commit")
    assert status == 200 and body["committed"] is True and not body["transaction_lost"]
    r = finish(p)
    assert r.rc == 0, r.err
    assert "waiting for its open transactions" in r.err
    assert conns(sim, "mcs1") == 0


def test_switchover_then_maintenance_on_the_old_primary(rest_mcsctl, maxscale_sims):
    a, b = maxscale_sims(2)
    r = rest_mcsctl(
        "maintenance", "on", "mcs1", "--switchover", "--to", "mcs3", "--yes", "--format", "json", hosts=[a, b]
    )
    assert r.rc == 0, r.err
    assert {s["maxscale"]: s["state"] for s in json.loads(r.out)["final"]} == {
        a.host: "Maintenance, Running",
        b.host: "Maintenance, Running",
    }
    assert state_of(a, "mcs3") == state_of(b, "mcs3") == "Master, Running"


def test_switchover_command_and_its_refusals(rest_mcsctl, maxscale_sim):
    r = rest_mcsctl("switchover", "--to", "mcs2", "--yes", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs2") == "Master, Running"
    assert state_of(maxscale_sim, "mcs1") == "Slave, Running"
    assert rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[maxscale_sim]).rc == 0
    r = rest_mcsctl("switchover", "--to", "mcs3", "--yes", hosts=[maxscale_sim])
    assert r.rc == 4 and "cannot become the primary" in r.err


def test_last_server_guard(rest_mcsctl, make_sim):
    sim = make_sim(
        scenario={
            "servers": [
                {"name": "mcs1", "role": "master", "running": False},
                {"name": "mcs2", "role": "slave", "maintenance": True},
                {"name": "mcs3", "role": "slave"},
            ]
        }
    )
    r = rest_mcsctl("maintenance", "on", "mcs3", hosts=[sim])
    assert r.rc == 4 and "last server that can take traffic" in r.err
    assert state_of(sim, "mcs3") == "Slave, Running"


def test_second_maxscale_fails_first_is_undone(rest_mcsctl, maxscale_sims):
    a, b = maxscale_sims(2)
    detail = "Cannot start configuration change: Configuration conflict detected"
    b.control("POST", "/sim/faults", {"path": "/v1/servers/mcs3/set", "status": 400, "detail": detail})
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[a, b])
    assert r.rc == 1, r.err
    assert detail in r.err and f"undone on {a.host}" in r.err
    assert state_of(a, "mcs3") == state_of(b, "mcs3") == "Slave, Running"


def test_undo_that_fails_too_is_partial(rest_mcsctl, maxscale_sims):
    a, b = maxscale_sims(2)
    b.control("POST", "/sim/faults", {"path": "/v1/servers/mcs3/set", "status": 400, "detail": "conflict"})
    a.control(
        "POST", "/sim/faults", {"path": "/v1/servers/mcs3/clear", "status": 503, "detail": "shutting down", "count": 5}
    )
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[a, b])
    assert r.rc == 5, r.err
    assert f"{a.host}: still changed" in r.err
    assert state_of(a, "mcs3") == "Maintenance, Running" and state_of(b, "mcs3") == "Slave, Running"


# ------------------------------------------------------------------ maintenance run


def probe_command(sim, marker):
    """A COMMAND that records the server's state while it runs; argv only, no shell."""
    code = (
        "import sys, json, base64, urllib.request;"
        "req = urllib.request.Request(sys.argv[1] + '/v1/servers/' + sys.argv[2]);"
        "req.add_header('Authorization', 'Basic ' + base64.b64encode(b'admin:mariadb').decode());"
        "state = json.load(urllib.request.urlopen(req))['data']['attributes']['state'];"
        "open(sys.argv[3], 'w').write(state + ' ' + sys.argv[4]);"
        "sys.exit(int(sys.argv[5]))"
    )
    return lambda rc: [sys.executable, "-c", code, sim.url, "{server}", str(marker), "{address}:{port}", str(rc)]


FAST_MONITOR = {
    "monitors": [{"name": "MariaDB-Monitor", "module": "mariadbmon", "state": "Running", "monitor_interval": 100}]
}


@pytest.fixture
def fast_sim(make_sim):
    """The default topology with a 100 ms monitor: `run` waits for two fresh ticks before it leaves."""
    return make_sim(scenario=FAST_MONITOR)


def test_run_success_leaves_maintenance(rest_mcsctl, fast_sim, tmp_path):
    maxscale_sim = fast_sim
    marker = tmp_path / "seen"
    cmd = probe_command(maxscale_sim, marker)(0)
    r = rest_mcsctl("maintenance", "run", "mcs3", "--reason", "patch", "--", *cmd, hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    assert marker.read_text() == "Maintenance, Running 127.0.0.1:3313"
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"
    assert "Slave, Running" in r.out


def test_run_failure_keeps_maintenance_and_exits_with_its_status(rest_mcsctl, maxscale_sim, tmp_path, cli_env):
    cmd = probe_command(maxscale_sim, tmp_path / "seen")(3)
    r = rest_mcsctl("maintenance", "run", "mcs3", "--", *cmd, hosts=[maxscale_sim])
    assert r.rc == 3
    assert "command failed with exit status 3" in r.err and "stays in maintenance" in r.err
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    assert "Maintenance, Running" in r.out  # the final state is printed
    records = [json.loads(line) for line in Path(cli_env["MCSCTL_JOURNAL"]).read_text().splitlines()]
    assert [(x["action"], x["outcome"]) for x in records if x["action"] != "intent"] == [
        ("run-start", "ok"),
        ("run-end", "failed"),
    ]
    r = rest_mcsctl("maintenance", "status", "--format", "json", hosts=[maxscale_sim])
    assert json.loads(r.out)[0]["source"] == "mcsctl"


def test_run_failure_with_always_clear(rest_mcsctl, fast_sim, tmp_path):
    maxscale_sim = fast_sim
    cmd = probe_command(maxscale_sim, tmp_path / "seen")(7)
    r = rest_mcsctl("maintenance", "run", "mcs3", "--always-clear", "--", *cmd, hosts=[maxscale_sim])
    assert r.rc == 7
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_run_interrupted(rest_mcsctl, maxscale_sim, tmp_path, sig):
    started, got = tmp_path / "started", tmp_path / "got"
    code = (
        "import signal, sys, time, pathlib;"
        f"signal.signal(signal.SIGINT, lambda *a: (pathlib.Path({str(got)!r}).write_text('INT'), sys.exit(130)));"
        f"signal.signal(signal.SIGTERM, lambda *a: (pathlib.Path({str(got)!r}).write_text('TERM'), sys.exit(143)));"
        f"signal.signal(signal.SIGHUP, lambda *a: (pathlib.Path({str(got)!r}).write_text('HUP'), sys.exit(129)));"
        f"pathlib.Path({str(started)!r}).write_text('1'); time.sleep(30)"
    )
    p = rest_mcsctl.start("maintenance", "run", "mcs3", "--", sys.executable, "-c", code, hosts=[maxscale_sim])
    wait_for(started.exists, what="the command to start")
    p.send_signal(sig)
    r = finish(p)
    assert r.rc == 130, r.err
    assert got.read_text() == sig.name[3:]  # the command got the signal first
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"  # no drain flag, kept in maintenance
    assert "Maintenance, Running" in r.out


def test_run_placeholders_and_dry_run(rest_mcsctl, maxscale_sim):
    r = rest_mcsctl(
        "maintenance",
        "run",
        "mcs3",
        "--dry-run",
        "--",
        "ssh",
        "{address}",
        "restart {server}:{port}",
        hosts=[maxscale_sim],
    )
    assert r.rc == 0, r.err
    assert "# run: ssh 127.0.0.1 'restart mcs3:3313'" in r.out.splitlines()
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"


# ------------------------------------------------------------------ journal: status and reap


def test_status_reports_maintenance_set_outside_mcsctl(rest_mcsctl, maxscale_sim):
    status, _, _ = maxscale_sim.api("PUT", "/v1/servers/mcs2/set?state=maintenance")
    assert status == 204
    r = rest_mcsctl("maintenance", "status", "--format", "json", hosts=[maxscale_sim])
    rows = json.loads(r.out)
    assert [(x["server"], x["source"]) for x in rows] == [("mcs2", "outside mcsctl")]


def test_reap_clears_only_the_expired(rest_mcsctl, maxscale_sim, cli_env):
    now = time.time()
    with open(cli_env["MCSCTL_JOURNAL"], "w") as f:
        for server, expires in (("mcs2", now - 60), ("mcs3", now + 3600)):
            f.write(
                json.dumps(
                    {
                        "time": now - 120,
                        "action": "on",
                        "server": server,
                        "hosts": [maxscale_sim.host],
                        "user": "ops@bastion",
                        "reason": "patch",
                        "expires": expires,
                        "outcome": "ok",
                        "extra": {},
                    }
                )
                + "\n"
            )
            maxscale_sim.api("PUT", f"/v1/servers/{server}/set?state=maintenance")
    r = rest_mcsctl("maintenance", "status", "--format", "json", hosts=[maxscale_sim])
    assert {x["server"]: x["overdue"] for x in json.loads(r.out)} == {"mcs2": True, "mcs3": False}
    r = rest_mcsctl("maintenance", "reap", "--dry-run", hosts=[maxscale_sim])
    assert r.rc == 0 and "/v1/servers/mcs2/clear?state=maintenance" in r.out
    assert state_of(maxscale_sim, "mcs2") == "Maintenance, Running"
    r = rest_mcsctl("maintenance", "reap", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    assert "mcs2: maintenance expired" in r.err
    assert state_of(maxscale_sim, "mcs2") == "Slave, Running"
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    r = rest_mcsctl("maintenance", "reap", hosts=[maxscale_sim])
    assert r.rc == 0 and "no expired maintenance" in r.err


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["terminal", "background-job"])
def test_interrupted_drain_cleans_up_and_prints_the_final_state(rest_mcsctl, make_sim, sigint_ignored):
    """Also when started as a background job of a script, which inherits SIGINT ignored."""
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    p = rest_mcsctl.start(
        "maintenance", "on", "mcs3", "--drain-timeout", "30", hosts=[sim], ignore_sigint=sigint_ignored
    )
    wait_for(lambda: state_of(sim, "mcs3") == "Draining, Slave, Running", what="Draining")
    p.send_signal(signal.SIGINT)
    r = finish(p)
    assert r.rc == 130, r.err
    assert "mcs3: interrupted" in r.err and "nothing was changed" in r.err
    assert state_of(sim, "mcs3") == "Slave, Running"
    assert "Slave, Running" in r.out  # the last word: the state each MaxScale shows


@pytest.mark.parametrize("program", ["/nonexistent/cmd", "/nonexistent/{server}", "/nonexistent/{address}:{port}"])
def test_run_with_a_missing_command_changes_nothing(rest_mcsctl, maxscale_sim, program):
    """Also when the program's path holds a placeholder: it is checked as it will run, before any change."""
    r = rest_mcsctl("maintenance", "run", "mcs3", "--", program, hosts=[maxscale_sim])
    assert r.rc == 127 and "nothing was changed" in r.err, r.err
    shown = program.replace("{server}", "mcs3").replace("{address}", "127.0.0.1").replace("{port}", "3313")
    assert f"command not found: {shown};" in r.err
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"


def test_status_still_answers_when_one_maxscale_is_down(rest_mcsctl, maxscale_sim):
    from tests.ports import closed_port

    dead = f"127.0.0.1:{closed_port()}"
    assert rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[maxscale_sim]).rc == 0
    r = rest_mcsctl("maintenance", "status", "--format", "json", hosts=[maxscale_sim, dead])
    assert r.rc == 5, r.err  # partial: the output shows the MaxScale that answered
    assert f"warning: {dead}: cannot connect" in r.err
    assert f"mcsctl: error: 1 of 2 MaxScales did not answer ({dead})" in r.err
    assert [(x["server"], x["hosts"]) for x in json.loads(r.out)] == [("mcs3", [maxscale_sim.host])]
    r = rest_mcsctl("maintenance", "status", hosts=[dead])
    assert r.rc == 3


def test_run_waits_for_the_node_to_come_back_before_leaving(rest_mcsctl, fast_sim):
    """The command restarts the node and returns at once: maintenance ends only once it runs again."""
    code = (
        "import sys, json, urllib.request;"
        "req = urllib.request.Request(sys.argv[1] + '/sim/servers/' + sys.argv[2] + '/restart', method='POST',"
        " data=json.dumps({'seconds': 1.0}).encode(), headers={'Content-Type': 'application/json'});"
        "urllib.request.urlopen(req)"
    )
    r = rest_mcsctl(
        "maintenance",
        "run",
        "mcs3",
        "--no-drain",
        "--",
        sys.executable,
        "-c",
        code,
        fast_sim.url,
        "{server}",
        hosts=[fast_sim],
    )
    assert r.rc == 0, r.err
    # it saw mcs3 Down and waited, rather than leaving on the stale view from before the restart
    assert "mcs3 coming back... " in r.err and "Down" in r.err
    assert r.err.index("Down") < r.err.index("mcs3 is out of maintenance")
    assert state_of(fast_sim, "mcs3") == "Slave, Running"


def test_run_interrupted_while_waiting_for_the_node_keeps_it_in_maintenance(rest_mcsctl, fast_sim, cli_env):
    """COMMAND took the node down and returned; Ctrl-C while mcsctl waits for it: stays in maintenance, says so."""
    code = (
        "import sys, urllib.request;"
        "urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/sim/servers/mcs3/down', method='POST'))"
    )
    p = rest_mcsctl.start(
        "maintenance", "run", "mcs3", "--no-drain", "--", sys.executable, "-c", code, fast_sim.url, hosts=[fast_sim]
    )
    wait_for(lambda: state_of(fast_sim, "mcs3") == "Maintenance, Down", what="mcs3 down")
    time.sleep(0.3)  # mcsctl is now waiting for mcs3 to come back
    p.send_signal(signal.SIGINT)
    r = finish(p)
    assert r.rc == 130, r.err
    assert "interrupted while waiting for it to come back; mcs3 stays in maintenance" in r.err
    assert "Maintenance, Down" in r.out  # the final state
    records = [json.loads(line) for line in Path(cli_env["MCSCTL_JOURNAL"]).read_text().splitlines()]
    assert [(x["action"], x["outcome"]) for x in records if x["action"] != "intent"][-1] == ("run-end", "interrupted")
