"""`maxscale-sim` as a subprocess: listens where it says, serves HTTP, stops cleanly, rejects bad input."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

AUTH = {"Authorization": "Basic " + base64.b64encode(b"admin:mariadb").decode()}


def free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
        try:
            with socket.socket() as b:
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    pytest.skip("no two adjacent free ports")


def start(*args: str) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    return proc, []


def get(url: str, headers: dict | None = None):
    req = urllib.request.Request(url, headers=headers or AUTH)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, json.loads(resp.read() or b"null")


def test_standalone_two_instances_serve_and_stop_on_sigterm():
    port = free_port_pair()
    proc, _ = start("--port", str(port), "--instances", "2", "--servers", "db1,db2,db3", "--profile", "legacy")
    try:
        lines = [proc.stdout.readline().rstrip("\n") for _ in range(2)]
        assert lines == [
            f"maxscale-sim: MaxScale 24.02.4 simulator listening on http://127.0.0.1:{port + k} (profile legacy)"
            for k in range(2)
        ]
        status, doc = get(f"http://127.0.0.1:{port}/v1/servers")
        assert status == 200
        assert [(s["id"], s["attributes"]["state"]) for s in doc["data"]] == [
            ("db1", "Master, Running"),
            ("db2", "Slave, Running"),
            ("db3", "Slave, Running"),
        ]
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/servers/db1/set?state=maintenance", method="PUT", headers=AUTH
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 204  # legacy profile: the primary may enter maintenance
        _, other = get(f"http://127.0.0.1:{port + 1}/v1/servers/db1")
        assert other["data"]["attributes"]["state"] == "Master, Running"  # per-instance flags
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_standalone_sigint_and_scenario_file(tmp_path):
    port = free_port_pair()
    sc = tmp_path / "sc.json"
    sc.write_text(json.dumps({"users": {"ops": "pw"}, "servers": [{"name": "solo", "role": "master"}]}))
    proc, _ = start("--port", str(port), "--scenario", str(sc))
    try:
        assert "listening on" in proc.stdout.readline()
        headers = {"Authorization": "Basic " + base64.b64encode(b"ops:pw").decode()}
        _, doc = get(f"http://127.0.0.1:{port}/v1/servers", headers)
        assert [s["id"] for s in doc["data"]] == ["solo"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "Traceback" not in err


@pytest.mark.parametrize(
    "content,message",
    [
        ("{oops", "not valid JSON"),
        ('{"servers": [{"name": "a", "role": "boss"}]}', "role"),
        ('{"profile": "9.9"}', "profile"),
    ],
)
def test_bad_scenario_is_one_line_and_exit_2(tmp_path, content, message):
    sc = tmp_path / "bad.json"
    sc.write_text(content)
    r = subprocess.run(
        [sys.executable, "-m", "simulator", "--scenario", str(sc)], capture_output=True, text=True, timeout=30
    )
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and message in r.stderr and r.stderr.startswith("maxscale-sim: ")
    assert r.stdout == ""


def test_missing_scenario_file_exit_2(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "simulator", "--scenario", str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 2 and "cannot read" in r.stderr and "Traceback" not in r.stderr
