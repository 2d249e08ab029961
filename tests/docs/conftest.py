"""Fixtures for the completion and man-page tests: a clean environment, a seeded or fake server cache."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"

FAKE_MCSCTL = """#!/bin/sh
# stand-in for mcsctl: records its argv, then behaves as $FAKE_MODE says
printf '%s\\n' "$*" >>"$FAKE_LOG"
case "$FAKE_MODE" in
  offline) echo "mcsctl: cannot reach 127.0.0.1:9: connection refused" >&2; exit 3 ;;
  slow) sleep 30 ;;
esac
mkdir -p "$XDG_CACHE_HOME/mcsctl"
printf 'fake1\\nfake2\\nmcs9\\n' >"$XDG_CACHE_HOME/mcsctl/servers"
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


def cache_file(env: dict) -> Path:
    return Path(env["XDG_CACHE_HOME"]) / "mcsctl" / "servers"


@pytest.fixture
def seeded_env(shell_env, maxscale_sim) -> dict:
    """shell_env whose cache was written by a real `mcsctl servers` run against the simulator."""
    proc = subprocess.run(
        [str(VENV_BIN / "mcsctl"), "--backend", "rest", "-H", maxscale_sim.host, "servers", "--format", "tsv"],
        env=shell_env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert cache_file(shell_env).read_text().split() == ["mcs1", "mcs2", "mcs3"]
    return shell_env


@pytest.fixture
def fake_env(shell_env, tmp_path) -> dict:
    """shell_env with a stand-in `mcsctl` (records argv in FAKE_LOG; FAKE_MODE: ok, offline, slow)."""
    fake_bin = tmp_path / "fakebin"
    fake_bin.mkdir()
    exe = fake_bin / "mcsctl"
    exe.write_text(FAKE_MCSCTL)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return dict(shell_env, PATH=f"{fake_bin}:{SYSTEM_PATH}", FAKE_LOG=str(tmp_path / "fake.log"),
                FAKE_MODE="ok")


def fake_calls(env: dict) -> list[str]:
    log = Path(env["FAKE_LOG"])
    return log.read_text().splitlines() if log.exists() else []


def make_stale(env: dict, age: float = 3600) -> None:
    path = cache_file(env)
    old = path.stat().st_mtime - age
    os.utime(path, (old, old))
