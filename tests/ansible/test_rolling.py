"""The rolling role by `ansible-playbook`: four clusters in one run (forks), two rolled through, two stopped."""

from __future__ import annotations

import json
import sys

from tests.rolling.conftest import RESTART, scenario

from .conftest import sim_states

TASKS = """
- name: Restart {{ mcsctl_node.name }} (the simulator's control API)
  ansible.builtin.uri:
    url: "{{ sim_url }}/sim/servers/{{ mcsctl_node.name }}/restart"
    method: POST
    body_format: json
    body: {seconds: 0.3}
- name: Fail on purpose
  ansible.builtin.fail:
    msg: "{{ mcsctl_node.name }}: the node's task failed"
  when: mcsctl_node.name == fail_on
"""

PLAY = """
- name: Roll every cluster
  hosts: all
  connection: local
  gather_facts: false
  tasks:
    - block:
        - ansible.builtin.include_role:
            name: mcsctl.maxscale.rolling
      rescue:  # keeps the host for the results; on its own a failed roll fails the host (and the run)
        - ansible.builtin.set_fact:
            r_failed: "{{ ansible_failed_result.msg }}"
    - ansible.builtin.set_fact:
        r_rolled: "{{ mcsctl_rolled }}"
"""


def test_four_clusters_in_one_run(make_sim, playbook, tmp_path):
    tasks = tmp_path / "node-tasks.yml"
    tasks.write_text(TASKS)
    sims = {}
    for name, n in (("a3", 3), ("b5", 5), ("c3", 3), ("d5", 5)):
        sims[name] = make_sim(scenario=scenario(n))
        sims[name].cluster.catchup_seconds = 0.2
    common = {"mcsctl_backend": "rest", "mcsctl_poll_interval": 0.05, "mcsctl_confirm_timeout": 5, "fail_on": ""}
    inventory = {
        name: {**common, "mcsctl_maxscale_hosts": [sim.host], "sim_url": sim.url} for name, sim in sims.items()
    }
    command = [sys.executable, RESTART, "{url}", "{server}", "0.3"]
    for name in ("a3", "d5"):
        argv = [a.replace("{url}", sims[name].url) for a in command]
        inventory[name]["mcsctl_rolling_command"] = argv + (["--fail-on", "mcs4:3"] if name == "d5" else [])
    for name in ("b5", "c3"):
        inventory[name]["mcsctl_rolling_tasks"] = str(tasks)
    inventory["c3"]["fail_on"] = "mcs3"
    inventory["a3"]["mcsctl_expires"] = "2h"  # an on-option of the maintenance module, through the role
    proc, results = playbook(PLAY, inventory, "--forks", "4")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "r_failed" not in results["a3"] and "r_failed" not in results["b5"]

    def table(host):
        return [(x["node"], x["role"], x["result"]) for x in results[host]["r_rolled"]]

    assert table("a3") == [("mcs2", "replica", "done"), ("mcs3", "replica", "done"), ("mcs1", "primary", "done")]
    assert [r for _, _, r in table("b5")] == ["done"] * 5 and table("b5")[-1][:2] == ("mcs1", "primary"), table("b5")
    for name in ("a3", "b5"):
        final = sim_states(sims[name])
        assert final.pop("mcs2") == "Master, Running", final  # the primary stays where it was switched over to
        assert set(final.values()) == {"Slave, Running"}
    # c3: mcs2 done, mcs3's task failed: it stays in maintenance, mcs1 (the primary) untouched
    assert table("c3") == [("mcs2", "replica", "done"), ("mcs3", "replica", "failed")]
    assert sim_states(sims["c3"]) == {
        "mcs1": "Master, Running",
        "mcs2": "Slave, Running",
        "mcs3": "Maintenance, Running",
    }
    # d5: the command fails on mcs4 (the third node)
    assert [r for _, _, r in table("d5")] == ["done", "done", "failed"]
    d5 = sim_states(sims["d5"])
    assert d5.pop("mcs4") == "Maintenance, Running" and d5.pop("mcs1") == "Master, Running"
    assert set(d5.values()) == {"Slave, Running"}
    assert results["c3"]["r_failed"].startswith("rolling maintenance stopped at mcs3: mcs3: the node's task failed")
    assert results["d5"]["r_failed"].startswith("rolling maintenance stopped at mcs4: non-zero return code")
    records = [json.loads(line) for line in playbook.journal.read_text().splitlines()]
    assert {r["reason"] for r in records if r["action"] == "on"} == {"rolling maintenance"}
    expires = {r["hosts"][0]: r["expires"] is not None for r in records if r["action"] == "on"}
    assert expires == {sim.host: name == "a3" for name, sim in sims.items()}
