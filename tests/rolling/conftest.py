"""Fixtures of the rolling integration tests: a fast simulator and the real `mcsctl` entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RESTART = str(Path(__file__).with_name("restart_node.py"))


def scenario(n: int = 3, sessions: list | None = None) -> dict:
    """n servers (mcs1 the primary), a 50 ms monitor so restarts are seen quickly."""
    return {
        "monitors": [{"name": "MariaDB-Monitor", "monitor_interval": 50}],
        "servers": [
            {"name": f"mcs{i}", "port": 3310 + i, "role": "master" if i == 1 else "slave", "server_id": i}
            for i in range(1, n + 1)
        ],
        "sessions": sessions or [],
    }


@pytest.fixture
def fast_sim(make_sim):
    """fast_sim(n=3, sessions=None) -> a real-clock simulator whose restarted replicas catch up in 0.2 s."""

    def factory(n: int = 3, sessions: list | None = None):
        sim = make_sim(scenario=scenario(n, sessions))
        sim.cluster.catchup_seconds = 0.2
        return sim

    return factory


@pytest.fixture
def mcsctl(tmp_path):
    """mcsctl(sim, *args) -> CompletedProcess of `python -m mcsctl --backend rest -H sim ... ARGS`."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("MCSCTL_"):
            del env[key]
    env.update(
        MCSCTL_JOURNAL=str(tmp_path / "journal.jsonl"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
    )

    def run(sim, *args, timeout: float = 60):
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
            "--confirm-timeout",
            "5",
            *args,
        ]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)

    run.journal = tmp_path / "journal.jsonl"
    return run


def restart_cmd(sim, seconds: float = 0.3, *extra: str) -> list[str]:
    return ["--", sys.executable, RESTART, sim.url, "{server}", str(seconds), *extra]


def states(sim) -> dict:
    _, body = sim.control("GET", "state")
    return {n: s["state"] for n, s in body["servers"].items()}


def journal(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
