"""MaxScale 25.10's `attributes.status` (issue 13): carried into `servers` (JSON `status`, a Reason column), while
`attributes.state` stays the truth for every decision. The documents are built from what the MaxScale docs show
for a primary (golden/NEWER-RELEASES.md section 4); the replica's status is made up for the test (unverified)."""

from __future__ import annotations

import pytest

from .fakehttp import FakeMaxScale
from .test_backend_answers_e2e import server

PRIMARY_STATUS = {"extra": "", "mode": "Normal", "reason": ["Primary"], "state": "Write"}
REPLICA_STATUS = {"extra": "", "mode": "Normal", "reason": ["Replica", "read_only"], "state": "Read"}


@pytest.fixture
def fake():
    doc = {
        "data": [
            server("mcs1", "Master, Running", status=PRIMARY_STATUS),
            server("mcs2", "Slave, Running", status=REPLICA_STATUS),
            server("mcs3", "Slave, Running"),  # no status: null
        ]
    }
    f = FakeMaxScale(documents={"/v1/servers": doc, "/v1/servers/": doc})
    yield f
    f.stop()


def line_env(mcsctl) -> dict:
    # maxctrl's table has no status: a client no capture covers reads the same documents through `api get`
    return {"MAXCTRL_SIM_VERSION": "develop"} if mcsctl.backend == "maxctrl" else {}


def test_status_in_json_and_table(mcsctl, fake):
    r = mcsctl("servers", "--format", "json", hosts=[fake.host], env=line_env(mcsctl))
    assert r.rc == 0, r.err
    doc = {s["name"]: s for s in r.json()}
    assert doc["mcs1"]["status"] == {"state": "Write", "mode": "Normal", "reason": ["Primary"]}
    assert doc["mcs2"]["status"] == {"state": "Read", "mode": "Normal", "reason": ["Replica", "read_only"]}
    assert doc["mcs3"]["status"] is None
    assert doc["mcs1"]["states"] == ["Master", "Running"]  # the decisions' truth is still attributes.state
    r = mcsctl("servers", hosts=[fake.host], env=line_env(mcsctl))
    assert r.rc == 0, r.err
    header, *rows = r.out.splitlines()
    assert header.split()[4:6] == ["State", "Reason"]
    assert "Primary" in rows[0] and "Replica, read_only" in rows[1]


def test_state_not_status_decides(mcsctl, fake):
    """mcs1 is the primary by attributes.state: refused without --switchover, whatever status says."""
    r = mcsctl("maintenance", "on", "mcs1", "--yes", hosts=[fake.host], env=line_env(mcsctl))
    assert r.rc == 4, r.err
    assert "primary" in r.err
    assert [q for q in fake.requests if not q.startswith("GET ")] == []


def test_no_reason_column_without_reasons(rest_mcsctl, maxscale_sim):
    r = rest_mcsctl("servers", hosts=[maxscale_sim])
    assert "Reason" not in r.out.splitlines()[0]
    assert all(s["status"] is None for s in rest_mcsctl("servers", "--format", "json", hosts=[maxscale_sim]).json())
