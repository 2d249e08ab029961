"""Both backends must report the same Server lists for the same simulator state."""

from __future__ import annotations

import pytest

from .conftest import USERS, control, make_backend

# Every rendering the REST documents and maxctrl's table can disagree on: socket servers,
# unmonitored servers, missing GTIDs, state_details, Down, Auth Error, drain and maintenance.
ODD_CLUSTER = {
    "users": USERS,
    "monitors": [{"name": "mon-a"}],
    "services": [{"name": "svc"}],
    "servers": [
        {"name": "db1", "role": "master", "port": 3306, "monitor": "mon-a", "services": ["svc"]},
        {
            "name": "db2",
            "role": "slave",
            "port": 3307,
            "monitor": "mon-a",
            "services": ["svc"],
            "state_details": "Slave of External Server",
        },
        {"name": "db3", "role": "slave", "port": 3308, "monitor": "mon-a", "drain": True, "services": ["svc"]},
        {"name": "db4", "role": "slave", "port": 3309, "monitor": "mon-a", "running": False, "gtid": None},
        {"name": "db5", "role": "slave", "port": 3310, "monitor": "mon-a", "maintenance": True},
        {
            "name": "db6",
            "role": None,
            "address": None,
            "port": None,
            "socket": "/run/mysqld/db6.sock",
            "monitor": None,
            "services": [],
            "gtid": None,
        },
        {"name": "db7", "role": "slave", "port": 3312, "monitor": "mon-a", "auth_error": True},
        {"name": "db-\u00e9\u4e2d", "role": "slave", "address": "::1", "port": 3313, "monitor": "mon-a"},
    ],
    "sessions": [{"count": 3, "servers": ["db1", "db3"]}],
}


@pytest.fixture
def both(maxctrl_bin):
    import os

    path = str(maxctrl_bin)
    path = path if os.path.isfile(path) else os.path.join(path, "maxctrl")

    def _both(sim):
        return make_backend("rest", sim.host), make_backend("maxctrl", sim.host, maxctrl=path)

    return _both


def test_default_topology(make_sim, both):
    from simulator.clock import VirtualClock

    sim = make_sim(clock=VirtualClock(), users=USERS)
    rest, mc = both(sim)
    assert rest.list_servers() == mc.list_servers()
    control(sim, "POST", "/sim/sessions", {"count": 2, "servers": ["mcs1", "mcs2"]})
    rest.set_state("mcs2", "drain")
    mc.set_state("mcs3", "maintenance")
    got = rest.list_servers()
    assert got == mc.list_servers()
    assert [s.state for s in got] == ["Master, Running", "Draining, Slave, Running", "Maintenance, Running"]


def test_odd_cluster(make_sim, both):
    from simulator.clock import VirtualClock

    sim = make_sim(scenario=ODD_CLUSTER, clock=VirtualClock(), users=USERS)
    rest, mc = both(sim)
    got = rest.list_servers()
    assert len(got) == len(ODD_CLUSTER["servers"])
    assert got == mc.list_servers()
    by = {s.name: s for s in got}
    assert by["db2"].details == "Slave of External Server"
    assert (by["db6"].address, by["db6"].port, by["db6"].monitor) == ("/run/mysqld/db6.sock", None, None)


def test_sessions_and_monitors_agree(make_sim, both):
    from simulator.clock import VirtualClock

    sim = make_sim(scenario=ODD_CLUSTER, clock=VirtualClock(), users=USERS)
    rest, mc = both(sim)
    assert rest.list_sessions() == mc.list_sessions()
    assert rest.list_monitors() == mc.list_monitors()
