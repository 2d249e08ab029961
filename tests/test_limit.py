"""limit.py: the cluster-wide lock and the max_in_maintenance count."""

from __future__ import annotations

import pytest

from mcsctl.errors import GuardRefused, UsageError
from mcsctl.limit import check_limit, cluster_lock, cluster_lock_path, out_of_service
from mcsctl.model import Server

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


def test_the_lock_is_one_per_cluster_whatever_the_order(tmp_path):
    assert cluster_lock_path(HOSTS, tmp_path) == cluster_lock_path(list(reversed(HOSTS)), tmp_path)
    assert cluster_lock_path(HOSTS, tmp_path) != cluster_lock_path(HOSTS[:1], tmp_path)


def test_a_second_holder_waits_then_is_refused(tmp_path):
    base = tmp_path / "run"
    with cluster_lock(HOSTS, base):
        with pytest.raises(GuardRefused, match="another mcsctl"), cluster_lock(HOSTS, base, wait=0.1):
            pass
        with cluster_lock(HOSTS[:1], base, wait=0):  # another cluster: its own lock
            pass
    with cluster_lock(HOSTS, base, wait=0):  # released
        pass
