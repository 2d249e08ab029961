"""Fixtures of the Backend contract suite: one simulator, reached through either backend.

`backend_kind` is parametrized over `rest` and `maxctrl` (the maxctrl stand-in via `maxctrl_bin`), so
every contract test runs once per backend, and once per release line of `release` (stand-in and simulator).
`connect(sim, **conn)` builds the backend under test.
"""

from __future__ import annotations

import os

import pytest

from mcsctl.backends.base import Connection
from mcsctl.backends.maxctrl import MaxctrlBackend
from mcsctl.backends.rest import RestBackend

KINDS = ["rest", "maxctrl"]
# 24.02 (captured), the 24.08 branch (captured; one state per set/clear) and develop (99.99.99: no capture covers
# it, so the maxctrl backend reads the servers as JSON through `api get servers`)
RELEASES = ["24.02", "24.08", "develop"]

PASSWORD = "Contract-pw-7"  # distinctive, so a leak into argv/describe output is easy to spot
USERS = {"admin": PASSWORD}


def make_backend(kind: str, host: str, maxctrl: str | None = None, **conn):
    conn.setdefault("password", PASSWORD)
    c = Connection(host=host, **conn)
    if kind == "rest":
        return RestBackend(c)
    return MaxctrlBackend(c, maxctrl=maxctrl)


@pytest.fixture(params=KINDS)
def backend_kind(request) -> str:
    return request.param


@pytest.fixture
def maxctrl_path(backend_kind, request) -> str | None:
    """The stand-in's `maxctrl` executable when the maxctrl backend is under test."""
    if backend_kind != "maxctrl":
        return None
    path = str(request.getfixturevalue("maxctrl_bin"))
    return path if os.path.isfile(path) else os.path.join(path, "maxctrl")


@pytest.fixture(params=RELEASES)
def release(request, monkeypatch) -> str:
    """The release line under test: the stand-in's MAXCTRL_SIM_VERSION and the `sim` fixture's profile."""
    monkeypatch.setenv("MAXCTRL_SIM_VERSION", request.param)
    return str(request.param)


@pytest.fixture
def sim(make_sim, release):
    """A default (real 24.02 topology) simulator on a virtual clock: time moves only when a test says so."""
    from simulator.clock import VirtualClock

    return make_sim(clock=VirtualClock(), users=USERS, profile=release)


@pytest.fixture
def connect(backend_kind, maxctrl_path, release):
    """connect(sim_or_host, **connection_fields) -> the backend under test."""

    def _connect(target, **conn):
        host = target if isinstance(target, str) else target.host
        return make_backend(backend_kind, host, maxctrl=maxctrl_path, **conn)

    return _connect


@pytest.fixture
def backend(connect, sim):
    return connect(sim)


def control(sim, method: str, path: str, json=None):
    """Drive the simulator through its /sim control API; fail loudly on an error answer."""
    status, body = sim.control(method, path, json=json)
    assert 200 <= status < 300, f"{method} {path} -> {status} {body}"
    return body
