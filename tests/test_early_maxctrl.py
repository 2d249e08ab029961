"""maxctrl calls started early (issue 17): taken over by the call that needs them, or killed; the same
results, limits and errors as the `sh` path; `servers` makes its `list servers` call once."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from mcsctl.backends import maxctrl_process as mp
from mcsctl.errors import NoAnswer


@pytest.fixture(autouse=True)
def _no_leftovers():
    yield
    mp.drop_early()


def test_an_early_call_is_taken_over_with_its_output_and_status():
    argv = ["/bin/sh", "-c", 'read pw; echo "got:$pw"; echo err >&2; exit 3']
    mp.start_early(argv, "secret\n")
    assert (tuple(argv), "secret\n") in mp._early
    assert mp.run_maxctrl(argv, "secret\n", 10, "h") == ("got:secret\n", "err\n", 3)
    assert mp._early == {}


def test_another_argv_or_stdin_is_not_taken_over():
    argv = ["/bin/sh", "-c", "read pw; echo $pw"]
    mp.start_early(argv, "one\n")
    assert mp.run_maxctrl(argv, "two\n", 10, "h") == ("two\n", "", 0)  # run through sh, as ever
    assert len(mp._early) == 1
    mp.drop_early()
    assert mp._early == {}


def test_an_early_call_keeps_the_time_limit():
    argv = ["/bin/sleep", "30"]
    mp.start_early(argv, "")
    with pytest.raises(NoAnswer) as e:
        mp.run_maxctrl(argv, "", 0.2, "h")
    assert str(e.value) == "h: maxctrl gave no answer within 0.2s (killed)"


def test_an_executable_that_cannot_start_is_left_to_the_real_call(tmp_path):
    mp.start_early([str(tmp_path / "nosuch")], "")
    assert mp._early == {}


def _logging_maxctrl(maxctrl_bin, maxscale_sim, tmp_path, pause: float = 0.0):
    """A maxctrl that logs each call's arguments, start and end (and sleeps `pause` first), and the environment
    that makes mcsctl use it: (environment, the log)."""
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "maxctrl"
    standin = shlex.quote(str(maxctrl_bin / "maxctrl"))
    q = shlex.quote(str(log))
    wrapper.write_text(
        f'#!/bin/sh\necho "start $(date +%s.%N) $*" >> {q}\nsleep {pause}\n{standin} "$@"\nrc=$?\n'
        f'echo "end $(date +%s.%N) $*" >> {q}\nexit $rc\n'
    )
    wrapper.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCSCTL_")}
    env.update(
        MCSCTL_BACKEND="maxctrl",
        MCSCTL_MAXCTRL=str(wrapper),
        MCSCTL_HOSTS=maxscale_sim.host,
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    return env, log


def _calls(log, kind: str = "start") -> list[tuple[float, str]]:
    """(time, the call's arguments after the global ones) of each `kind` line of the log."""
    out = []
    for line in log.read_text().splitlines():
        what, when, args = line.split(" ", 2)
        if what == kind:
            out.append((float(when), args.split("--quiet=false ")[-1]))
    return out


def _mcsctl(env, *args: str) -> subprocess.CompletedProcess[str]:
    mcsctl = os.path.join(os.path.dirname(sys.executable), "mcsctl")
    return subprocess.run([mcsctl, *args], env=env, capture_output=True, text=True, timeout=60)


def test_servers_makes_one_list_servers_call(maxctrl_bin, maxscale_sim, tmp_path):
    """The lean `servers` starts `list servers` (and the monitors read, for ColumnStore's key) early and the
    backend takes them over: never twice."""
    env, log = _logging_maxctrl(maxctrl_bin, maxscale_sim, tmp_path)
    for _ in range(2):
        p = _mcsctl(env, "servers")
        assert p.returncode == 0, p.stderr
        assert "mcs3" in p.stdout
    calls = [args for _, args in _calls(log)]
    # the version once (then cached by path and mtime), one `list servers` and one monitors read per run
    # (started together: in either order)
    assert calls[0] == "--version"
    assert sorted(calls[1:3]) == sorted(calls[3:]) == ["api get monitors", "list servers --tsv"]


def test_maintenance_on_reads_the_monitors_beside_the_servers(maxctrl_bin, maxscale_sim, tmp_path):
    """Issue 17: before a change, the CMAPI key lookup (api get monitors) and the guards' read (list servers)
    run side by side, each once, so ColumnStore awareness adds a call but not its time."""
    env, log = _logging_maxctrl(maxctrl_bin, maxscale_sim, tmp_path, pause=0.5)
    assert _mcsctl(env, "maintenance", "on", "mcs3", "--no-drain").returncode == 0
    starts, ends = _calls(log), {}
    for when, args in _calls(log, "end"):
        ends.setdefault(args, when)  # each call's first end
    calls = [args for _, args in starts]
    assert calls[0] == "--version"
    assert sorted(calls[1:3]) == ["api get monitors", "list servers --tsv"]
    assert calls[3:] == ["set server mcs3 maintenance", "list servers --tsv"]
    second_start = starts[2][0]
    assert second_start < ends[calls[1]], "the two reads ran one after the other"
    log.write_text("")
    assert _mcsctl(env, "maintenance", "off", "mcs3").returncode == 0
    assert [args for _, args in _calls(log)] == [
        "list servers --tsv",
        "clear server mcs3 maintenance",
        "list servers --tsv",
    ]


def test_maintenance_run_reads_each_thing_once(maxctrl_bin, maxscale_sim, tmp_path):
    """`run` takes {address} and {port} from the guards' read under the lock, and leaving takes "Running
    with a role" from its confirming read when that shows it: no read of its own for either."""
    env, log = _logging_maxctrl(maxctrl_bin, maxscale_sim, tmp_path)
    out = tmp_path / "ran"
    p = _mcsctl(env, "maintenance", "run", "mcs3", "--no-drain", "--no-columnstore", "--",
                "sh", "-c", f"echo {{server}} {{address}} {{port}} > {out}")  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert out.read_text() == "mcs3 127.0.0.1 3313\n"
    calls = [args for _, args in _calls(log)]
    # the guards' read, the change and its confirmation (no read before the lock for the substitution)
    assert calls[:4] == ["--version", "list servers --tsv", "set server mcs3 maintenance", "list servers --tsv"]
    # leaving: its own read, the change and the confirmation, which here already shows "Slave, Running"
    assert calls[-3:] == ["list servers --tsv", "clear server mcs3 maintenance", "list servers --tsv"]
    # between them, waiting for a fresh monitor view: the monitors' tick counters and the servers, in turns
    assert set(calls[4:-3]) == {"api get monitors", "list servers --tsv"}


def test_a_rolling_node_reads_each_thing_once(maxctrl_bin, maxscale_sim, tmp_path):
    """Per node: the primary check's read, the guards' read, the change and its confirmation; the command's
    {address} from entering; the roll's last line (the primary) from the last node's read."""
    env, log = _logging_maxctrl(maxctrl_bin, maxscale_sim, tmp_path)
    p = _mcsctl(env, "rolling", "--servers", "mcs3", "--no-drain", "--no-columnstore", "--yes", "--", "true")
    assert p.returncode == 0, p.stderr
    calls = [args for _, args in _calls(log)]
    servers, change = "list servers --tsv", "set server mcs3 maintenance"
    assert calls[:6] == ["--version", servers, servers, servers, change, servers]  # the plan, the node, the guards
    # leaving: the change, its confirmation and the read that shows it Slave, Running and caught up: the end
    assert calls[calls.index("clear server mcs3 maintenance") :] == ["clear server mcs3 maintenance", servers, servers]


def test_killing_a_call_that_sh_has_reaped_but_not_recorded_is_quiet():
    """A signal can land inside sh's wait between its waitpid() and keeping the exit status (the terminal hung
    up during a drain poll): the clean-up's wait then finds no child, which must not end mcsctl with a
    ChildProcessError (exit 1 and a traceback on a dead terminal) instead of cleaning up."""
    import signal

    proc = mp._start(["/bin/sleep", "30"], "", "h")
    with proc.process._wait_lock:  # sh's own poller must not record it first: this is the state the race leaves
        os.killpg(proc.pid, signal.SIGKILL)
        os.waitpid(proc.pid, 0)
    mp._kill(proc)
    assert proc.process.exit_code is None  # sh never learnt it: the state in which its wait raised before
