"""`maintenance on --max-in-maintenance N` end to end: the cluster-wide limit refuses with exit 4, changing nothing."""

from __future__ import annotations

from .conftest import state_of


def test_the_limit_refuses_a_second_server_and_lets_the_first_again(mcsctl, maxscale_sim):
    r = mcsctl("maintenance", "on", "mcs2", "--max-in-maintenance", "1", hosts=[maxscale_sim])
    assert r.rc == 0, r.err
    r = mcsctl("maintenance", "on", "mcs3", "--max-in-maintenance", "1", hosts=[maxscale_sim])
    assert r.rc == 4 and "more than --max-in-maintenance 1 (mcs2 already); nothing was changed" in r.err
    assert "Traceback" not in r.err and state_of(maxscale_sim, "mcs3") == "Slave, Running"
    r = mcsctl("maintenance", "on", "mcs2", "--max-in-maintenance", "1", hosts=[maxscale_sim])
    assert r.rc == 0 and "already in maintenance" in r.err
    r = mcsctl("maintenance", "on", "mcs3", "--max-in-maintenance", "2", hosts=[maxscale_sim])
    assert r.rc == 0, r.err


def test_a_bad_limit_is_a_usage_error(mcsctl, maxscale_sim):
    r = mcsctl("maintenance", "on", "mcs2", "--max-in-maintenance", "-1", hosts=[maxscale_sim])
    assert r.rc == 2 and "--max-in-maintenance" in r.err and state_of(maxscale_sim, "mcs2") == "Slave, Running"
