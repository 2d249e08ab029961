"""The key from the monitor read through the maxctrl backend too (its `api get monitors` document)."""

from __future__ import annotations

import os

from tests.cli.conftest import _invoke


def test_status_through_maxctrl(cs_sim, cli_env, maxctrl_bin, request):
    sim = cs_sim()
    env = dict(cli_env, PATH=os.environ["PATH"], MCSCTL_BACKEND="maxctrl", MCSCTL_HOSTS=sim.host)
    r = _invoke(request, ("cs", "status", "--format", "json"), env, None, 60)
    assert r.rc == 0, r.err
    doc = r.json()
    assert doc["columnstore_primary"] == "mcs1" and doc["maxscale_primary"] == "mcs1"
    r = _invoke(request, ("maintenance", "on", "mcs1", "--switchover", "--yes"), env, None, 60)
    assert r.rc == 4 and "mcs1 is the ColumnStore primary" in r.err
