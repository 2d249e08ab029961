"""A module command that times out is unknown, not failed (issue 13, MXS-6265): the installed mcsctl, both backends,
against a simulator that carries the switchover out and then answers after the client's timeout."""

from __future__ import annotations

import pytest

from .conftest import state_of

SWITCHOVER = "/v1/maxscale/modules/mariadbmon/switchover"


def late(sim, perform: bool) -> None:
    fault = {"method": "POST", "path": SWITCHOVER, "delay": 3, "perform": perform, "status": 500, "detail": "late"}
    status, body = sim.control("POST", "faults", fault)
    assert status == 200, body


@pytest.mark.real_process
def test_a_switchover_that_happened_is_reported_as_done(mcsctl, maxscale_sim):
    late(maxscale_sim, perform=True)
    r = mcsctl("switchover", "--to", "mcs2", "--yes", hosts=[maxscale_sim], env={"MCSCTL_TIMEOUT": "1"})
    assert r.rc == 0, r.err
    assert "the switchover call got no answer" in r.err
    assert "the switchover happened although its call timed out" in r.err
    assert state_of(maxscale_sim, "mcs2") == "Master, Running"
    assert state_of(maxscale_sim, "mcs1") == "Slave, Running"


@pytest.mark.real_process
def test_a_switchover_that_did_not_happen_reports_the_timeout(mcsctl, maxscale_sim):
    late(maxscale_sim, perform=False)
    env = {"MCSCTL_TIMEOUT": "1", "MCSCTL_CONFIRM_TIMEOUT": "1"}
    r = mcsctl("switchover", "--to", "mcs2", "--yes", hosts=[maxscale_sim], env=env)
    assert r.rc == 3, r.err
    last = r.err.strip().splitlines()[-1]
    assert "timed out" in last and "mcs2 did not become the primary on every MaxScale" in last
    assert state_of(maxscale_sim, "mcs1") == "Master, Running"
