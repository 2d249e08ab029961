"""pytest fixtures: in-process simulated MaxScales on 127.0.0.1 (ephemeral ports) and a maxctrl stand-in.

Each simulator serves `simulator.api.make_app` from a background thread with its own event loop,
so synchronous tests and subprocesses (maxctrl, mcsctl) can all talk to it over HTTP.

    def test_x(maxscale_sim):            # defaults, real clock
    def test_y(make_sim):                # make_sim(scenario=..., profile="legacy", clock=VirtualClock())
    def test_z(maxscale_sims):           # maxscale_sims(n=2) -> two MaxScales over one Cluster
    def test_w(maxctrl_bin, maxscale_sim)  # `maxctrl` on PATH runs python -m simulator.maxctrl
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shlex
import stat
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .clock import RealClock, VirtualClock
from .model import Cluster, MaxScale
from .scenario import load_scenario

__all__ = ["SimHandle", "start_sim", "start_sims"]


class _LoopThread:
    """An asyncio event loop in a daemon thread, serving one aiohttp app."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="maxscale-sim", daemon=True)
        self.thread.start()
        self.runner: Any = None

    def run(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def serve(self, maxscale: MaxScale, host: str, port: int) -> int:
        from .serving import start_server

        self.runner, bound = self.run(start_server(maxscale, host, port, reuse_address=True))
        return int(bound)

    def serve_cmapi(self, model: Any, port: int) -> None:
        from .cmapi_serving import start_cmapi

        self.cmapi_runner = self.run(start_cmapi(model, port), timeout=60.0)

    def stop(self) -> None:
        cmapi = getattr(self, "cmapi_runner", None)
        if cmapi is not None:
            from .cmapi_serving import stop_cmapi

            try:
                self.run(stop_cmapi(cmapi))
            except Exception:  # noqa: BLE001 - teardown must go on
                pass
            self.cmapi_runner = None
        if self.runner is not None:
            try:
                self.run(self.runner.cleanup())
            except Exception:  # noqa: BLE001 - teardown must go on
                pass
            self.runner = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        if not self.thread.is_alive():
            self.loop.close()


class SimHandle:
    """One running simulated MaxScale: where it listens, its model, and helpers to drive it."""

    def __init__(self, maxscale: MaxScale, host: str = "127.0.0.1", port: int = 0) -> None:
        self.maxscale = maxscale
        self.cluster = maxscale.cluster
        self.clock = maxscale.clock
        self._loop = _LoopThread()
        self.port = self._loop.serve(maxscale, host, port)
        self.address = host
        self.host = f"{host}:{self.port}"
        self.url = f"http://{self.host}"
        self.cmapi_port: int | None = None
        self.cmapi_key: str | None = None
        self.cmapi_ca: str | None = None  # the CA certificate file with columnstore={"tls": "ca"}
        if self.cluster.columnstore is not None:
            spec = self.cluster.columnstore.spec
            self.cmapi_port, self.cmapi_key = spec.port, spec.key
            if spec.tls == "ca":
                from .cmapi_certs import ca_file

                self.cmapi_ca = ca_file()
            if not getattr(self.cluster, "cmapi_served", False):  # one set of listeners per cluster
                self._loop.serve_cmapi(self.cluster.columnstore, spec.port)
                self.cluster.cmapi_served = True

    @property
    def columnstore(self) -> Any:
        """The ColumnStore model (simulator.cmapi_model.CsModel), None without --columnstore."""
        return self.cluster.columnstore

    def cmapi(
        self, node: str, method: str, path: str, json: Any = None, key: str | None = "", timeout: float = 10
    ) -> tuple[int, Any]:
        """HTTPS to a node's CMAPI (server name; path after /cmapi/0.4.0/, or /cmapi/ready): (status, JSON).
        key "" sends this simulator's key, None sends none. A test helper, not a client."""
        from .cmapi_client import call

        model = self.cluster.columnstore
        address = model.node(node).address
        return call(address, self.cmapi_port or 0, method, path, json, self.cmapi_key if key == "" else key, timeout)

    # --- HTTP helpers ---
    def _http(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict, bytes]:
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def control(self, method: str, path: str, json: Any = None) -> tuple[int, Any]:
        """Plain HTTP to /sim/PATH; returns (status, parsed JSON body or raw text)."""
        import json as _json

        path = "/" + path.lstrip("/")
        if not path.startswith("/sim/"):
            path = "/sim" + path
        data = None if json is None else _json.dumps(json).encode()
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        status, _, raw = self._http(method.upper(), path, data, hdrs)
        try:
            return status, _json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def api(
        self, method: str, path: str, user: str = "admin", password: str = "mariadb", auth: bool = True
    ) -> tuple[int, dict, bytes]:
        """Plain HTTP to the REST API (path like /v1/servers); returns (status, headers, raw body)."""
        headers = {}
        if auth:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        data = b"" if method.upper() in ("PUT", "POST") else None
        return self._http(method.upper(), path, data, headers)

    def get_json(self, path: str) -> Any:
        status, _, raw = self.api("GET", path)
        assert status == 200, (status, raw)
        return json.loads(raw)

    # --- model helpers ---
    def load(self, scenario: Any) -> None:
        self.maxscale.load(load_scenario(scenario))

    def reset(self) -> None:
        self.maxscale.reset()

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.maxscale.sync()

    def stop(self) -> None:
        self._loop.stop()

    def __repr__(self) -> str:
        return f"<SimHandle {self.url} profile={self.maxscale.profile}>"


def columnstore_scenario(scenario: Any, columnstore: Any) -> Any:
    """The scenario with every server a ColumnStore node (columnstore=True or a dict of the scenario's
    `columnstore` keys: failover, tick, key, storage, version, primary, nodes ...), on a port free on
    every node address unless the dict gives `port`."""
    from .cmapi_spec import enable_columnstore, node_address

    source = load_scenario(scenario).source
    if not columnstore and source.get("columnstore") is None:
        return scenario
    options = dict(columnstore) if isinstance(columnstore, dict) else {}
    doc = enable_columnstore(source, options)
    if "port" not in doc["columnstore"]:
        from .cmapi_serving import shared_port

        doc["columnstore"]["port"] = shared_port([node_address(i) for i in range(len(doc["servers"]))])
    return doc


def start_sim(
    scenario: Any = None,
    profile: str | None = None,
    clock: Any = None,
    users: dict | None = None,
    cluster: Cluster | None = None,
    port: int = 0,
    name: str = "maxscale",
    columnstore: Any = None,
) -> SimHandle:
    """Start one simulated MaxScale (a new Cluster unless one is given). Call .stop() when done.
    `columnstore`: True or a dict (see columnstore_scenario) serves a CMAPI per server over HTTPS."""
    scenario = columnstore_scenario(scenario, columnstore)
    clock = clock or (cluster.clock if cluster else RealClock())
    cluster = cluster or Cluster(clock)
    ms = MaxScale(cluster, load_scenario(scenario), name=name, profile=profile, users=users)
    return SimHandle(ms, port=port)


def start_sims(
    n: int = 2,
    scenario: Any = None,
    profile: str | None = None,
    clock: Any = None,
    users: dict | None = None,
    columnstore: Any = None,
) -> list[SimHandle]:
    """n MaxScales over ONE shared Cluster (an HA pair when n=2); the first serves the CMAPI listeners."""
    sc = load_scenario(columnstore_scenario(scenario, columnstore))
    cluster = Cluster(clock or RealClock())
    return [start_sim(sc, profile, users=users, cluster=cluster, name=f"maxscale{i + 1}") for i in range(n)]


@pytest.fixture
def make_sim() -> Any:
    """Factory: make_sim(scenario=None, profile=None, clock=None, users=None, columnstore=None) -> SimHandle."""
    handles: list[SimHandle] = []

    def factory(
        scenario: Any = None,
        profile: str | None = None,
        clock: Any = None,
        users: dict | None = None,
        columnstore: Any = None,
    ) -> SimHandle:
        h = start_sim(scenario, profile, clock, users, columnstore=columnstore)
        handles.append(h)
        return h

    yield factory
    for h in handles:
        h.stop()


@pytest.fixture
def maxscale_sim(make_sim: Callable[..., SimHandle]) -> SimHandle:
    """One simulated MaxScale with the default (real-24.02) topology and a real clock."""
    return make_sim()


@pytest.fixture
def maxscale_sims() -> Any:
    """Factory: maxscale_sims(n=2, scenario=None, profile=None, clock=None, columnstore=None) -> [SimHandle]
    sharing one Cluster."""
    handles: list[SimHandle] = []

    def factory(
        n: int = 2, scenario: Any = None, profile: str | None = None, clock: Any = None, columnstore: Any = None
    ) -> list[SimHandle]:
        hs = start_sims(n, scenario, profile, clock, columnstore=columnstore)
        handles.extend(hs)
        return hs

    yield factory
    for h in handles:
        h.stop()


@pytest.fixture
def maxctrl_bin(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp dir holding an executable `maxctrl` (the stand-in), prepended to PATH."""
    bindir = tmp_path_factory.mktemp("maxctrl-bin")
    script = bindir / "maxctrl"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m simulator.maxctrl "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return bindir


__all__ += ["VirtualClock"]
