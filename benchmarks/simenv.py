"""The world the benchmarks run in: an isolated HOME/XDG, the maxctrl stand-in, standalone simulators."""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USER, PASSWORD = "admin", "mariadb"


def entry_point(name: str, module: str) -> list[str]:
    """The installed console script next to this interpreter, else `python -m module`."""
    exe = BIN / name
    return [str(exe)] if exe.exists() else [sys.executable, "-m", module]


class Workspace:
    """A temp dir acting as HOME and XDG dirs (no config, journal or cache of the user's leaks in),
    plus a bin dir holding `maxctrl` (the Python stand-in, as simulator.pytest_plugin makes it)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mcsctl-bench-"))
        self.bin = self.dir / "bin"
        self.bin.mkdir()
        self.maxctrl = self.bin / "maxctrl"
        self.maxctrl.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m simulator.maxctrl "$@"\n')
        self.maxctrl.chmod(self.maxctrl.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MCSCTL_", "MAXCTRL"))}
        env.update(
            HOME=str(self.dir),
            XDG_CONFIG_HOME=str(self.dir / "config"),
            XDG_CACHE_HOME=str(self.dir / "cache"),
            XDG_STATE_HOME=str(self.dir / "state"),
            PATH=f"{self.bin}{os.pathsep}{BIN}{os.pathsep}{env.get('PATH', '')}",
            LC_ALL="C.UTF-8",
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # .pyc caching as in normal use
        self.env = env

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Sim:
    """A standalone `maxscale-sim` subprocess on an ephemeral loopback port (real clock).

    A separate process, so the benchmark's own clients do not share its event loop or GIL.
    """

    def __init__(self, env: dict, servers: list[str] | None = None, extra: list[str] | None = None) -> None:
        argv = entry_point("maxscale-sim", "simulator") + ["--host", "127.0.0.1", "--port", "0"]
        if servers:
            argv += ["--servers", ",".join(servers)]
        argv += extra or []  # e.g. --columnstore: its CMAPI lines follow the first one on stdout
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # "... listening on http://127.0.0.1:PORT (profile ...)"
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError(f"maxscale-sim did not start: {line!r} {self.proc.stderr.read()[:400]!r}")
        self.port = int(m.group(1))
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.auth = {"Authorization": f"Basic {token}"}

    def request(self, method: str, path: str, body: object = None, auth: bool = False) -> tuple[int, object]:
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self.auth) if auth else {}
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw, status = resp.read(), resp.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw

    def control(self, method: str, path: str, body: object = None) -> object:
        status, doc = self.request(method, "/sim/" + path.lstrip("/"), body)
        if status != 200:
            raise RuntimeError(f"simulator control {method} {path}: {status} {doc!r}")
        return doc

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> Sim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port free on this host now (for a listener the child binds itself, e.g. CMAPI's)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float = 5.0, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
