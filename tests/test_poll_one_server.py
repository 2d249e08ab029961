"""Confirmation polls read only what they need (issue 17): REST GET /v1/servers/NAME, the same Server as in
the list; backends without a one-server read (maxctrl) still list them all."""

from __future__ import annotations

import json

import pytest

from mcsctl.backends import documents
from mcsctl.backends.base import Connection
from mcsctl.backends.rest import RestBackend
from mcsctl.errors import UnknownServer
from mcsctl.fleet import Fleet

from .golden import GOLDEN

REAL = GOLDEN / "real-24.02"


@pytest.mark.parametrize("case", ["get_server_mcs3", "get_server_mcs1"])
def test_a_real_server_resource_reads_as_its_row_of_the_list(case):
    one = documents.servers_from_document(json.loads((REAL / f"{case}.body").read_text()), "h")
    listed = documents.servers_from_document(json.loads((REAL / "get_servers.body").read_text()), "h")
    assert one == [s for s in listed if s.name == one[0].name]


def test_get_server_against_the_simulator(maxscale_sim):
    b = RestBackend(Connection(host=maxscale_sim.host))
    assert b.get_server("mcs3") == next(s for s in b.list_servers() if s.name == "mcs3")
    with pytest.raises(UnknownServer):
        b.get_server("nosuch")


class Counting:
    """A backend that says what was read (one server or the list)."""

    def __init__(self, inner, one: bool) -> None:
        self.inner, self.host, self.reads = inner, inner.host, []
        if one:
            self.get_server = self._get

    def _get(self, name):
        self.reads.append(f"one {name}")
        return self.inner.get_server(name)

    def list_servers(self):
        self.reads.append("list")
        return self.inner.list_servers()


@pytest.mark.parametrize("one", [True, False])
def test_a_wait_polls_one_server_where_the_backend_can(maxscale_sim, one):
    b = Counting(RestBackend(Connection(host=maxscale_sim.host)), one)
    found = Fleet([b], poll=0.01).wait(lambda s: s.state.endswith("Running"), "mcs3", 5, "running")
    assert found[maxscale_sim.host].name == "mcs3"
    assert b.reads == (["one mcs3"] if one else ["list"])


def test_a_server_the_backend_does_not_know_is_looked_up_in_the_list(maxscale_sim):
    b = Counting(RestBackend(Connection(host=maxscale_sim.host)), True)
    with pytest.raises(UnknownServer) as e:
        Fleet([b], poll=0.01).wait(lambda s: True, "mcs4", 5, "running")
    assert b.reads == ["one mcs4", "list"]
    assert e.value.hint and "mcs" in e.value.hint  # the near-miss hint of a full read
