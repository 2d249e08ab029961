"""The modules of mcsctl.maxscale run by `ansible-playbook` against two simulated MaxScales over one cluster."""

from __future__ import annotations

import json

from tests.mariadb_server import PASSWORD, db, mariadb  # noqa: F401 (the fixtures)

from .conftest import sim_states

SCENARIO = {
    "monitors": [{"name": "MariaDB-Monitor", "monitor_interval": 50}],
    "servers": [
        {"name": f"mcs{i}", "port": 3310 + i, "role": "master" if i == 1 else "slave", "server_id": i}
        for i in range(1, 5)
    ],
    "sessions": [{"count": 2, "servers": ["mcs4"]}],  # never go: mcs4 does not drain
}

PLAY = """
- name: The maintenance, switchover and server_info modules
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    maxscale_password: mariadb
  module_defaults:
    group/mcsctl.maxscale.mcsctl:
      maxscale_hosts: {hosts}
      backend: rest
      password: "{{{{ maxscale_password }}}}"
      poll_interval: 0.05
      confirm_timeout: 5
  tasks:
    - {{name: check mode, mcsctl.maxscale.maintenance: {{server: mcs2}}, check_mode: true, register: r_check}}
    - {{name: after check, mcsctl.maxscale.server_info: {{}}, register: r_info_check}}
    - name: present
      mcsctl.maxscale.maintenance: {{server: mcs2, reason: disk swap, expires: 2h}}
      diff: true
      register: r_present
    - {{name: again, mcsctl.maxscale.maintenance: {{server: mcs2, reason: other}}, register: r_again}}
    - name: the limit
      mcsctl.maxscale.maintenance: {{server: mcs3}}
      register: r_limit
      ignore_errors: true
    - {{name: info, mcsctl.maxscale.server_info: {{}}, register: r_info}}
    - {{name: absent, mcsctl.maxscale.maintenance: {{server: mcs2, state: absent}}, register: r_absent}}
    - {{name: absent again, mcsctl.maxscale.maintenance: {{server: mcs2, state: absent}}, register: r_absent2}}
    - name: the primary guard
      mcsctl.maxscale.maintenance: {{server: mcs1}}
      register: r_primary
      ignore_errors: true
    - name: drain timeout, fail
      mcsctl.maxscale.maintenance: {{server: mcs4, drain_timeout: "0.3"}}
      register: r_fail
      ignore_errors: true
    - name: drain timeout, proceed
      mcsctl.maxscale.maintenance: {{server: mcs4, drain_timeout: "0.3", on_timeout: proceed}}
      register: r_proceed
    - {{mcsctl.maxscale.maintenance: {{server: mcs4, state: absent}}, register: r_back1}}
    - name: drain timeout, force
      mcsctl.maxscale.maintenance: {{server: mcs4, drain_timeout: "0.3", on_timeout: force}}
      register: r_force
    - {{mcsctl.maxscale.maintenance: {{server: mcs4, state: absent}}, register: r_back2}}
    - {{name: switchover, mcsctl.maxscale.switchover: {{to: mcs2}}, register: r_sw}}
    - {{name: switchover again, mcsctl.maxscale.switchover: {{to: mcs2}}, register: r_sw2}}
    - {{name: away from a replica, mcsctl.maxscale.switchover: {{away_from: mcs1}}, register: r_sw3}}
    - {{name: drained, mcsctl.maxscale.maintenance: {{server: mcs3, state: drained}}, register: r_drained}}
    - {{name: drained again, mcsctl.maxscale.maintenance: {{server: mcs3, state: drained}}, register: r_drained2}}
    - name: absent in check mode
      mcsctl.maxscale.maintenance: {{server: mcs3, state: absent}}
      check_mode: true
      register: r_absent_check
    - {{mcsctl.maxscale.maintenance: {{server: mcs3, state: absent}}, register: r_undrained}}
    - name: two servers, limit 2
      mcsctl.maxscale.maintenance: {{servers: [mcs1, mcs3], max_in_maintenance: 2}}
      register: r_two
    - {{mcsctl.maxscale.maintenance: {{servers: [mcs1, mcs3], state: absent}}, register: r_two_back}}
"""


def _journal(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_maintenance_switchover_and_info(maxscale_sims, playbook):
    sims = maxscale_sims(2, scenario=SCENARIO)
    for s in sims:
        s.cluster.catchup_seconds = 0.1
    proc, results = playbook(PLAY.format(hosts=json.dumps([s.host for s in sims])))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = results["localhost"]
    hosts = [s.host for s in sims]

    # check mode: the plan, changed as it would be, nothing changed
    assert r["r_check"]["changed"] is True
    assert r["r_check"]["plan"] and any("drain" in c["call"] for p in r["r_check"]["plan"] for c in p["calls"])
    assert not any(m["in_maintenance"] or m["draining"] for m in r["r_info_check"]["maintenances"])

    present = r["r_present"]
    assert present["changed"] is True and present["primary"] == {"before": "mcs1", "after": "mcs1"}
    assert set(present["before"]["mcs2"]) == set(hosts) == set(present["after"]["mcs2"])
    assert all("Maintenance" in s["states"] for s in present["after"]["mcs2"].values())
    assert present["diff"]["before"]["mcs2"] == {h: "Slave, Running" for h in hosts}
    assert present["calls"] and present["record"]["action"] == "on" and present["record"]["reason"] == "disk swap"
    assert present["connections_cut"] == {"mcs2": 0}

    assert r["r_again"]["changed"] is False and r["r_again"]["records"] == []
    info = {m["server"]: m for m in r["r_info"]["maintenances"]}
    assert info["mcs2"]["reason"] == "disk swap" and info["mcs2"]["expires"] and info["mcs2"]["by"]
    assert r["r_info"]["primary"] == "mcs1" and len(r["r_info"]["servers"]) == 8

    limit = r["r_limit"]
    assert limit["failed"] is True and limit["rc"] == 4 and "--max-in-maintenance 1" in limit["msg"]
    assert all(s["states"] == ["Slave", "Running"] for s in limit["after"]["mcs3"].values())

    assert r["r_absent"]["changed"] is True and r["r_absent2"]["changed"] is False
    assert r["r_primary"]["rc"] == 4 and "is the primary" in r["r_primary"]["msg"]

    fail = r["r_fail"]
    assert fail["failed"] is True and fail["rc"] == 6 and "did not drain" in fail["msg"]
    assert all(s["state"] == "Slave, Running" for s in fail["after"]["mcs4"].values())  # drain cleared
    assert fail["record"]["outcome"] in ("timeout", "failed")
    assert r["r_proceed"]["changed"] is True and r["r_proceed"]["connections_cut"] == {"mcs4": 0}
    assert r["r_force"]["changed"] is True and r["r_force"]["connections_cut"]["mcs4"] > 0

    assert r["r_sw"]["changed"] is True and r["r_sw"]["primary"] == {"before": "mcs1", "after": "mcs2"}
    assert r["r_sw2"]["changed"] is False and r["r_sw3"]["changed"] is False
    assert r["r_drained"]["changed"] is True and r["r_drained2"]["changed"] is False
    assert all("Drained" in s["states"] for s in r["r_drained"]["after"]["mcs3"].values())
    assert r["r_absent_check"]["changed"] is True and r["r_absent_check"]["plan"]
    assert all("Drained" in s["states"] for s in r["r_absent_check"]["after"]["mcs3"].values())  # unchanged
    assert r["r_undrained"]["changed"] is True
    assert r["r_two"]["changed"] is True and r["r_two_back"]["changed"] is True

    assert sim_states(sims[0]) == {
        "mcs1": "Slave, Running",
        "mcs2": "Master, Running",
        "mcs3": "Slave, Running",
        "mcs4": "Slave, Running",
    }
    actions = [(x["action"], x["server"], x["outcome"]) for x in _journal(playbook.journal) if x["action"] != "intent"]
    assert ("on", "mcs2", "ok") in actions and ("off", "mcs2", "ok") in actions
    assert [a for a in actions if a[1] == "mcs2" and a[0] == "on"] == [("on", "mcs2", "ok")]  # none for "again"


FORKS = """
- name: Each node takes itself out, all at once
  hosts: all
  connection: local
  gather_facts: false
  tasks:
    - name: maintenance
      mcsctl.maxscale.maintenance:
        maxscale_hosts: {hosts}
        backend: rest
        poll_interval: 0.05
        drain_timeout: "0.3"
        server: "{{{{ inventory_hostname }}}}"
      register: r_on
      ignore_errors: true
"""


def test_parallel_forks_pass_the_limit_one_at_a_time(maxscale_sims, playbook):
    sims = maxscale_sims(2, scenario=SCENARIO)
    hosts = json.dumps([s.host for s in sims])
    proc, results = playbook(FORKS.format(hosts=hosts), {"mcs2": {}, "mcs3": {}, "mcs4": {}}, "--forks", "3")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rcs = sorted(results[h]["r_on"].get("rc", 0) for h in ("mcs2", "mcs3", "mcs4"))
    assert rcs[0] == 0 and rcs[1:] in ([4, 4], [4, 6])  # mcs4 cannot drain: if it went first it timed out
    out = [n for n, st in sim_states(sims[0]).items() if "Maintenance" in st or "Drain" in st]
    assert len(out) <= 1


def local_play(name: str, hosts: list[str], tasks: str, **defaults: object) -> str:
    """A play on localhost whose mcsctl modules reach `hosts` over REST with fast polls, and `defaults` besides;
    `tasks`: its task list (YAML, indented by four)."""
    extra = "".join(f"\n      {key}: {json.dumps(value)}" for key, value in defaults.items())
    return f"""
- name: {name}
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/mcsctl.maxscale.mcsctl:
      maxscale_hosts: {json.dumps(hosts)}
      backend: rest
      password: mariadb
      poll_interval: 0.05
      confirm_timeout: 5{extra}
  tasks:
{tasks}"""


COLUMNSTORE = """
    - name: the ColumnStore primary
      mcsctl.maxscale.maintenance: {server: mcs1, switchover: true, max_in_maintenance: 3}
      register: r_cs_primary
      ignore_errors: true
    - name: the ColumnStore primary, allowed
      mcsctl.maxscale.maintenance:
        {server: mcs1, switchover: true, allow_columnstore_primary: true, drain: false, max_in_maintenance: 3}
      register: r_cs_allowed
    - {mcsctl.maxscale.maintenance: {server: mcs1, state: absent}, register: r_cs_back}
"""


def test_the_columnstore_guard_and_its_override_reach_the_module(make_sim, playbook):
    """allow_columnstore_primary is an option of the module (the same guard as the CLI: rc 4 without it)."""
    sim = make_sim(columnstore={"tick": 0.05})
    name = "The ColumnStore guard through the maintenance module"
    proc, results = playbook(local_play(name, [sim.host], COLUMNSTORE))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = results["localhost"]
    assert r["r_cs_primary"]["failed"] and r["r_cs_primary"]["rc"] == 4
    assert "ColumnStore primary" in r["r_cs_primary"]["msg"] and "DML and DDL" in r["r_cs_primary"]["msg"]
    assert r["r_cs_allowed"]["changed"] and not r["r_cs_allowed"].get("failed"), r["r_cs_allowed"]
    assert sim_states(sim)["mcs1"] == "Slave, Running" and r["r_cs_back"]["changed"]


SHARED_JOURNAL = """
    - {name: present, mcsctl.maxscale.maintenance: {server: mcs3, drain: false, reason: disk swap}, register: r_on}
    - {name: info, mcsctl.maxscale.server_info: {}, register: r_info}
    - {name: absent, mcsctl.maxscale.maintenance: {server: mcs3, state: absent}, register: r_off}
"""


def test_the_modules_write_the_shared_journal_and_end_their_sessions(make_sim, playbook, mariadb, db):  # noqa: F811
    """Each task is a process that never calls close(): its database session still ends with COM_QUIT
    (at exit), or MariaDB would count an aborted client and log a warning per task."""
    sim = make_sim()
    before = mariadb.aborted_clients()
    name = "The maintenance module with the journal in MariaDB"
    play = local_play(name, [sim.host], SHARED_JOURNAL, journal=mariadb.url(db), journal_password=PASSWORD)
    proc, results = playbook(play)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = results["localhost"]
    assert r["r_on"]["changed"] and r["r_off"]["changed"]
    (mcs3,) = (m for m in r["r_info"]["maintenances"] if m["server"] == "mcs3")
    assert mcs3["reason"] == "disk swap"
    actions = mariadb.root("SELECT action FROM mcsctl_journal ORDER BY seq", database=db)
    assert [a for (a,) in actions if a in ("on", "off")] == ["on", "off"]
    assert mariadb.aborted_clients() == before
