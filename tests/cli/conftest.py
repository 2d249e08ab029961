"""Run mcsctl against in-process simulators: its entry point in this process by default (tests/cli/inprocess.py),
the installed `mcsctl` as a subprocess for a test marked `real_process` (signals, ptys, closed descriptors,
two mcsctl processes at once, what the interpreter does at start-up) and for every COMMAND run (`run`,
`rolling`), whose child inherits the real process's descriptors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .inprocess import run_main

MCSCTL = shutil.which("mcsctl", path=str(Path(sys.executable).parent)) or "mcsctl"
# Commands that start the admin's COMMAND: it writes to the real process's stdout, so they run as one.
_STARTS_A_CHILD = frozenset({"run", "rolling"})
# TESTS_REAL_PROCESS=1 runs every call as a real process (to compare, or to rule the in-process runner out).
_ALL_REAL = os.environ.get("TESTS_REAL_PROCESS") == "1"


def _needs_process(request: pytest.FixtureRequest, args: tuple[str, ...]) -> bool:
    if _ALL_REAL or request.node.get_closest_marker("real_process") is not None:
        return True
    return bool(_STARTS_A_CHILD & set(args))


def _invoke(
    request: pytest.FixtureRequest, args: tuple[str, ...], env: dict[str, str], input: str | None, timeout: float
) -> Result:
    """One mcsctl run: in this process, or as a real one where the test needs it (see module docstring)."""
    if not _needs_process(request, args):
        return Result(*run_main(list(args), env, input))
    p = subprocess.run(
        [MCSCTL, *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=None if input is not None else subprocess.DEVNULL,
    )
    return Result(p.returncode, p.stdout, p.stderr)


@dataclass
class Result:
    rc: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """A clean environment: private journal, cache and config; nothing from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCSCTL_")}
    env.update(
        MCSCTL_JOURNAL=str(tmp_path / "journal.jsonl"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),  # the per-server locks
        MCSCTL_POLL_INTERVAL="0.05",
        MCSCTL_CONFIRM_TIMEOUT="5",
        NO_COLOR="1",
    )
    return env


@pytest.fixture(params=["maxctrl", "rest"])
def backend(request):
    return request.param


@pytest.fixture
def mcsctl(cli_env, backend, request):
    """mcsctl(*args, hosts=[sim...], input=None, env={}) -> Result, through the chosen backend."""
    if backend == "maxctrl":
        request.getfixturevalue("maxctrl_bin")

    def run(*args, hosts=(), env=None, input=None, timeout=60, use_backend=True):
        e = dict(cli_env)
        e["PATH"] = os.environ["PATH"]
        if hosts:
            e["MCSCTL_HOSTS"] = ",".join(h if isinstance(h, str) else h.host for h in hosts)
        if use_backend:
            e["MCSCTL_BACKEND"] = backend
        e.update(env or {})
        return _invoke(request, args, e, input, timeout)

    run.backend = backend
    return run


def state_of(sim, name: str) -> str:
    """The server's state string as the simulator's REST API reports it."""
    import base64
    import urllib.request

    req = urllib.request.Request(f"{sim.url}/v1/servers/{name}")
    req.add_header("Authorization", "Basic " + base64.b64encode(b"admin:mariadb").decode())
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)["data"]["attributes"]["state"]


@pytest.fixture
def rest_mcsctl(cli_env, request):
    """mcsctl through the REST backend only (the procedures are backend-independent; the contract suite and
    test_maintenance_e2e cover both backends)."""

    def run(*args, hosts=(), env=None, timeout=60):
        e = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest")
        if hosts:
            e["MCSCTL_HOSTS"] = ",".join(h if isinstance(h, str) else h.host for h in hosts)
        e.update(env or {})
        return _invoke(request, args, e, None, timeout)

    def start(*args, hosts=(), env=None, ignore_sigint=False):
        """Start mcsctl in the background (stdout/stderr captured); returns the Popen."""
        import signal

        e = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="rest")
        if hosts:
            e["MCSCTL_HOSTS"] = ",".join(h if isinstance(h, str) else h.host for h in hosts)
        e.update(env or {})
        ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None
        return subprocess.Popen(
            [MCSCTL, *args],
            env=e,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
            preexec_fn=ignore,
        )

    run.start = start
    return run


def wait_for(predicate, timeout=10.0, what="condition"):
    """Poll a cheap predicate (simulator state, a marker file) in small steps; fail after timeout."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def finish(proc, timeout=30):
    out, err = proc.communicate(timeout=timeout)
    return Result(proc.returncode, out, err)
