"""limit.py: the cluster-wide lock and the max_in_maintenance count."""

from __future__ import annotations

import time

import pytest

from mcsctl.clusterlock import cluster_lock
from mcsctl.errors import GuardRefused, UsageError
from mcsctl.limit import check_limit, out_of_service
from mcsctl.model import Server
from mcsctl.settings import from_values

HOSTS = ["mx1:8989", "mx2:8989"]


def views(**states):
    return {h: [Server(name=n, state=st, maxscale=h) for n, st in states.items()] for h in HOSTS}


def test_counts_maintenance_and_draining():
    v = views(mcs1="Master, Running", mcs2="Maintenance, Running", mcs3="Draining, Slave, Running")
    assert out_of_service(v) == {"mcs2", "mcs3"}
    check_limit(v, ["mcs4"], 3)
    with pytest.raises(
        GuardRefused, match=r"leave 3 servers .* more than --max-in-maintenance 2 \(mcs2, mcs3 already\)"
    ):
        check_limit(v, ["mcs4"], 2)


def test_a_change_that_takes_nobody_new_out_never_counts():
    v = views(mcs1="Master, Running", mcs2="Maintenance, Running", mcs3="Maintenance, Running")
    check_limit(v, ["mcs2"], 1)  # already out: idempotent, not refused
    with pytest.raises(GuardRefused):
        check_limit(v, ["mcs1"], 2)


@pytest.mark.parametrize("bad", [-1, True, 1.5, "2"])
def test_a_bad_limit_is_a_usage_error(bad):
    with pytest.raises(UsageError):
        check_limit(views(mcs1="Master, Running"), ["mcs1"], bad)


def test_a_second_holder_waits_then_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    ours = from_values({"hosts": HOSTS, "no_journal": True})
    other = from_values({"hosts": HOSTS[:1], "no_journal": True})
    with cluster_lock(ours, "max-in-maintenance"):
        started = time.monotonic()
        with pytest.raises(GuardRefused, match="another mcsctl"), cluster_lock(ours, "max-in-maintenance", wait=0.3):
            pass
        assert time.monotonic() - started >= 0.3  # it waited its turn before refusing
        with cluster_lock(other, "max-in-maintenance"):  # another cluster: its own lock
            pass
    with cluster_lock(ours, "max-in-maintenance"):  # released
        pass


def test_a_refusal_inside_the_block_is_not_retried(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    calls = []
    settings = from_values({"hosts": HOSTS, "no_journal": True})
    with pytest.raises(GuardRefused, match="inside"), cluster_lock(settings, "k", wait=5):
        calls.append(1)
        raise GuardRefused("inside")
    assert calls == [1]
