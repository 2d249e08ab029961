"""Newer maxctrl clients (issue 13), end to end through mcsctl and the stand-in over real HTTP: a client whose
release line no capture covers, or whose `list servers` has a layout mcsctl does not know, is never parsed;
the servers come from `maxctrl api get servers`, and every command still works."""

from __future__ import annotations

import pytest

from .conftest import state_of

NOTE = "reading the servers as JSON through `maxctrl api get servers`"


@pytest.fixture
def backend():
    return "maxctrl"  # these clients are maxctrl's; the REST backend has no client to outgrow


@pytest.mark.parametrize(
    "line,why",
    [
        ("test-newer", "maxctrl 25.99.0 is of a release line no capture covers"),
        ("test-header", "list servers --tsv begins with a header row"),
        ("develop", "maxctrl 99.99.99 is of a release line no capture covers"),
    ],
)
def test_servers_through_api_get(mcsctl, maxscale_sim, line, why):
    env = {"MAXCTRL_SIM_VERSION": line}
    r = mcsctl("servers", "--format", "json", hosts=[maxscale_sim], env=env)
    assert r.rc == 0, r.err
    doc = r.json()
    assert [(s["name"], s["state"], s["monitor"]) for s in doc] == [
        ("mcs1", "Master, Running", "MariaDB-Monitor"),
        ("mcs2", "Slave, Running", "MariaDB-Monitor"),
        ("mcs3", "Slave, Running", "MariaDB-Monitor"),
    ]
    assert NOTE not in r.err  # said under --verbose only
    r = mcsctl("-v", "servers", hosts=[maxscale_sim], env=env)
    assert r.rc == 0, r.err
    notes = [ln for ln in r.err.splitlines() if NOTE in ln]
    assert len(notes) == 1 and why in notes[0]
    assert "api get servers" in r.err
    assert any(ln.startswith("mcs1 ") and "Master, Running" in ln for ln in r.out.splitlines())


@pytest.mark.real_process
@pytest.mark.parametrize("line", ["test-newer", "test-header"])
def test_maintenance_and_switchover_through_the_fallback(mcsctl, maxscale_sim, line):
    env = {"MAXCTRL_SIM_VERSION": line}
    r = mcsctl("maintenance", "on", "mcs3", "--no-drain", "--reason", "upgrade", hosts=[maxscale_sim], env=env)
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    r = mcsctl("maintenance", "off", "mcs3", hosts=[maxscale_sim], env=env)
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"
    r = mcsctl("switchover", "--to", "mcs2", "--yes", hosts=[maxscale_sim], env=env)
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs2") == "Master, Running"
    assert state_of(maxscale_sim, "mcs1") == "Slave, Running"


def test_the_24_08_client_reads_the_table(mcsctl, maxscale_sim):
    """24.08.1 is covered by captures: its table is read (no note), and one state per set/clear works."""
    env = {"MAXCTRL_SIM_VERSION": "24.08"}
    r = mcsctl("-v", "maintenance", "on", "mcs3", "--reason", "upgrade", hosts=[maxscale_sim], env=env)
    assert r.rc == 0, r.err
    assert NOTE not in r.err and "list servers --tsv" in r.err
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    r = mcsctl("maintenance", "off", "mcs3", hosts=[maxscale_sim], env=env)
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"


def test_missing_maxctrl_names_the_separate_package(mcsctl, tmp_path):
    r = mcsctl("servers", hosts=["127.0.0.1:1"], env={"MCSCTL_MAXCTRL": str(tmp_path / "maxctrl")})
    assert r.rc == 3, r.err
    assert "maxctrl not found" in r.err
    assert "separate package" in r.err and "--backend rest works without maxctrl" in r.err


@pytest.mark.parametrize(
    "line,quoted",
    [
        ("test-newer", "server 'mcs1': state 'Write' has no Running or Down"),  # the JSON itself is not understood
        ("test-header", "list servers --tsv begins with a header row: 'Server\\tAddress"),  # the table's first line
    ],
)
def test_output_still_not_understood_is_exit_3_quoting_it(mcsctl, line, quoted):
    from .fakehttp import FakeMaxScale
    from .test_backend_answers_e2e import server

    doc = {"data": [server("mcs1", "Write")]}
    fake = FakeMaxScale(documents={"/v1/servers": doc, "/v1/servers/": doc})
    try:
        r = mcsctl("servers", hosts=[fake.host], env={"MAXCTRL_SIM_VERSION": line})
    finally:
        fake.stop()
    assert r.rc == 3, r.err
    assert r.err.count("\n") == 1 and quoted in r.err, r.err
