"""The judgement over a CsView (guards, warnings, the health checklist) with injected node states."""

from __future__ import annotations

import pytest

from mcsctl.columnstore import CsNode, CsView, role_set
from mcsctl.cs_config import CsConfig
from mcsctl.cs_guard import CsOptions, guard_health, guard_primary, unhealthy, warnings
from mcsctl.cs_health import missing
from mcsctl.errors import GuardRefused, Unreachable

PRIMARY = ["workernode", "controllernode", "PrimProc", "WriteEngineServer", "DMLProc", "DDLProc"]
REPLICA = ["workernode", "PrimProc", "WriteEngineServer"]


def node(name, primary=False, services=None, rev=2, active=True, mode=None, error=None):
    services = (PRIMARY if primary else REPLICA) if services is None else services
    status = {
        "dbrm_mode": "master" if primary else "slave",
        "cluster_mode": mode or ("readwrite" if primary else "readonly"),
        "dbroots": [name[-1]],
        "services": [{"name": s, "pid": 100 + i} for i, s in enumerate(services)],
    }
    cfg = CsConfig(revision=rev, active=("mcs1", "mcs2", "mcs3"))
    return CsNode(name, "127.0.0.1", True, None if error else status, cfg, error, active)


def view(*nodes, storage="LocalStorage", n_active=3):
    cfg = CsConfig(revision=2, active=tuple(f"mcs{i}" for i in range(1, n_active + 1)), storage=storage)
    return CsView({n.name: n for n in nodes}, cfg, "mcs1")


def healthy():
    return view(node("mcs1", True), node("mcs2"), node("mcs3"))


def test_role_sets():
    assert role_set(True, []) == tuple(PRIMARY)
    assert role_set(False, [], "S3") == ("StorageManager", *REPLICA)
    assert "ExeMgr" in role_set(False, ["ExeMgr"])


def test_healthy_cluster_has_nothing_missing():
    assert unhealthy(healthy(), ["mcs3"]) == [] and missing(healthy(), "mcs3", 3) == []


def test_primary_guard():
    with pytest.raises(GuardRefused, match="stops DML and DDL for the whole ColumnStore cluster"):
        guard_primary(healthy(), ["mcs1"], CsOptions())
    guard_primary(healthy(), ["mcs1"], CsOptions(allow_columnstore_primary=True))
    guard_primary(healthy(), ["mcs2"], CsOptions())


def test_readonly_primary_and_inactive_node_are_unhealthy():
    v = view(node("mcs1", True, mode="readonly"), node("mcs2", active=False), node("mcs3"))
    assert unhealthy(v, ["mcs3"]) == ["mcs2 is inactive in ColumnStore", "the ColumnStore primary mcs1 is readonly"]
    with pytest.raises(GuardRefused, match="mcs2 is inactive") as e:
        guard_health(v, ["mcs3"], CsOptions())
    assert "--allow-unhealthy" in (e.value.hint or "")
    guard_health(v, ["mcs3"], CsOptions(allow_unhealthy=True))


def test_no_answer_at_all_is_exit_3():
    v = view(node("mcs1", True, error="refused"), node("mcs2", error="refused"))
    with pytest.raises(Unreachable, match="no node's CMAPI answers"):
        guard_health(v, [], CsOptions(allow_unhealthy=True))


def test_warnings_five_nodes_and_s3():
    v = view(node("mcs1", True), *(node(f"mcs{i}") for i in range(2, 6)), storage="S3")
    lines = warnings(v, "mcs3", failover=True)
    assert len(lines) == 1 and "deactivate" in lines[0]
    assert warnings(v, "mcs3", failover=False) == []


def test_health_checklist_names_what_is_missing():
    v = view(node("mcs1", True), node("mcs2"), node("mcs3", services=["workernode", "WriteEngineServer"]))
    assert missing(v, "mcs3", 3) == ["PrimProc not running on mcs3"]
    v = view(node("mcs1", True), node("mcs2", True), node("mcs3"))
    assert "several DBRM masters (mcs1, mcs2)" in missing(v, "mcs3", 3)
    v = view(node("mcs1", True), node("mcs2"), node("mcs3", rev=1, active=False), n_active=2)
    assert missing(v, "mcs3", 3) == [
        "mcs3 not active in ColumnStore yet",
        "config revisions differ (mcs1: 2, mcs2: 2, mcs3: 1)",
        "2 of 3 nodes active",
    ]
