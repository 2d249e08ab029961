"""Fixtures for the completion and man-page tests: a clean environment, a seeded or fake server cache."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mcsctl.cache import key_for

VENV_BIN = Path(sys.executable).parent
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"

FAKE_MCSCTL = """#!/bin/sh
# stand-in for mcsctl: records its argv and the MCSCTL_PASSWORD it got, then behaves as $FAKE_MODE says
printf '%s\\n' "$*" >>"$FAKE_LOG"
if [ "${MCSCTL_PASSWORD+set}" = set ]; then
  printf 'set:%s\\n' "$MCSCTL_PASSWORD" >>"$FAKE_LOG.env"
else
  echo unset >>"$FAKE_LOG.env"
fi
case "$FAKE_MODE" in
  offline) echo "mcsctl: cannot reach 127.0.0.1:9: connection refused" >&2; exit 3 ;;
  slow) sleep 30 ;;
esac
mkdir -p "$XDG_CACHE_HOME/mcsctl"
printf 'fake1\\nfake2\\nmcs9\\n' >"$XDG_CACHE_HOME/mcsctl/servers@${FAKE_KEY:-default}"
echo "this must never reach the terminal"
echo "nor this" >&2
"""


@pytest.fixture
def shell_env(tmp_path) -> dict:
    """An environment for the shells: private HOME, XDG_CACHE_HOME and TMPDIR; the real mcsctl on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return {
        "HOME": str(home),
        "PATH": f"{VENV_BIN}:{SYSTEM_PATH}",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
    }


def cache_file(env: dict, hosts: str | None = None) -> Path:
    """The cache of the cluster `hosts` names (None: no -H, no $MCSCTL_HOSTS)."""
    return Path(env["XDG_CACHE_HOME"]) / "mcsctl" / f"servers@{key_for(hosts)}"


def run_servers(env: dict, *global_opts: str) -> None:
    """A real `mcsctl [global_opts] servers` run, which writes the cache of its cluster."""
    proc = subprocess.run(
        [str(VENV_BIN / "mcsctl"), "--backend", "rest", *global_opts, "servers", "--format", "tsv"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.fixture
def seeded_env(shell_env, maxscale_sim) -> dict:
    """shell_env with MCSCTL_HOSTS=<simulator>, whose cache a real `mcsctl servers` run wrote."""
    env = dict(shell_env, MCSCTL_HOSTS=maxscale_sim.host)
    run_servers(env)
    assert cache_file(env, maxscale_sim.host).read_text().split() == ["mcs1", "mcs2", "mcs3"]
    return env


CLUSTER_B = {
    "monitors": [{"name": "mon-b"}],
    "services": [{"name": "svc-b"}],
    "servers": [
        {"name": "bnode1", "role": "master", "port": 3306, "monitor": "mon-b", "services": ["svc-b"]},
        {"name": "bnode2", "role": "slave", "port": 3307, "monitor": "mon-b", "services": ["svc-b"]},
    ],
}


@pytest.fixture
def two_clusters(shell_env, make_sim) -> tuple[dict, str, str]:
    """(env, host A, host B): two unrelated MaxScales, each cache seeded by a real `mcsctl -H <host> servers`."""
    a, b = make_sim(), make_sim(scenario=CLUSTER_B)
    for sim in (a, b):
        run_servers(shell_env, "-H", sim.host)
    assert cache_file(shell_env, a.host).read_text().split() == ["mcs1", "mcs2", "mcs3"]
    assert cache_file(shell_env, b.host).read_text().split() == ["bnode1", "bnode2"]
    return shell_env, a.host, b.host


@pytest.fixture
def fake_env(shell_env, tmp_path) -> dict:
    """shell_env with a stand-in `mcsctl` (records argv in FAKE_LOG, its MCSCTL_PASSWORD in FAKE_LOG.env;
    FAKE_MODE: ok, offline, slow).

    It writes the cache named FAKE_KEY (`default` unless set: see `for_hosts`)."""
    fake_bin = tmp_path / "fakebin"
    fake_bin.mkdir()
    exe = fake_bin / "mcsctl"
    exe.write_text(FAKE_MCSCTL)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return dict(shell_env, PATH=f"{fake_bin}:{SYSTEM_PATH}", FAKE_LOG=str(tmp_path / "fake.log"), FAKE_MODE="ok")


def for_hosts(env: dict, hosts: str | None) -> dict:
    """fake_env whose stand-in writes the cache that mcsctl itself would write for `hosts`."""
    return dict(env, FAKE_KEY=key_for(hosts))


def fake_calls(env: dict) -> list[str]:
    log = Path(env["FAKE_LOG"])
    return log.read_text().splitlines() if log.exists() else []


def fake_passwords(env: dict) -> list[str | None]:
    """The MCSCTL_PASSWORD each stand-in call got (None: not in its environment), in call order."""
    log = Path(env["FAKE_LOG"] + ".env")
    lines = log.read_text().splitlines() if log.exists() else []
    return [None if line == "unset" else line.removeprefix("set:") for line in lines]


def make_stale(env: dict, age: float = 3600, hosts: str | None = None) -> None:
    path = cache_file(env, hosts)
    old = path.stat().st_mtime - age
    os.utime(path, (old, old))
