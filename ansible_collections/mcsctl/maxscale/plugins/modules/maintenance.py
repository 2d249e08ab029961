#!/usr/bin/python
# Copyright: mcsctl contributors. MIT License (see the repository's pyproject.toml).
"""mcsctl.maxscale.maintenance: put servers into maintenance (drained first), take them out, or drain them."""

from __future__ import annotations

DOCUMENTATION = r"""
module: maintenance
short_description: Put MaxScale servers into maintenance safely, or take them out, with mcsctl
description:
  - A thin client of mcsctl's Python API (C(mcsctl.api.Cluster)); every guard, confirmation, undo and
    journal record is the one of C(mcsctl maintenance on|off) and C(mcsctl drain).
  - Runs where mcsctl is importable (the controller or a jump host) with C(ansible_python_interpreter) set to
    the Python of mcsctl's environment; it never runs the mcsctl command and never puts a secret on a command line.
  - A playbook cannot answer a prompt, so writing O(force=true), O(on_timeout=force) or O(switchover=true)
    into a task is the consent mcsctl asks for with C(--yes).
  - The common and change options are generated from mcsctl's own tables (C(python -m mcsctl.build)).
version_added: "0.1.0"
author: mcsctl contributors
options:
  server:
    description: The server's name as MaxScale knows it. One of O(server) and O(servers).
    type: str
  servers:
    description: Several servers, changed together (all or nothing), as C(mcsctl maintenance on A B).
    type: list
    elements: str
  state:
    description:
      - V(present) drains each server and puts it into maintenance on every MaxScale.
      - V(absent) takes it out of maintenance (and clears a drain flag).
      - V(drained) sets it draining on every MaxScale and waits until it is Drained.
    type: str
    choices: [present, absent, drained]
    default: present
  wait_healthy:
    description: With O(state=absent), wait until the monitor shows each server healthy again.
    type: bool
    default: false
  healthy_timeout:
    description: How long O(wait_healthy) waits (e.g. 300, 5m).
    type: str
    default: "300"
extends_documentation_fragment:
  - mcsctl.maxscale.common
  - mcsctl.maxscale.common.maintenance
notes:
  - O(max_in_maintenance) counts the servers of the cluster in maintenance or draining and refuses (rc 4) before
    changing anything when the change would leave more than that many out; the count and the change happen under
    one cluster-wide lock on the host the module runs on, so parallel forks cannot both pass it.
  - Idempotent; supports check mode (the plan is mcsctl's dry run) and diff mode (each MaxScale's state).
"""

EXAMPLES = r"""
- name: Take mcs3 out of the cluster for a disk swap
  mcsctl.maxscale.maintenance:
    maxscale_hosts: [mx1.example.com:8989, mx2.example.com:8989]
    password: "{{ vault_maxscale_password }}"
    server: mcs3
    reason: disk swap
    expires: 2h
    drain_timeout: 5m
    on_timeout: proceed

- name: Bring it back and wait until it is healthy
  mcsctl.maxscale.maintenance:
    maxscale_hosts: [mx1.example.com:8989, mx2.example.com:8989]
    password: "{{ vault_maxscale_password }}"
    server: mcs3
    state: absent
    wait_healthy: true
"""

RETURN = r"""
before:
  description: Each server as each MaxScale showed it before (server -> MaxScale -> the mcsctl servers JSON object).
  returned: always
  type: dict
after:
  description: Each server as each MaxScale shows it at the end (also after a failure).
  returned: always
  type: dict
calls:
  description: The exact calls made (REST requests or maxctrl calls), each with the MaxScale it went to.
  returned: always
  type: list
  elements: dict
plan:
  description: In check mode, mcsctl's dry-run plan, each step with the exact calls it would make.
  returned: always
  type: list
  elements: dict
connections_cut:
  description: Connections closed by force, per server.
  returned: always
  type: dict
record:
  description: The last journal record written (records has them all).
  returned: always
  type: dict
records:
  description: The journal records written.
  returned: always
  type: list
  elements: dict
primary:
  description: The primary's name before and after.
  returned: always
  type: dict
  sample: {"before": "mcs1", "after": "mcs2"}
rc:
  description: mcsctl's exit code on failure (2 usage, 3 unreachable, 4 guard, 5 partial, 6 timeout).
  returned: failure
  type: int
"""

from ansible_collections.mcsctl.maxscale.plugins.module_utils import mcsctl_common as mc  # noqa: E402 (after the docs, as Ansible modules are)

OWN = {
    "server": {"type": "str"},
    "servers": {"type": "list", "elements": "str"},
    "state": {"type": "str", "choices": ["present", "absent", "drained"], "default": "present"},
    "wait_healthy": {"type": "bool", "default": False},
    "healthy_timeout": {"type": "str", "default": "300"},
}


def _todo(state, names, found):
    """The servers whose state does not hold yet."""

    def holds(name):
        seen = found.get(name, {}).values()
        if not seen:
            return False  # unknown: mcsctl says so (exit 1, with a near miss)
        if state == "present":
            return all(s.in_maintenance for s in seen)
        if state == "drained":
            return all(s.draining for s in seen)
        return not any(s.in_maintenance or s.draining for s in seen)

    return [n for n in names if not holds(n)]


def _change(module, cl, state, todo):
    p, check = module.params, module.check_mode
    if state == "present":
        kw = mc.change_kwargs(module, "maintenance", cl.enter, cl.on_options)
        return cl.enter(todo, dry_run=check, **kw)
    if state == "absent":
        kw = mc.change_kwargs(module, "maintenance", cl.leave)
        return cl.leave(todo, wait_healthy=p["wait_healthy"], healthy_timeout=p["healthy_timeout"], dry_run=check, **kw)
    kw = mc.change_kwargs(module, "maintenance", cl.drain)
    reports = [cl.drain(n, wait=True, dry_run=check, **kw) for n in todo]
    first = reports[0]
    for r in reports[1:]:  # one report of the whole task
        first.calls += r.calls
        first.plan += r.plan
        first.records += r.records
        first.messages += r.messages
        first.servers += r.servers
    return first


def main():
    module = mc.make_module("maintenance", OWN, mutually_exclusive=[("server", "servers")])
    p = module.params
    names = p["servers"] or ([p["server"]] if p["server"] else [])
    if not names:
        module.fail_json(msg="give server or servers", rc=2)
    from mcsctl.errors import McsctlError

    cl = None
    facts = {"before": {}, "after": {}, "plan": [], "connections_cut": {}, "primary": {"before": None, "after": None}}
    try:
        cl = mc.cluster(module)
        found = mc.views(cl)
        facts.update(before=mc.as_dicts(found, names), after=mc.as_dicts(found, names))
        facts["primary"] = {"before": mc.primary(found), "after": mc.primary(found)}
        todo = _todo(p["state"], names, found)
        if not todo:
            module.exit_json(changed=False, msg="the state already holds; nothing to do", records=[], **facts)
        report = _change(module, cl, p["state"], todo)
        facts.update(mc.report_facts(report))
        after = found if module.check_mode else mc.views(cl)
    except McsctlError as exc:
        facts.update(mc.made(cl))  # before the read below starts a new record of calls
        after = _read_quietly(cl)
        if after is not None:
            facts.update(after=mc.as_dicts(after, names))
            facts["primary"]["after"] = mc.primary(after)
        mc.fail(module, cl, exc, **facts)
    facts.update(after=mc.as_dicts(after, names))
    facts["primary"]["after"] = mc.primary(after)
    result = {"changed": True, "msg": "; ".join(o.message for o in report.servers if o.message)}
    if module._diff:
        result["diff"] = {"before": mc.states(found, names), "after": mc.states(after, names)}
    module.exit_json(**result, **facts)


def _read_quietly(cl):
    """The state after a failure, when it can be read (the failure may be that it cannot)."""
    from mcsctl.errors import McsctlError

    if cl is None:
        return None
    try:
        return mc.views(cl)
    except McsctlError:
        return None


if __name__ == "__main__":
    main()
