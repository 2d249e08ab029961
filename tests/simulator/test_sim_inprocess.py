"""The in-process backend answers as the REST backend does over HTTP, on the same simulated MaxScale."""

from __future__ import annotations

from typing import Any

import pytest

from mcsctl.backends.base import Connection
from mcsctl.backends.rest import RestBackend
from mcsctl.errors import Refused, UnknownServer, UsageError
from simulator.clock import VirtualClock
from simulator.inprocess import InProcessBackend, SimClock


@pytest.fixture
def pair(vsim: Any) -> Any:
    rest = RestBackend(Connection(host=vsim.host))
    yield rest, InProcessBackend(vsim.maxscale, vsim.host)
    rest.close()


def test_reads_are_the_same_as_over_rest(pair: Any, vsim: Any) -> None:
    rest, local = pair
    vsim.control("POST", "sessions", {"count": 2})
    assert local.list_servers() == rest.list_servers()
    assert local.list_sessions() == rest.list_sessions()
    assert local.list_monitors() == rest.list_monitors()
    assert local.config_sync_cluster() == rest.config_sync_cluster()


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("set_state", ("nosuch", "maintenance")),  # 404: an unknown server
        ("set_state", ("mcs1", "maintenance")),  # 400: the primary is refused
        ("set_state", ("mcs2", "master")),  # 400: a monitored server takes no role bits by hand
        ("switchover", ("NoMonitor", "mcs2")),  # 400: no such monitor
        ("set_state", ("bad/name", "maintenance")),  # refused before any request
    ],
)
def test_errors_map_as_the_rest_backend_maps_them(pair: Any, call: str, args: tuple[str, ...]) -> None:
    rest, local = pair
    errors = []
    for backend in (rest, local):
        with pytest.raises((UnknownServer, Refused, UsageError)) as exc:
            getattr(backend, call)(*args)
        errors.append((type(exc.value), str(exc.value), getattr(exc.value, "host", None)))
    assert errors[0] == errors[1]


def test_changes_reach_the_model_and_describe_is_the_rest_request(pair: Any, vsim: Any) -> None:
    rest, local = pair
    local.set_state("mcs3", "maintenance", force=True)
    assert "Maintenance" in {s.name: s.state for s in rest.list_servers()}["mcs3"]
    local.clear_state("mcs3", "maintenance")
    local.switchover("MariaDB-Monitor", "mcs2", "mcs1")
    assert {s.name: s.state for s in rest.list_servers()}["mcs2"] == "Master, Running"
    assert local.describe_set("mcs3", "drain") == rest.describe_set("mcs3", "drain")
    assert local.describe_switchover("M", "a", "b") == rest.describe_switchover("M", "a", "b")


def test_sim_clock_sleep_advances_simulated_time_and_ticks() -> None:
    from simulator.model import Cluster, MaxScale

    virtual = VirtualClock()
    ms = MaxScale(Cluster(virtual))
    local, clock = InProcessBackend(ms, "x:8989"), SimClock(virtual)
    before = local.list_monitors()[0].ticks or 0
    clock.sleep(5)
    assert clock.now() == 5 and (local.list_monitors()[0].ticks or 0) > before
    assert InProcessBackend(ms, "x:8989", report_ticks=False).list_monitors()[0].ticks is None
