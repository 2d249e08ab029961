"""Hardening, the journal slice: an unwritable journal changes nothing, intents survive kill -9, one
mcsctl per server (the lock, --takeover), a re-run of `on` keeps since/expiry, `extend`, status output."""

from __future__ import annotations

import json
import os
import signal
import sys
import time

import pytest

from .conftest import finish, state_of, wait_for

SESSIONS_ON_MCS3 = {"sessions": [{"count": 2, "servers": ["mcs1", "mcs3"], "user": "app", "remote": "10.0.0.7"}]}
FAST_MONITOR = {
    "monitors": [{"name": "MariaDB-Monitor", "module": "mariadbmon", "state": "Running", "monitor_interval": 100}]
}


def records(cli_env):
    with open(cli_env["MCSCTL_JOURNAL"]) as f:
        return [json.loads(line) for line in f if line.strip()]


def one_error_line(err: str) -> str:
    """The stderr of a refused command: one `mcsctl: error:` line (and maybe a hint), no traceback."""
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if not ln.startswith("hint: ")]
    assert len(lines) == 1 and lines[0].startswith("mcsctl: error: "), err
    return lines[0]


def wait_until_gone(pid: int) -> None:
    wait_for(lambda: not os.path.exists(f"/proc/{pid}"), what=f"pid {pid} gone")


# ------------------------------------------------------------------ item 2: a journal that cannot be written


@pytest.mark.parametrize("kind", ["directory", "parent is a file", "disk full"])
def test_unwritable_journal_changes_nothing_and_exits_3(mcsctl, make_sim, tmp_path, kind):
    sim = make_sim()
    if kind == "directory":
        path = tmp_path / "jdir"
        path.mkdir()
        reason = "Is a directory"
    elif kind == "parent is a file":
        (tmp_path / "afile").write_text("")
        path = tmp_path / "afile" / "journal.jsonl"
        reason = "Not a directory"
    else:
        path = "/dev/full"  # opens and locks fine; the first write (the intent record) fails
        reason = "No space left on device"
    bad = {"MCSCTL_JOURNAL": str(path)}
    r = mcsctl("maintenance", "on", "mcs3", "--drain-timeout", "5", hosts=[sim], env=bad)
    assert r.rc == 3, r.err
    line = one_error_line(r.err)
    assert str(path) in line and reason in line and "nothing was changed" in line
    assert "--no-journal" in r.err  # the hint: the explicit way to work without records
    assert state_of(sim, "mcs3") == "Slave, Running"  # no maintenance, no drain flag

    assert mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[sim]).rc == 0  # with a good journal
    r = mcsctl("maintenance", "off", "mcs3", hosts=[sim], env=bad)
    assert r.rc == 3 and str(path) in one_error_line(r.err)
    assert state_of(sim, "mcs3") == "Maintenance, Running"  # off changed nothing either


@pytest.mark.real_process  # two mcsctl processes at once: a background one holds the lock
def test_no_journal_works_without_records_and_keeps_the_lock(rest_mcsctl, make_sim, tmp_path, cli_env):
    sim = make_sim()
    jdir = tmp_path / "jdir"
    jdir.mkdir()
    env = {"MCSCTL_JOURNAL": str(jdir)}
    r = rest_mcsctl("--no-journal", "maintenance", "on", "mcs3", "--no-drain", hosts=[sim], env=env)
    assert r.rc == 0, r.err
    assert state_of(sim, "mcs3") == "Maintenance, Running"
    r = rest_mcsctl("maintenance", "off", "mcs3", hosts=[sim], env={**env, "MCSCTL_NO_JOURNAL": "1"})
    assert r.rc == 0, r.err
    assert state_of(sim, "mcs3") == "Slave, Running"
    # journal = false in the config: the same
    conf = tmp_path / "mcsctl.toml"
    conf.write_text("journal = false\n")
    r = rest_mcsctl("--config", str(conf), "maintenance", "on", "mcs3", "--no-drain", hosts=[sim], env=env)
    assert r.rc == 0, r.err
    assert list(jdir.iterdir()) == []
    # ... but the per-server lock still holds (it lives in the runtime directory)
    marker = tmp_path / "go"
    p = rest_mcsctl.start(
        "--no-journal", "maintenance", "run", "mcs2", "--no-drain", "--", *wait_for_file(marker), hosts=[sim]
    )
    try:
        wait_for(lambda: state_of(sim, "mcs2") == "Maintenance, Running", what="mcs2 in maintenance")
        r = rest_mcsctl("--no-journal", "maintenance", "off", "mcs2", hosts=[sim])
        assert r.rc == 4 and f"pid {p.pid}" in one_error_line(r.err)
    finally:
        marker.write_text("")
        finish(p)


def wait_for_file(marker) -> list[str]:
    """A COMMAND that returns 0 once `marker` exists."""
    code = "import os, sys, time\nwhile not os.path.exists(sys.argv[1]): time.sleep(0.05)"
    return [sys.executable, "-c", code, str(marker)]


# ------------------------------------------------------------------ item 3: kill -9 mid-change leaves a trace


@pytest.mark.real_process  # two mcsctl processes at once: a background one holds the lock
def test_kill_9_while_draining_shows_in_status_and_off_cleans_up(rest_mcsctl, make_sim, cli_env):
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    p = rest_mcsctl.start("maintenance", "on", "mcs3", "--drain-timeout", "30", "--reason", "disk", hosts=[sim])
    wait_for(lambda: state_of(sim, "mcs3") == "Draining, Slave, Running", what="Draining")
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=10)
    p.stdout.close(), p.stderr.close()

    r = rest_mcsctl("maintenance", "status", hosts=[sim])
    assert r.rc == 0, r.err
    row = next(ln for ln in r.out.splitlines() if ln.startswith("mcs3"))
    assert "draining" in row and f"on interrupted (pid {p.pid})" in row
    assert "mcsctl maintenance off mcs3" in r.err  # what to run
    (doc,) = json.loads(rest_mcsctl("maintenance", "status", "--format", "json", hosts=[sim]).out)
    assert doc["server"] == "mcs3" and doc["draining"] is True and doc["interrupted"] is True
    assert doc["in_maintenance"] is False and doc["unfinished"]["pid"] == p.pid

    r = rest_mcsctl("maintenance", "off", "mcs3", hosts=[sim])  # the dead holder's lock is free
    assert r.rc == 0, r.err
    assert state_of(sim, "mcs3") == "Slave, Running"  # the drain flag is gone
    assert f"closed the journal's unfinished `mcsctl maintenance on` (pid {p.pid} on " in r.err
    assert json.loads(rest_mcsctl("maintenance", "status", "--format", "json", hosts=[sim]).out) == []
    intents = [x for x in records(cli_env) if x["action"] == "intent"]
    first = intents[0]
    assert first["outcome"] == "started" and first["extra"]["pid"] == p.pid and first["extra"]["for"] == "on"
    assert first["server"] == "mcs3" and first["hosts"] == [sim.host] and first["extra"]["host"]
    assert any(x["outcome"] == "closed" and x["extra"]["id"] == first["extra"]["id"] for x in intents)


def test_an_intent_from_another_host_is_unfinished_not_interrupted(rest_mcsctl, make_sim, cli_env):
    sim = make_sim()
    rec = {
        "time": time.time() - 60,
        "action": "intent",
        "server": "mcs2",
        "hosts": [sim.host],
        "user": "bob@adm2",
        "outcome": "started",
        "extra": {"id": "abc", "for": "run", "pid": 4242, "host": "adm2.example", "command": "mcsctl ..."},
    }
    with open(cli_env["MCSCTL_JOURNAL"], "w") as f:
        f.write(json.dumps(rec) + "\n")
    (doc,) = json.loads(rest_mcsctl("maintenance", "status", "--format", "json", hosts=[sim]).out)
    assert doc["server"] == "mcs2" and doc["interrupted"] is False
    assert doc["unfinished"]["state"] == "unfinished" and doc["unfinished"]["host"] == "adm2.example"
    r = rest_mcsctl("maintenance", "status", hosts=[sim])
    assert "run unfinished (pid 4242 on adm2.example)" in r.out
    assert "if it is no longer running there" in r.err


# ------------------------------------------------------------------ item 6: two operators on one node


@pytest.mark.real_process  # two mcsctl processes at once: a background one holds the lock
def test_second_mcsctl_on_the_same_server_is_refused_then_takeover_and_run_says_so(
    rest_mcsctl, make_sim, tmp_path, cli_env
):
    sim = make_sim(scenario=FAST_MONITOR)
    marker = tmp_path / "go"
    p = rest_mcsctl.start(
        "maintenance", "run", "mcs3", "--no-drain", "--healthy-timeout", "30", "--", *wait_for_file(marker), hosts=[sim]
    )
    try:
        wait_for(lambda: state_of(sim, "mcs3") == "Maintenance, Running", what="mcs3 in maintenance")
        r = rest_mcsctl("maintenance", "off", "mcs3", hosts=[sim])
        assert r.rc == 4, r.err
        line = one_error_line(r.err)
        assert f"pid {p.pid}" in line and "maintenance run mcs3" in line and "since" in line
        assert "--takeover" in r.err
        assert state_of(sim, "mcs3") == "Maintenance, Running"
        # another server is not locked
        assert rest_mcsctl("maintenance", "on", "mcs2", "--no-drain", hosts=[sim]).rc == 0

        r = rest_mcsctl("maintenance", "off", "mcs3", "--takeover", hosts=[sim])
        assert r.rc == 0, r.err
        assert f"taking over from pid {p.pid}" in r.err
        assert state_of(sim, "mcs3") == "Slave, Running"
        took = [x for x in records(cli_env) if x["action"] == "takeover"]
        assert took and took[-1]["server"] == "mcs3" and took[-1]["extra"]["holder"]["pid"] == p.pid
    finally:
        marker.write_text("")
        r = finish(p)
    assert r.rc == 1, r.err
    assert "mcs3 was taken out of maintenance outside this run" in r.err
    assert "took it over" in r.err and "stays in maintenance" not in r.err


@pytest.mark.real_process  # two mcsctl processes at once: a background one holds the lock
def test_lock_is_per_cluster(rest_mcsctl, make_sim, tmp_path):
    """The same server name in another cluster (other MaxScales) is another lock."""
    a, b = make_sim(), make_sim()
    marker = tmp_path / "go"
    p = rest_mcsctl.start("maintenance", "run", "mcs3", "--no-drain", "--", *wait_for_file(marker), hosts=[a])
    try:
        wait_for(lambda: state_of(a, "mcs3") == "Maintenance, Running", what="mcs3 in maintenance")
        assert rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", hosts=[b]).rc == 0
    finally:
        marker.write_text("")
        finish(p)


# ------------------------------------------------------------------ item 7: re-run of on, extend


def status_of(rest_mcsctl, sim, name="mcs3"):
    rows = json.loads(rest_mcsctl("maintenance", "status", name, "--format", "json", hosts=[sim]).out)
    return rows[0]


def test_rerun_of_on_keeps_since_and_expiry_and_a_new_duration_counts_from_now(rest_mcsctl, make_sim):
    sim = make_sim()
    assert (
        rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", "--reason", "a", "--expires", "2h", hosts=[sim]).rc == 0
    )
    first = status_of(rest_mcsctl, sim)
    time.sleep(0.05)
    r = rest_mcsctl("maintenance", "on", "mcs3", "--reason", "b", hosts=[sim])
    assert r.rc == 0, r.err
    row = status_of(rest_mcsctl, sim)
    assert row["reason"] == "b" and row["since"] == first["since"] and row["expires"] == first["expires"]
    before = time.time()
    assert rest_mcsctl("maintenance", "on", "mcs3", "--expires", "30m", hosts=[sim]).rc == 0
    row = status_of(rest_mcsctl, sim)
    assert row["since"] == first["since"] and row["reason"] == "b"
    assert before + 1800 <= row["expires"] <= time.time() + 1800
    assert row["overdue"] is False


def test_extend(rest_mcsctl, make_sim):
    sim = make_sim()
    r = rest_mcsctl("maintenance", "extend", "mcs3", "--expires", "1h", hosts=[sim])
    assert r.rc == 1 and "mcs3 is not in maintenance" in one_error_line(r.err)
    assert (
        rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", "--reason", "a", "--expires", "10m", hosts=[sim]).rc == 0
    )
    first = status_of(rest_mcsctl, sim)
    r = rest_mcsctl("maintenance", "extend", "mcs3", "--expires", "3h", "--dry-run", hosts=[sim])
    assert r.rc == 0 and "record in the journal" in r.out
    assert status_of(rest_mcsctl, sim)["expires"] == first["expires"]
    before = time.time()
    r = rest_mcsctl("maintenance", "extend", "mcs3", "--expires", "3h", "--reason", "longer", hosts=[sim])
    assert r.rc == 0, r.err
    row = status_of(rest_mcsctl, sim)
    assert before + 3 * 3600 <= row["expires"] <= time.time() + 3 * 3600
    assert (row["reason"], row["since"], row["action"]) == ("longer", first["since"], "on")
    assert state_of(sim, "mcs3") == "Maintenance, Running"  # MaxScale untouched
    r = rest_mcsctl("--no-journal", "maintenance", "extend", "mcs3", "--expires", "3h", hosts=[sim])
    assert r.rc == 2 and "--no-journal" in one_error_line(r.err)
    # a maintenance set outside mcsctl can be given an expiry too
    assert rest_mcsctl("--no-journal", "maintenance", "on", "mcs2", "--no-drain", hosts=[sim]).rc == 0
    assert rest_mcsctl("maintenance", "extend", "mcs2", "--expires", "1h", hosts=[sim]).rc == 0
    assert status_of(rest_mcsctl, sim, "mcs2")["expires"] is not None


# ------------------------------------------------------------------ status output


def test_status_output_shape(rest_mcsctl, make_sim):
    sim = make_sim()
    r = rest_mcsctl("maintenance", "status", hosts=[sim])
    assert r.rc == 0 and r.out == "" and "no server is in maintenance" in r.err  # one message, no header
    r = rest_mcsctl("maintenance", "status", "mcs3", hosts=[sim])
    assert r.rc == 0 and r.out == "" and "mcs3 is not in maintenance" in r.err  # no blank row
    env = {"TZ": "UTC", "USER": "root", "LOGNAME": "root", "SUDO_USER": "alice"}
    assert rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", "--expires", "1h", hosts=[sim], env=env).rc == 0
    r = rest_mcsctl("maintenance", "status", hosts=[sim], env={"TZ": "UTC"})
    header, row = r.out.splitlines()
    assert header.split()[:3] == ["Server", "State", "Action"]
    assert row.split()[:3] == ["mcs3", "maintenance", "on"]
    assert row.count(" UTC") == 2  # since and expires carry their zone
    assert "root (sudo: alice)@" in row


def test_an_unreadable_journal_is_one_line(rest_mcsctl, make_sim, tmp_path):
    sim = make_sim()
    jdir = tmp_path / "jdir"
    jdir.mkdir()
    env = {"MCSCTL_JOURNAL": str(jdir)}
    r = rest_mcsctl("maintenance", "status", hosts=[sim], env=env)  # the live state is still shown
    assert r.rc == 0 and f"warning: cannot read the journal {jdir}: Is a directory" in r.err, r.err
    assert "Traceback" not in r.err
    r = rest_mcsctl("maintenance", "reap", hosts=[sim], env=env)
    assert r.rc == 3 and str(jdir) in one_error_line(r.err)
    r = rest_mcsctl("rolling", "--", "true", hosts=[sim], env=env)
    assert r.rc == 3 and str(jdir) in one_error_line(r.err)
    assert all(state_of(sim, n) in ("Master, Running", "Slave, Running") for n in ("mcs1", "mcs2", "mcs3"))
