"""Precedence through the real entry point: flag > environment > config file > default; colour on a TTY."""

from __future__ import annotations

import os
import pty
import subprocess

from tests.ports import closed_port

from .conftest import MCSCTL


def test_flag_beats_env_beats_config(rest_mcsctl, maxscale_sim, cli_env, tmp_path):
    dead = f"127.0.0.1:{closed_port()}"
    cfg = tmp_path / "config" / "mcsctl" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(f'hosts = "{maxscale_sim.host}"\n')
    assert rest_mcsctl("servers").rc == 0  # from the config file
    assert rest_mcsctl("servers", env={"MCSCTL_HOSTS": dead}).rc == 3  # env beats config
    assert rest_mcsctl("--hosts", maxscale_sim.host, "servers", env={"MCSCTL_HOSTS": dead}).rc == 0  # flag beats env
    r = rest_mcsctl("--config", str(tmp_path / "missing.toml"), "servers")
    assert r.rc == 2 and "does not exist" in r.err


def test_password_from_env_and_wrong_one(rest_mcsctl, make_sim):
    sim = make_sim(users={"ops": "s3cr3t"})
    assert rest_mcsctl("-u", "ops", "servers", hosts=[sim], env={"MCSCTL_PASSWORD": "s3cr3t"}).rc == 0
    r = rest_mcsctl("-u", "ops", "servers", hosts=[sim], env={"MCSCTL_PASSWORD": "nope"})
    assert r.rc == 3 and "s3cr3t" not in r.err and "nope" not in r.err


def test_version_and_help_exit_0(rest_mcsctl):
    r = rest_mcsctl("--version")
    assert r.rc == 0 and r.out.startswith("mcsctl ")
    r = rest_mcsctl("--help")
    assert r.rc == 0 and "maintenance" in r.out
    r = rest_mcsctl("bogus")
    assert r.rc == 2


def tty_run(args, env):
    """Run mcsctl with stdout on a pseudo-terminal; returns what the terminal showed."""
    master, slave = pty.openpty()
    p = subprocess.Popen([MCSCTL, *args], env=env, stdout=slave, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=30)
    os.close(master)
    return b"".join(chunks).decode()


def test_servers_marks_maintenance_on_a_tty_and_honours_no_color(maxscale_sim, cli_env):
    maxscale_sim.api("PUT", "/v1/servers/mcs3/set?state=maintenance")
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest", MCSCTL_HOSTS=maxscale_sim.host)
    env.pop("NO_COLOR")
    shown = tty_run(["servers"], env)
    line = next(x for x in shown.splitlines() if "mcs3" in x)
    assert line.startswith("\x1b[33m") and "Maintenance, Running" in line
    assert not next(x for x in shown.splitlines() if "mcs2" in x).startswith("\x1b[")
    shown = tty_run(["servers"], dict(env, NO_COLOR="1"))
    assert "\x1b[" not in shown


def test_command_line_mistakes_are_one_error_line_and_a_hint(rest_mcsctl):
    for args, text in (
        (["servers", "--bogus"], "No such option: --bogus"),
        (["maintenance", "on"], "Missing argument 'SERVER'"),
        (["bogus"], "No such command 'bogus'"),
    ):
        r = rest_mcsctl(*args)
        assert r.rc == 2
        lines = r.err.splitlines()
        assert lines[0].startswith("mcsctl: error: ") and text in lines[0]
        assert len(lines) == 2 and lines[1].startswith("hint: see 'mcsctl") and lines[1].endswith("--help'")
    r = rest_mcsctl("servers", env={"MCSCTL_TIMEOUT": "abc"})
    assert r.rc == 2 and r.err.startswith("mcsctl: error: Invalid value for '--timeout'")
