"""Signals, output safety and secrets end to end: a hung-up terminal, a second signal, control characters in
what mcsctl prints, and no secret in the environment of COMMAND or maxctrl. Real processes, real signals,
a real pty where it is about a terminal."""

from __future__ import annotations

import json
import os
import select
import signal
import stat
import subprocess
import sys
import threading
import time

import pytest

from .conftest import MCSCTL, finish, state_of, wait_for

SESSIONS_ON_MCS3 = {"sessions": [{"count": 2, "servers": ["mcs1", "mcs3"], "user": "app", "remote": "10.0.0.7"}]}
FAST_MONITOR = {
    "monitors": [{"name": "MariaDB-Monitor", "module": "mariadbmon", "state": "Running", "monitor_interval": 100}]
}
ESC = "\x1b"

# Make the pty our controlling terminal (as a login shell's child has one), then become mcsctl: the kernel
# sends SIGHUP to this process (the session leader) when the terminal hangs up.
WITH_CTTY = (
    "import fcntl, os, sys, termios; os.setsid(); fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def journal(env) -> list[dict]:
    try:
        with open(env["MCSCTL_JOURNAL"]) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


class Terminal:
    """mcsctl running on a pty that is its controlling terminal; `hang_up` closes the terminal's side."""

    def __init__(self, args, env):
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WITH_CTTY, MCSCTL, *args],
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
        os.close(slave)
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):  # keep the pty drained, as a terminal window does
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if ready:
                    data = os.read(self.master, 4096)
                    if not data:
                        return
                    self.output += data
            except (OSError, ValueError):
                return

    def hang_up(self):
        """What closing the window does: the terminal side goes away (the kernel sends SIGHUP)."""
        fd, self.master = self.master, -1
        os.close(fd)
        self._reader.join(5)

    def wait(self, timeout=30) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        finally:
            self._reader.join(5)  # it stops at EOF/EIO once the process is gone
            if self.master >= 0:
                os.close(self.master)
                self.master = -1


@pytest.mark.parametrize("use", ["rest", "maxctrl"])
def test_terminal_hang_up_during_a_drain_always_cleans_up(make_sim, cli_env, request, use):
    """Closing the terminal at any point of the drain/poll cycle: no drain flag left, exit 130, and the
    final report that could not be shown is in the journal instead."""
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    if use == "maxctrl":
        request.getfixturevalue("maxctrl_bin")
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND=use, MCSCTL_HOSTS=sim.host, TERM="xterm")
    # over the 50 ms poll (rest); a maxctrl call takes longer, so a few tries spread over one call
    delays = (
        [0.0, 0.007, 0.013, 0.021, 0.029, 0.037, 0.044, 0.052, 0.075, 0.11] if use == "rest" else [0.0, 0.05, 0.1, 0.2]
    )
    for delay in delays:
        term = Terminal(["maintenance", "on", "mcs3", "--drain-timeout", "30"], env)
        wait_for(lambda: state_of(sim, "mcs3") == "Draining, Slave, Running", what="Draining")
        time.sleep(delay)
        term.hang_up()
        rc = term.wait()
        assert rc == 130, (delay, rc, bytes(term.output).decode(errors="replace"), journal(env))
        assert state_of(sim, "mcs3") == "Slave, Running", delay  # no drain flag left behind
        lost = [r for r in journal(env) if r["action"] == "report-lost"]
        assert lost and lost[-1]["outcome"] == "interrupted", (delay, journal(env))
        assert lost[-1]["extra"]["final"] == {sim.host: "Slave, Running"}
        assert lost[-1]["server"] == "mcs3" and "mcs3: interrupted" in lost[-1]["extra"]["message"]
        os.unlink(env["MCSCTL_JOURNAL"])


def test_output_to_a_closed_pipe_does_not_stop_the_cleanup(rest_mcsctl, make_sim, cli_env):
    """stdout and stderr are pipes whose reader went away (EPIPE): the interrupt still cleans up, exits 130."""
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest", MCSCTL_HOSTS=sim.host)
    r, w = os.pipe()
    p = subprocess.Popen(
        [MCSCTL, "maintenance", "on", "mcs3", "--drain-timeout", "30"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=w,
        stderr=w,
    )
    os.close(w)
    wait_for(lambda: state_of(sim, "mcs3") == "Draining, Slave, Running", what="Draining")
    os.close(r)  # the reader is gone
    p.send_signal(signal.SIGTERM)
    assert p.wait(30) == 130
    assert state_of(sim, "mcs3") == "Slave, Running"
    assert [x["outcome"] for x in journal(env) if x["action"] == "report-lost"] == ["interrupted"]


@pytest.mark.parametrize("second", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_second_signal_still_exits_130_after_the_cleanup(rest_mcsctl, maxscale_sims, second):
    a, b = maxscale_sims(2, scenario=SESSIONS_ON_MCS3)
    for delay in (0.02, 0.035, 0.05, 0.065, 0.08):
        p = rest_mcsctl.start("maintenance", "on", "mcs3", "--drain-timeout", "30", hosts=[a, b])
        wait_for(lambda: state_of(a, "mcs3") == state_of(b, "mcs3") == "Draining, Slave, Running", what="Draining")
        p.send_signal(signal.SIGINT)
        time.sleep(delay)
        if p.poll() is None:
            p.send_signal(second)
        r = finish(p)
        assert r.rc == 130, (delay, r.rc, r.err)
        assert "Traceback" not in r.err and "mcs3: interrupted" in r.err, r.err
        assert state_of(a, "mcs3") == state_of(b, "mcs3") == "Slave, Running", delay


def test_a_second_signal_right_after_the_first(rest_mcsctl, make_sim):
    """Two signals back to back (tmux sends SIGHUP then SIGTERM): one cleanup, exit 130."""
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    p = rest_mcsctl.start("maintenance", "on", "mcs3", "--drain-timeout", "30", hosts=[sim])
    wait_for(lambda: state_of(sim, "mcs3") == "Draining, Slave, Running", what="Draining")
    p.send_signal(signal.SIGHUP)
    p.send_signal(signal.SIGTERM)
    r = finish(p)
    assert r.rc == 130, r.err
    assert "Traceback" not in r.err
    assert state_of(sim, "mcs3") == "Slave, Running"


# ------------------------------------------------------------------ secrets


def test_command_never_sees_the_password(rest_mcsctl, make_sim, tmp_path):
    sim = make_sim(scenario=FAST_MONITOR)
    dump = tmp_path / "env.json"
    code = f"import json, os; open({str(dump)!r}, 'w').write(json.dumps(dict(os.environ)))"
    secrets = {"MCSCTL_PASSWORD": "mariadb", "MCSCTL_CMAPI_KEY": "k3y", "MCSCTL_JOURNAL_PASSWORD": "j0urnal"}
    r = rest_mcsctl(
        "maintenance",
        "run",
        "mcs3",
        "--no-drain",
        "--",
        sys.executable,
        "-c",
        code,
        hosts=[sim],
        env=dict(secrets, SOMETHING_ELSE="kept", MCSCTL_COLUMNSTORE="false"),  # no CMAPI here (tests/columnstore)
    )
    assert r.rc == 0, r.err  # the password reached MaxScale ...
    seen = json.loads(dump.read_text())
    assert not set(secrets) & set(seen)  # ... but not COMMAND
    assert seen["SOMETHING_ELSE"] == "kept" and "MCSCTL_JOURNAL" in seen  # the rest of the environment is there
    assert "mariadb" not in seen.values()


def test_env_command_prints_no_secret(rest_mcsctl, make_sim):
    sim = make_sim(scenario=FAST_MONITOR)
    r = rest_mcsctl(
        "maintenance", "run", "mcs3", "--no-drain", "--", "env", hosts=[sim], env={"MCSCTL_PASSWORD": "mariadb"}
    )
    assert r.rc == 0, r.err
    assert "MCSCTL_HOSTS=" in r.out and "MCSCTL_PASSWORD" not in r.out


def test_maxctrl_child_never_sees_the_password(cli_env, maxscale_sim, tmp_path):
    """maxctrl gets the password on stdin only: its environment has none of mcsctl's secrets."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    fake = tmp_path / "maxctrl"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys, uuid\n"
        f"open(os.path.join({str(dumps)!r}, uuid.uuid4().hex), 'w').write(json.dumps(dict(os.environ)))\n"
        "sys.argv[0] = 'maxctrl'\n"
        "import runpy; runpy.run_module('simulator.maxctrl', run_name='__main__')\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = dict(
        cli_env,
        PATH=os.environ["PATH"],
        MCSCTL_HOSTS=maxscale_sim.host,
        MCSCTL_BACKEND="maxctrl",
        MCSCTL_MAXCTRL=str(fake),
        MCSCTL_PASSWORD="mariadb",
        MCSCTL_CMAPI_KEY="k3y",
        MCSCTL_COLUMNSTORE="false",  # the simulator has no CMAPI here; the key must still not reach maxctrl
        PYTHONPATH=os.pathsep.join(sys.path),
    )
    p = subprocess.run(
        [MCSCTL, "maintenance", "on", "mcs3", "--no-drain"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    seen = [json.loads(f.read_text()) for f in dumps.iterdir()]
    assert seen and all("MCSCTL_PASSWORD" not in e and "MCSCTL_CMAPI_KEY" not in e for e in seen)
    assert all(e.get("MAXCTRL_WARNINGS") == "0" for e in seen)


# ------------------------------------------------------------------ control characters


def test_a_name_with_control_characters_on_the_command_line_is_shown_escaped(mcsctl, maxscale_sim):
    r = mcsctl("maintenance", "on", f"mcs{ESC}[31mred", hosts=[maxscale_sim])
    assert r.rc == 1, r.err
    assert ESC not in r.err + r.out
    assert r"mcsctl: error: mcs\x1b[31mred is not a server" in r.err


def test_a_bad_option_with_control_characters_is_shown_escaped(mcsctl):
    r = mcsctl("maintenance", "on", "mcs3", f"--fo{ESC}]0;owned\x07")
    assert r.rc == 2
    assert ESC not in r.err and "\x07" not in r.err
    assert r"--fo\x1b]0;owned\x07" in r.err


def test_control_characters_from_maxscale_are_escaped(rest_mcsctl, make_sim):
    scenario = {
        "servers": [
            {"name": "mcs1", "role": "master", "address": f"10.0.0.1{ESC}[2J"},
            {"name": "mcs2", "role": "slave"},
            {"name": "mcs3", "role": "slave"},
        ],
        "sessions": [{"count": 1, "servers": ["mcs1", "mcs3"], "user": f"ev{ESC}[31mil", "remote": "10.0.0.9\r"}],
    }
    sim = make_sim(scenario=scenario)
    r = rest_mcsctl("servers", hosts=[sim])
    assert r.rc == 0, r.err
    assert ESC not in r.out and r"10.0.0.1\x1b[2J" in r.out
    r = rest_mcsctl("servers", "--format", "tsv", hosts=[sim])
    assert ESC not in r.out and r"10.0.0.1\x1b[2J" in r.out
    r = rest_mcsctl("servers", "--format", "json", hosts=[sim])
    assert json.loads(r.out)[0]["address"] == f"10.0.0.1{ESC}[2J"  # JSON keeps the value (json escapes it)
    # session user/remote in the drain-timeout error
    r = rest_mcsctl("maintenance", "on", "mcs3", "--drain-timeout", "0.2", hosts=[sim])
    assert r.rc == 6, r.err
    assert ESC not in r.err and "\r" not in r.err and r"ev\x1b[31mil@10.0.0.9\r" in r.err
    # a MaxScale error text
    sim.control(
        "POST",
        "/sim/faults",
        {"method": "PUT", "path": "/v1/servers/mcs2/set", "status": 403, "detail": f"no{ESC}]0;title\x07pe"},
    )
    r = rest_mcsctl("maintenance", "on", "mcs2", "--no-drain", hosts=[sim])
    assert r.rc == 1, r.err
    assert ESC not in r.err and "\x07" not in r.err and r"no\x1b]0;title\x07pe" in r.err


def test_a_reason_from_the_journal_is_escaped(rest_mcsctl, maxscale_sim):
    r = rest_mcsctl("maintenance", "on", "mcs3", "--no-drain", "--reason", f"patch{ESC}[8mhidden", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    r = rest_mcsctl("maintenance", "status", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    assert ESC not in r.out and r"patch\x1b[8mhidden" in r.out


def test_own_colours_still_work_on_a_terminal(make_sim, cli_env):
    """On a TTY the maintenance row is coloured by mcsctl; an ESC in a MaxScale value is still escaped."""
    sim = make_sim(
        scenario={
            "servers": [
                {"name": "mcs1", "role": "master"},
                {"name": "mcs2", "role": "slave"},
                {"name": "mcs3", "role": "slave", "maintenance": True, "address": f"10.0.0.3{ESC}[5m"},
            ]
        }
    )
    env = {k: v for k, v in cli_env.items() if k != "NO_COLOR"}
    env.update(PATH=os.environ["PATH"], MCSCTL_BACKEND="rest", MCSCTL_HOSTS=sim.host, TERM="xterm")
    term = Terminal(["servers"], env)
    assert term.wait() == 0
    text = bytes(term.output).decode()
    line = next(ln for ln in text.splitlines() if "mcs3" in ln)
    assert line.startswith(f"{ESC}[33mmcs3") and line.rstrip().endswith(f"{ESC}[0m")  # yellow: maintenance
    assert r"10.0.0.3\x1b[5m" in line and f"{ESC}[5m" not in line


def test_rolling_command_never_sees_the_password(make_sim, cli_env, tmp_path):
    sim = make_sim(scenario={"monitors": [{"name": "MariaDB-Monitor", "monitor_interval": 50}]})
    sim.cluster.catchup_seconds = 0.1
    dump = tmp_path / "env-{server}.json"
    code = "import json, os, sys; open(sys.argv[1], 'w').write(json.dumps(dict(os.environ)))"
    env = dict(
        cli_env,
        PATH=os.environ["PATH"],
        MCSCTL_BACKEND="rest",
        MCSCTL_HOSTS=sim.host,
        MCSCTL_PASSWORD="mariadb",
        MCSCTL_JOURNAL_PASSWORD="j0urnal",
    )
    p = subprocess.run(
        [MCSCTL, "rolling", "--servers", "mcs2", "--", sys.executable, "-c", code, str(dump)],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    seen = json.loads((tmp_path / "env-mcs2.json").read_text())
    assert "MCSCTL_PASSWORD" not in seen and "MCSCTL_JOURNAL_PASSWORD" not in seen and "MCSCTL_HOSTS" in seen


def test_closed_stdout_and_stderr_do_not_stop_the_cleanup(make_sim, cli_env):
    """Started with stdout and stderr closed (`>&- 2>&-`): the interrupt cleans up, exits 130, journals."""
    sim = make_sim(scenario=SESSIONS_ON_MCS3)
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest", MCSCTL_HOSTS=sim.host)
    p = subprocess.Popen(
        ["sh", "-c", 'exec "$@" >&- 2>&-', "sh", MCSCTL, "maintenance", "on", "mcs3", "--drain-timeout", "30"],
        env=env,
        stdin=subprocess.DEVNULL,
    )
    wait_for(lambda: state_of(sim, "mcs3") == "Draining, Slave, Running", what="Draining")
    p.send_signal(signal.SIGINT)
    assert p.wait(30) == 130
    assert state_of(sim, "mcs3") == "Slave, Running"
    assert [x["outcome"] for x in journal(env) if x["action"] == "report-lost"] == ["interrupted"]


def test_terminal_hang_up_while_command_runs(make_sim, cli_env, tmp_path):
    """The hang-up reaches COMMAND; mcsctl keeps the node in maintenance (COMMAND did not finish), journals
    that and the lost final report, and exits 130."""
    sim = make_sim(scenario=FAST_MONITOR)
    started, got = tmp_path / "started", tmp_path / "got"
    code = (
        "import pathlib, signal, sys, time;"
        f"signal.signal(signal.SIGHUP, lambda *a: (pathlib.Path({str(got)!r}).write_text('HUP'), sys.exit(129)));"
        f"pathlib.Path({str(started)!r}).write_text('1'); time.sleep(30)"
    )
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest", MCSCTL_HOSTS=sim.host, TERM="xterm")
    term = Terminal(["maintenance", "run", "mcs3", "--no-drain", "--", sys.executable, "-c", code], env)
    wait_for(started.exists, what="the command to start")
    term.hang_up()
    assert term.wait() == 130
    assert got.read_text() == "HUP"
    assert state_of(sim, "mcs3") == "Maintenance, Running"
    records = [(x["action"], x["outcome"]) for x in journal(env) if x["action"] != "intent"]
    assert records == [("run-start", "ok"), ("run-end", "interrupted"), ("report-lost", "interrupted")], records


@pytest.mark.parametrize("backend", ["rest", "maxctrl"])
def test_the_lean_commands_quick_end_loses_no_output(make_sim, cli_env, maxctrl_bin, backend):
    """`servers` ends with os._exit once its output is flushed (frame.finish, quick): all of it arrives
    through a pipe; a reader that went away is no error either."""
    sim = make_sim(scenario="many50")
    env = dict(cli_env, PATH=f"{maxctrl_bin}{os.pathsep}{os.environ['PATH']}", MCSCTL_BACKEND=backend)
    argv = [MCSCTL, "-H", sim.host, "servers", "--format", "json"]
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert (p.returncode, p.stderr) == (0, "")
    assert [s["name"] for s in json.loads(p.stdout)] == [f"mcs{i:02d}" for i in range(1, 51)]
    gone = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert gone.stdout is not None and gone.stderr is not None
    gone.stdout.close()  # the reader is gone before the first byte: EPIPE
    assert (gone.wait(timeout=60), gone.stderr.read()) == (0, b"")
