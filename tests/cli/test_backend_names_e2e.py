"""Names a backend cannot send are refused up front: exit 2, one line (+ hint), no maxctrl run at all."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from .conftest import MCSCTL, state_of

ODD_NAMES = {
    "servers": [
        {"name": "mcs1", "role": "master", "port": 3311, "monitor": "mon", "services": ["svc"]},
        {"name": "mcs3é", "role": "slave", "port": 3313, "monitor": "mon", "services": ["svc"]},
        {"name": "-x", "role": "slave", "port": 3314, "monitor": "mon", "services": ["svc"]},
        {"name": "1e3", "role": "slave", "port": 3315, "monitor": "mon", "services": ["svc"]},
    ],
    "monitors": [{"name": "mon"}],
    "services": [{"name": "svc"}],
}


@pytest.fixture
def logged_maxctrl(tmp_path):
    """A maxctrl (the stand-in) that records each run's argv in a log file: (path, log)."""
    log = tmp_path / "maxctrl.log"
    exe = tmp_path / "maxctrl"
    exe.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$*" >>{shlex.quote(str(log))}\n'
        f'exec {shlex.quote(sys.executable)} -m simulator.maxctrl "$@"\n'
    )
    exe.chmod(0o755)
    return exe, log


def run_maxctrl_backend(cli_env, sim, exe, *args):
    env = dict(
        cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="maxctrl", MCSCTL_MAXCTRL=str(exe), MCSCTL_HOSTS=sim.host
    )
    return subprocess.run(
        [MCSCTL, *args], env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )


@pytest.mark.parametrize(
    "args,name",
    [
        (["maintenance", "on", "mcs3é", "--drain-timeout", "1"], "mcs3é"),
        (["maintenance", "on", "--", "-x"], "-x"),
        (["maintenance", "off", "mcs3é"], "mcs3é"),
        (["maintenance", "run", "1e3", "--", "true"], "1e3"),
        (["switchover", "--to", "1e3"], "1e3"),
        (["rolling", "--servers", "mcs3é", "--", "true"], "mcs3é"),
    ],
)
def test_maxctrl_backend_refuses_a_name_it_cannot_send_before_any_request(
    cli_env, make_sim, logged_maxctrl, args, name
):
    sim = make_sim(scenario=ODD_NAMES)
    exe, log = logged_maxctrl
    p = run_maxctrl_backend(cli_env, sim, exe, *args)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.splitlines()
    assert lines[0].startswith("mcsctl: error: ") and repr(name) in lines[0], p.stderr
    assert lines[1:] == ["hint: use --backend rest for such names"], p.stderr
    assert "drain" not in p.stderr and p.stdout == ""
    assert not log.exists(), log.read_text()  # no maxctrl call, so no request
    assert state_of(sim, "mcs1") == "Master, Running"


def test_the_rest_backend_takes_those_names(cli_env, make_sim):
    sim = make_sim(scenario=ODD_NAMES)
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest", MCSCTL_HOSTS=sim.host)
    p = subprocess.run(
        [MCSCTL, "maintenance", "on", "mcs3é"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert p.returncode == 0, p.stderr
    assert state_of(sim, "mcs3%C3%A9") == "Maintenance, Running"
