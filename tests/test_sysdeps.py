""".ci/sysdeps (make test's package step) with a fake apt-get: it waits for another apt's lock, never fails at once."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SYSDEPS = Path(__file__).resolve().parents[1] / ".ci" / "sysdeps"

# Records its argv; `update` fails with apt's lock message while $FAKE_LOCKED_FOR calls remain.
FAKE_APT = """#!/bin/sh
printf '%s\\n' "$*" >>"$FAKE_LOG"
case "$*" in
*" update "*|*" update")
  n=$(grep -c ' update' "$FAKE_LOG")
  if [ "$n" -le "${FAKE_LOCKED_FOR:-0}" ]; then
    echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
    echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
    exit 100
  fi
  [ -n "${FAKE_UPDATE_FAILS:-}" ] && { echo "E: The repository is not signed." >&2; exit 100; }
  ;;
esac
exit 0
"""


@pytest.fixture
def fake_root(tmp_path):
    """A PATH with only a fake apt-get, an `id` that says root, and sleep (so zsh, groff, man are missing)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "apt-get").write_text(FAKE_APT)
    (bindir / "id").write_text("#!/bin/sh\necho 0\n")
    for exe in ("apt-get", "id"):
        (bindir / exe).chmod(0o755)
    for tool in ("sleep", "grep", "cat"):
        os.symlink(shutil.which(tool), bindir / tool)
    log = tmp_path / "apt.log"
    env = {"PATH": str(bindir), "FAKE_LOG": str(log), "SYSDEPS_LOCK_POLL": "0.05", "HOME": str(tmp_path)}
    return env, log


def sysdeps(env, **extra):
    return subprocess.run(
        [shutil.which("bash"), str(SYSDEPS)], env=dict(env, **extra), capture_output=True, text=True, timeout=60
    )


def test_waits_for_the_lists_lock_then_installs_waiting_for_dpkgs_lock(fake_root):
    env, log = fake_root
    p = sysdeps(env, FAKE_LOCKED_FOR="2")
    assert p.returncode == 0, p.stderr
    calls = log.read_text().splitlines()
    assert calls[:3] == ["-o DPkg::Lock::Timeout=300 update -qq"] * 3
    assert calls[3].startswith("-o DPkg::Lock::Timeout=300 install -y -qq zsh groff-base man-db")
    assert len(calls) == 4
    assert p.stderr.count("another apt holds its lock; waiting (up to 300s)") == 2


def test_gives_up_when_the_lock_stays_held(fake_root):
    env, log = fake_root
    p = sysdeps(env, FAKE_LOCKED_FOR="1000", SYSDEPS_LOCK_WAIT="1")
    assert p.returncode != 0
    assert "another apt still holds its lock after 1s" in p.stderr
    assert all(c == "-o DPkg::Lock::Timeout=1 update -qq" for c in log.read_text().splitlines())


def test_another_failure_is_not_waited_for(fake_root):
    env, log = fake_root
    p = sysdeps(env, FAKE_UPDATE_FAILS="1")
    assert p.returncode != 0 and "The repository is not signed." in p.stderr
    assert log.read_text().splitlines() == ["-o DPkg::Lock::Timeout=300 update -qq"]
