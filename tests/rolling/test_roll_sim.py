"""`mcsctl rolling` end to end: the real entry point as a subprocess against the simulator (REST backend)."""

from __future__ import annotations

import json
import threading
import time

from .conftest import journal, restart_cmd, states


def test_full_roll_three_nodes(fast_sim, mcsctl):
    sim = fast_sim(3)
    r = mcsctl(sim, "rolling", "--yes", "--catchup-timeout", "20", "--format", "json", *restart_cmd(sim))
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(x["node"], x["role"], x["result"], x["exit"]) for x in rows] == [
        ("mcs2", "replica", "done", 0),
        ("mcs3", "replica", "done", 0),
        ("mcs1", "primary", "done", 0),
    ]
    # The primary stays on the node it was switched over to (documented).
    assert states(sim) == {"mcs1": "Slave, Running", "mcs2": "Master, Running", "mcs3": "Slave, Running"}
    assert "node 1/3: mcs2: running" in r.stderr
    assert "Maintenance, Down" in r.stderr  # the monitor saw each restart
    assert "the primary is now mcs2" in r.stderr
    acts = [(x["action"], x["server"], x["outcome"]) for x in journal(mcsctl.journal)]
    assert acts[0][0] == "rolling-start" and acts[-1] == ("rolling-end", None, "ok")
    assert [a[1] for a in acts if a[0] == "rolling-node"] == ["mcs2", "mcs3", "mcs1"]
    assert [a[1] for a in acts if a[0] == "on"] == [a[1] for a in acts if a[0] == "off"] == ["mcs2", "mcs3", "mcs1"]


def test_full_roll_five_nodes_table(fast_sim, mcsctl):
    sim = fast_sim(5)
    r = mcsctl(sim, "rolling", "--yes", "--catchup-timeout", "20", *restart_cmd(sim))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:4] == ["Order", "Node", "Role", "Result"]
    assert [ln.split()[:4] for ln in lines[1:]] == [
        ["1/5", "mcs2", "replica", "done"],
        ["2/5", "mcs3", "replica", "done"],
        ["3/5", "mcs4", "replica", "done"],
        ["4/5", "mcs5", "replica", "done"],
        ["5/5", "mcs1", "primary", "done"],
    ]
    final = states(sim)
    assert final.pop("mcs2") == "Master, Running"
    assert set(final.values()) == {"Slave, Running"}


def test_failing_command_on_second_node_then_resume(fast_sim, mcsctl):
    sim = fast_sim(3)
    r = mcsctl(sim, "rolling", "--yes", "--catchup-timeout", "20", *restart_cmd(sim, 0.3, "--fail-on", "mcs3:3"))
    assert r.returncode == 3, r.stderr
    assert states(sim) == {"mcs1": "Master, Running", "mcs2": "Slave, Running", "mcs3": "Maintenance, Running"}
    assert [ln.split()[1:4] for ln in r.stdout.splitlines()[1:]] == [
        ["mcs2", "replica", "done"],
        ["mcs3", "replica", "failed"],
        ["mcs1", "primary", "left"],
    ]
    assert "done mcs2; failed mcs3 during command (left in maintenance); left mcs1" in r.stderr
    assert "mcsctl: error: mcs3: command exited with status 3" in r.stderr
    assert "hint: fix mcs3, then: mcsctl rolling --resume --" in r.stderr

    # Without --resume a new roll refuses: mcs3 is in maintenance.
    r = mcsctl(sim, "rolling", *restart_cmd(sim))
    assert r.returncode == 4, r.stderr

    # The roll started with another command line: going on with this one needs --yes.
    r = mcsctl(sim, "rolling", "--resume", "--catchup-timeout", "20", *restart_cmd(sim))
    assert r.returncode == 4 and "the roll started with" in r.stderr
    r = mcsctl(sim, "rolling", "--resume", "--yes", "--catchup-timeout", "20", *restart_cmd(sim))
    assert r.returncode == 0, r.stderr
    assert [ln.split()[1:4] for ln in r.stdout.splitlines()[1:]] == [
        ["mcs2", "replica", "done"],
        ["mcs3", "replica", "done"],
        ["mcs1", "primary", "done"],
    ]
    assert "done before" in r.stdout
    assert states(sim) == {"mcs1": "Slave, Running", "mcs2": "Master, Running", "mcs3": "Slave, Running"}

    r = mcsctl(sim, "rolling", "--resume", *restart_cmd(sim))
    assert r.returncode == 1 and "nothing to resume" in r.stderr


def test_node_that_never_comes_back_times_out(fast_sim, mcsctl):
    sim = fast_sim(3)
    r = mcsctl(sim, "rolling", "--yes", "--catchup-timeout", "1.5", *restart_cmd(sim, 3600))
    assert r.returncode == 6, r.stderr
    assert "mcs2: not Running and caught up within 1.5s" in r.stderr
    assert states(sim) == {"mcs1": "Master, Running", "mcs2": "Maintenance, Down", "mcs3": "Slave, Running"}
    assert [ln.split()[1:4] for ln in r.stdout.splitlines()[1:]] == [
        ["mcs2", "replica", "timeout"],
        ["mcs3", "replica", "left"],
        ["mcs1", "primary", "left"],
    ]


def test_dry_run_plans_every_call(fast_sim, mcsctl):
    sim = fast_sim(3)
    r = mcsctl(
        sim,
        "rolling",
        "--dry-run",
        "--drain-timeout",
        "30",
        "--catchup-timeout",
        "90",
        "--",
        "ssh",
        "{address}",
        "restart",
        "{server}:{port}",
    )
    assert r.returncode == 0, r.stderr
    base = f"http://{sim.host}/v1"
    out = r.stdout.splitlines()

    def node(i, name, port):
        return [
            f"# set {name} draining on every MaxScale",
            f"PUT {base}/servers/{name}/set?state=drain",
            f"# wait until {name} is Drained on every MaxScale (up to 30s; then --on-timeout fail)",
            f"# set {name} in maintenance on every MaxScale",
            f"PUT {base}/servers/{name}/set?state=maintenance",
            f"# clear the drain flag of {name}",
            f"PUT {base}/servers/{name}/clear?state=drain",
            f"# confirm: every MaxScale lists {name} as Maintenance (up to 5s)",
            f"# run: ssh 127.0.0.1 restart {name}:{port}",
            f"# wait until every MaxScale shows {name} Running with its GTID caught up with the primary's (up to 90s)",
            f"# clear maintenance of {name} on every MaxScale",
            f"PUT {base}/servers/{name}/clear?state=maintenance",
            f"# clear any drain flag of {name}",
            f"PUT {base}/servers/{name}/clear?state=drain",
            f"# confirm: no MaxScale lists {name} as Maintenance (up to 5s)",
            f"# wait until every MaxScale shows {name} as Slave, Running and caught up",
        ]

    expected = (
        ["# rolling maintenance over 3 node(s), one at a time: mcs2, mcs3, mcs1", "# node 1/3: mcs2 (replica)"]
        + node(1, "mcs2", 3312)
        + ["# node 2/3: mcs3 (replica)"]
        + node(2, "mcs3", 3313)
        + [
            "# node 3/3: mcs1 (primary)",
            "# switch over from mcs1 to mcs2 (monitor MariaDB-Monitor)",
            f"POST {base}/maxscale/modules/mariadbmon/switchover?MariaDB-Monitor&mcs2&mcs1",
            "# confirm: every MaxScale lists mcs2 as Master and mcs1 as not Master",
        ]
        + node(3, "mcs1", 3311)
        + ["# the primary stays where the switchover put it"]
    )
    assert out == expected
    assert states(sim) == {"mcs1": "Master, Running", "mcs2": "Slave, Running", "mcs3": "Slave, Running"}
    assert not mcsctl.journal.exists()


def test_open_transactions_on_the_primary_are_drained_before_its_turn(fast_sim, mcsctl):
    # Two sessions hold a transaction on the primary (connected to it only). At its turn the switchover
    # moves their primary connection to mcs2; the drain then waits for them to finish on mcs1.
    sim = fast_sim(3, sessions=[{"count": 2, "servers": ["mcs1"], "in_transaction": True}])
    seen, stop = [], threading.Event()

    def client():  # the application: finishes its transactions once mcs1 drains, then disconnects
        while not stop.is_set():
            _, st = sim.control("GET", "state")
            mcs1 = st["servers"]["mcs1"]["state"]
            seen.append(mcs1)
            if mcs1.startswith("Draining"):
                for sid in list(st["sessions"]):
                    status, out = sim.control("POST", f"sessions/{sid}/commit")
                    assert status == 200 and out["committed"] and not out["transaction_lost"], out
                    sim.control("DELETE", f"sessions/{sid}")
                return
            time.sleep(0.02)

    t = threading.Thread(target=client, daemon=True)
    t.start()
    try:
        r = mcsctl(sim, "rolling", "--yes", "--catchup-timeout", "20", "--drain-timeout", "20", *restart_cmd(sim))
    finally:
        stop.set()
        t.join(5)
    assert r.returncode == 0, r.stderr
    assert "Draining, Slave, Running" in seen  # mcs1 drained as a replica, after the switchover
    assert not any(s.startswith("Maintenance") for s in seen[: seen.index("Draining, Slave, Running")])
    _, st = sim.control("GET", "state")
    assert not any(e.get("transaction_lost") for e in st["events"])
    assert "node 3/3: mcs1 draining" in r.stderr or "node 3/3: mcs1: draining" in r.stderr


def test_two_maxscales_roll_and_agree(maxscale_sims, mcsctl):
    from .conftest import scenario

    a, b = maxscale_sims(2, scenario=scenario(3))
    a.cluster.catchup_seconds = 0.2
    r = mcsctl(a, "-H", f"{a.host},{b.host}", "rolling", "--yes", "--catchup-timeout", "20", *restart_cmd(a))
    assert r.returncode == 0, r.stderr
    want = {"mcs1": "Slave, Running", "mcs2": "Master, Running", "mcs3": "Slave, Running"}
    assert states(a) == states(b) == want
    start = journal(mcsctl.journal)[0]
    assert start["action"] == "rolling-start" and sorted(start["hosts"]) == sorted([a.host, b.host])


def test_sigint_during_the_command_stops_the_roll(fast_sim, mcsctl, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    sim = fast_sim(3)
    flag = tmp_path / "started"
    sleeper = f"import pathlib,time; pathlib.Path({str(flag)!r}).write_text('x'); time.sleep(60)"
    env = dict(os.environ, MCSCTL_JOURNAL=str(mcsctl.journal), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    argv = [
        sys.executable,
        "-m",
        "mcsctl",
        "--backend",
        "rest",
        "-H",
        sim.host,
        "--poll-interval",
        "0.05",
        "rolling",
        "--yes",
        "--",
        sys.executable,
        "-c",
        sleeper,
    ]
    p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(400):  # until the command runs on mcs2 (at most ~20 s)
            if flag.exists() or p.poll() is not None:
                break
            time.sleep(0.05)
        assert flag.exists(), p.communicate(timeout=5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130, err
    assert "interrupted by SIGINT" in err
    assert states(sim) == {"mcs1": "Master, Running", "mcs2": "Maintenance, Running", "mcs3": "Slave, Running"}
    assert [ln.split()[1:4] for ln in out.splitlines()[1:]] == [
        ["mcs2", "replica", "interrupted"],
        ["mcs3", "replica", "left"],
        ["mcs1", "primary", "left"],
    ]


def test_timeout_hint_names_the_exact_resume_command(fast_sim, mcsctl):
    sim = fast_sim(3)
    r = mcsctl(sim, "rolling", "--servers", "mcs3", "--catchup-timeout", "0.5", *restart_cmd(sim, 3600))
    assert r.returncode == 6, r.stderr
    assert "hint: fix mcs3, then: mcsctl rolling --resume -- " in r.stderr
    assert "'{server}' 3600" in r.stderr
