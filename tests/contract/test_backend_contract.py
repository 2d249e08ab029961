"""The Backend contract: every backend gives the same answers and errors against the simulator.

Each test runs once per backend (`rest`, `maxctrl`); see conftest.py. Adding a backend means
passing this suite.
"""

from __future__ import annotations

import re
import shlex

import pytest

from mcsctl.errors import AuthFailed, ExitCode, Refused, UnknownServer, Unreachable, UsageError
from simulator.clock import VirtualClock
from tests.ports import closed_port

from .conftest import PASSWORD, USERS, control

PRIMARY_REFUSED = (
    "The server is primary, so it cannot be set in maintenance or draining mode. "
    "First perform a switchover and then retry the operation."
)
MONITOR = "MariaDB-Monitor"


def states(backend) -> dict[str, str]:
    return {s.name: s.state for s in backend.list_servers()}


def conns(backend) -> dict[str, int | None]:
    return {s.name: s.connections for s in backend.list_servers()}


# -- reading ---------------------------------------------------------------------------------


def test_list_servers(backend, sim):
    servers = backend.list_servers()
    assert [s.name for s in servers] == ["mcs1", "mcs2", "mcs3"]
    assert [s.state for s in servers] == ["Master, Running", "Slave, Running", "Slave, Running"]
    assert [(s.address, s.port) for s in servers] == [("127.0.0.1", 3311), ("127.0.0.1", 3312), ("127.0.0.1", 3313)]
    assert {s.monitor for s in servers} == {MONITOR}
    assert all(re.fullmatch(r"\d+-\d+-\d+", s.gtid or "") for s in servers)
    assert len({s.gtid for s in servers}) == 1  # replicas caught up
    assert [s.connections for s in servers] == [0, 0, 0]
    assert {s.maxscale for s in servers} == {sim.host}
    assert all(s.details == "" for s in servers)


def test_list_monitors(backend):
    (mon,) = backend.list_monitors()
    assert (mon.name, mon.module, mon.state, mon.primary) == (MONITOR, "mariadbmon", "Running", "mcs1")
    assert mon.servers == ("mcs1", "mcs2", "mcs3")
    assert mon.running


def test_list_sessions_shows_held_servers(backend, sim):
    assert backend.list_sessions() == []
    ids = control(sim, "POST", "/sim/sessions", {"count": 1, "servers": ["mcs1", "mcs3"]})["ids"]
    (sess,) = backend.list_sessions()
    assert str(sess.id) == str(ids[0])
    assert sess.servers == ("mcs1", "mcs3")
    assert sess.maxscale == sim.host
    assert conns(backend) == {"mcs1": 1, "mcs2": 0, "mcs3": 1}


# -- maintenance and drain -----------------------------------------------------------------------


def test_set_and_clear_maintenance(backend):
    assert backend.set_state("mcs3", "maintenance") is None
    assert states(backend)["mcs3"] == "Maintenance, Running"
    backend.set_state("mcs3", "maintenance")  # already set: still fine, as in MaxScale
    assert backend.clear_state("mcs3", "maintenance") is None
    assert states(backend)["mcs3"] == "Slave, Running"
    backend.clear_state("mcs3", "maintenance")  # not set: still fine


def test_drain_until_drained(backend, sim):
    ids = control(sim, "POST", "/sim/sessions", {"count": 1, "servers": ["mcs1", "mcs3"]})["ids"]
    backend.set_state("mcs3", "drain")
    assert states(backend)["mcs3"] == "Draining, Slave, Running"
    control(sim, "DELETE", f"/sim/sessions/{ids[0]}")
    assert states(backend)["mcs3"] == "Drained, Slave, Running"
    backend.set_state("mcs3", "maintenance")
    assert states(backend)["mcs3"] == "Maintenance, Running"  # Maintenance hides the drain
    backend.clear_state("mcs3", "drain")
    backend.clear_state("mcs3", "maintenance")
    assert states(backend)["mcs3"] == "Slave, Running"


def test_maintenance_without_force_keeps_connections(backend, sim):
    control(sim, "POST", "/sim/sessions", {"count": 2, "servers": ["mcs1", "mcs3"]})
    backend.set_state("mcs3", "maintenance")
    assert conns(backend)["mcs3"] == 2  # closed lazily, at each session's next request


def test_force_closes_connections(backend, sim):
    control(sim, "POST", "/sim/sessions", {"count": 2, "servers": ["mcs1", "mcs3"]})
    backend.set_state("mcs3", "maintenance", force=True)
    servers = {s.name: s for s in backend.list_servers()}
    assert (servers["mcs3"].state, servers["mcs3"].connections) == ("Maintenance, Running", 0)
    assert all("mcs3" not in s.servers for s in backend.list_sessions())


@pytest.mark.parametrize("state, force", [("maintenance", False), ("maintenance", True), ("drain", False)])
def test_primary_refused(backend, sim, state, force):
    with pytest.raises(Refused) as e:
        backend.set_state("mcs1", state, force=force)
    assert e.value.detail == PRIMARY_REFUSED
    assert e.value.status in (400, None)  # the REST backend knows it; maxctrl shows it in its message
    assert e.value.host == sim.host and e.value.exit_code == ExitCode.FAILED
    assert states(backend)["mcs1"] == "Master, Running"


def test_refusal_detail_is_the_last_one(backend, sim):
    """A refused non-maintenance state leaves a stale detail behind in MaxScale (reference §1.1)."""
    with pytest.raises(Refused):
        backend.set_state("mcs3", "master")
    with pytest.raises(Refused) as e:
        backend.set_state("mcs1", "maintenance")
    assert e.value.detail == PRIMARY_REFUSED


@pytest.mark.parametrize("verb", ["set", "clear"])
def test_unknown_server(backend, sim, verb):
    call = backend.set_state if verb == "set" else backend.clear_state
    with pytest.raises(UnknownServer) as e:
        call("nosuch", "maintenance")
    assert (e.value.server, e.value.host) == ("nosuch", sim.host)
    assert e.value.exit_code == ExitCode.FAILED


def test_bad_names_are_usage_errors(backend):
    for name in ("a b", "a/b", "x?y", "@@x", ""):
        with pytest.raises(UsageError):
            backend.set_state(name, "maintenance")


# -- switchover ----------------------------------------------------------------------------------


def test_switchover(backend, sim):
    assert backend.switchover(MONITOR, "mcs2", "mcs1") is None
    sim.clock.advance(5)  # let the monitor tick, whether or not the simulator needs it
    assert states(backend) == {"mcs1": "Slave, Running", "mcs2": "Master, Running", "mcs3": "Slave, Running"}
    assert backend.list_monitors()[0].primary == "mcs2"
    backend.set_state("mcs1", "maintenance")  # the old primary may now go into maintenance
    assert states(backend)["mcs1"] == "Maintenance, Running"


def test_switchover_bad_target_refused(backend, sim):
    with pytest.raises(Refused) as e:
        backend.switchover(MONITOR, "nosuch")
    assert e.value.detail == "Argument 2, server not found: nosuch"
    assert states(backend)["mcs1"] == "Master, Running"


# -- failures to reach or authenticate --------------------------------------------------------


def test_wrong_password(connect, sim):
    b = connect(sim, password="wrong")
    for call in (b.list_servers, lambda: b.set_state("mcs3", "maintenance")):
        with pytest.raises(AuthFailed) as e:
            call()
        assert e.value.host == sim.host and e.value.exit_code == ExitCode.UNREACHABLE
        assert "wrong" not in str(e.value)
    assert states(connect(sim))["mcs3"] == "Slave, Running"


def test_nothing_listening(connect):
    host = f"127.0.0.1:{closed_port()}"  # connections are refused at once
    b = connect(host, timeout=2)
    for call in (b.list_servers, lambda: b.set_state("mcs3", "maintenance")):
        with pytest.raises(Unreachable) as e:
            call()
        assert not isinstance(e.value, AuthFailed)
        assert e.value.host == host and e.value.exit_code == ExitCode.UNREACHABLE


def test_shutting_down(backend, sim):
    control(sim, "POST", "/sim/shutdown-mode", {"on": True})
    with pytest.raises(Unreachable) as e:
        backend.set_state("mcs3", "maintenance")
    assert "shutting down" in str(e.value)


# -- dry run -------------------------------------------------------------------------------------


def test_describe(backend, backend_kind, sim):
    lines = [
        backend.describe_set("mcs3", "maintenance", force=True),
        backend.describe_set("mcs3", "drain"),
        backend.describe_clear("mcs3", "maintenance"),
        backend.describe_switchover(MONITOR, "mcs2", "mcs1"),
    ]
    assert all(PASSWORD not in line for line in lines)
    if backend_kind == "rest":
        base = f"http://{sim.host}"
        assert lines == [
            f"PUT {base}/v1/servers/mcs3/set?state=maintenance&force=yes",
            f"PUT {base}/v1/servers/mcs3/set?state=drain",
            f"PUT {base}/v1/servers/mcs3/clear?state=maintenance",
            f"POST {base}/v1/maxscale/modules/mariadbmon/switchover?{MONITOR}&mcs2&mcs1",
        ]
    else:
        argvs = [shlex.split(line) for line in lines]
        assert _contains(argvs[0], ["set", "server", "mcs3", "maintenance"]) and "--force" in argvs[0]
        assert _contains(argvs[1], ["set", "server", "mcs3", "drain"]) and "--force" not in argvs[1]
        assert _contains(argvs[2], ["clear", "server", "mcs3", "maintenance"])
        assert _contains(argvs[3], ["call", "command", "mariadbmon", "switchover", MONITOR, "mcs2", "mcs1"])
        assert all(sim.host in argv for argv in argvs)
    assert states(backend)["mcs3"] == "Slave, Running"  # describing changes nothing


def _contains(argv: list[str], seq: list[str]) -> bool:
    return any(argv[i : i + len(seq)] == seq for i in range(len(argv)))


# -- older MaxScale release lines (status codes and texts differ, meaning does not) ----------------


@pytest.mark.parametrize(
    "version, status, word",
    [
        ("6.4.15", 403, "master"),
        ("22.08.14", 400, "master"),
        ("23.08.7", 400, "primary"),
        ("24.02.4", 400, "primary"),
    ],
)
def test_release_lines(connect, make_sim, version, status, word):
    sim = make_sim(scenario={"version": version}, clock=VirtualClock(), users=USERS)
    b = connect(sim)
    with pytest.raises(Refused) as e:
        b.set_state("mcs1", "maintenance")
    assert e.value.detail.startswith(f"The server is {word}, so it cannot be set in maintenance")
    assert e.value.status in (status, None)
    with pytest.raises(UnknownServer) as e:  # no 404 body before 23.08
        b.clear_state("nosuch", "maintenance")
    assert e.value.server == "nosuch"
    b.set_state("mcs3", "maintenance")
    assert states(b)["mcs3"] == "Maintenance, Running"


def test_legacy_profile_accepts_the_primary(connect, make_sim):
    sim = make_sim(profile="legacy", clock=VirtualClock(), users=USERS)
    b = connect(sim)
    b.set_state("mcs1", "maintenance")
    assert states(b)["mcs1"] == "Maintenance, Running"


def test_config_sync_cluster(connect, backend, maxscale_sims):
    assert backend.config_sync_cluster() is None
    a, _ = maxscale_sims(2, scenario={"config_sync_cluster": "MariaDB-Monitor"})
    assert connect(a, password="mariadb").config_sync_cluster() == "MariaDB-Monitor"
