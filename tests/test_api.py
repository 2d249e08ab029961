"""mcsctl.api against the simulator: reports carry the plan, the calls, the records; errors are typed."""

from __future__ import annotations

import pytest

from mcsctl.api import Cluster
from mcsctl.errors import GuardRefused, UsageError
from mcsctl.reports import Result
from mcsctl.ui import SilentUI


@pytest.fixture
def cluster(maxscale_sim, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    return Cluster(
        hosts=[maxscale_sim.host], backend="rest", journal=str(tmp_path / "journal.jsonl"), observer=SilentUI()
    )


def test_a_dry_run_is_a_plan_and_changes_nothing(cluster, maxscale_sim):
    report = cluster.enter("mcs3", drain=False, reason="disk", expires="2h", dry_run=True)
    assert report.result is Result.PLANNED and report.records == [] and report.changes == []
    assert [s.step for s in report.plan][0] == "set mcs3 in maintenance on every MaxScale"
    assert report.calls[0].host == maxscale_sim.host and "state=maintenance" in report.calls[0].call
    assert cluster.servers().servers[2].state == "Slave, Running"


def test_a_change_reports_what_it_did(cluster):
    report = cluster.enter(["mcs3"], reason="disk", expires=4_000_000_000)
    assert report.result is Result.CHANGED and report.changes == ["mcs3 in maintenance"]
    assert [r.action for r in report.records] == ["intent", "on", "intent"]
    assert report.records[1].reason == "disk" and report.records[1].expires == 4_000_000_000
    assert any("state=maintenance" in c.call for c in report.calls)
    assert all(s.in_maintenance for s in report.final["mcs3"].values()) and report.cut == {"mcs3": 0}
    rows = cluster.status("mcs3").rows
    assert rows[0]["in_maintenance"] and rows[0]["reason"] == "disk"
    again = cluster.enter("mcs3")
    assert again.result is Result.UNCHANGED
    back = cluster.leave("mcs3")
    assert back.result is Result.CHANGED and back.changes == ["mcs3 out of maintenance"]


def test_errors_are_typed_and_nothing_is_printed(cluster, capsys):
    with pytest.raises(GuardRefused):
        cluster.enter("mcs1")  # the primary
    with pytest.raises(UsageError):
        cluster.enter("mcs3", on_timeout="later")
    with pytest.raises(UsageError):
        Cluster(hosts=["mx1"], backend="telnet")
    assert capsys.readouterr() == ("", "")
