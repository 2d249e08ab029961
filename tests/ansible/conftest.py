"""Fixtures of the Ansible tests: `ansible-playbook` for real (connection local, no network) against simulators.

Each run costs seconds, so each test is one playbook that registers its results as `r_*` variables; the
playbook's last task writes them all to a JSON file the test asserts on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = ROOT / "ansible_collections" / "mcsctl" / "maxscale"
BIN = Path(sys.executable).parent
SAVE = """
- name: Save the results
  hosts: all
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.copy:
        dest: "{{ out_dir }}/{{ inventory_hostname }}.json"
        content: "{{ dict(query('ansible.builtin.varnames', '^r_') | zip(query('ansible.builtin.varnames', '^r_')
          | map('extract', vars))) | to_json }}"
"""


def ansible_env(tmp: Path) -> dict[str, str]:
    """A private ANSIBLE_HOME, temp dirs, runtime dir and journal; none of the caller's MCSCTL_* or ANSIBLE_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MCSCTL_", "ANSIBLE_"))}
    run = tmp / "run"
    run.mkdir(mode=0o700, exist_ok=True)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(ROOT),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ANSIBLE_HOME=str(tmp / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_CONFIG=str(tmp / "none.cfg"),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        XDG_RUNTIME_DIR=str(run),
        XDG_STATE_HOME=str(tmp / "state"),
        XDG_CONFIG_HOME=str(tmp / "config"),
        MCSCTL_JOURNAL=str(tmp / "journal.jsonl"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


@pytest.fixture
def playbook(tmp_path):
    """playbook(yaml, inventory=None, *args) -> (CompletedProcess, {host: {r_name: result}})."""
    if shutil.which("ansible-playbook", path=str(BIN)) is None:
        pytest.skip("ansible-core is not installed (pip install -e '.[test]')")

    def run(text: str, inventory: dict | None = None, *args: str, timeout: float = 300):
        out = tmp_path / "out"
        out.mkdir(exist_ok=True)
        book = tmp_path / "play.yml"
        book.write_text(text + SAVE)
        inv = tmp_path / "inventory.json"
        hosts = inventory or {"localhost": {}}
        inv.write_text(json.dumps({"all": {"hosts": hosts, "vars": {"out_dir": str(out)}}}))
        argv = [str(BIN / "ansible-playbook"), "-i", str(inv), str(book), *args]
        proc = subprocess.run(argv, env=ansible_env(tmp_path), capture_output=True, text=True, timeout=timeout)
        results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
        return proc, results

    run.journal = tmp_path / "journal.jsonl"
    return run


def sim_states(sim) -> dict[str, str]:
    _, body = sim.control("GET", "state")
    return {n: s["state"] for n, s in body["servers"].items()}
