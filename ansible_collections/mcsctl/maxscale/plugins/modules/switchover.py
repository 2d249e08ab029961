#!/usr/bin/python
# Copyright: mcsctl contributors. MIT License (see the repository's pyproject.toml).
"""mcsctl.maxscale.switchover: make a server the primary, or move the primary away from one; idempotent."""

from __future__ import annotations

DOCUMENTATION = r"""
module: switchover
short_description: Switch a MaxScale cluster's primary over with mcsctl, idempotently
description:
  - Switches the primary over through mcsctl's Python API (C(mcsctl switchover)), confirmed on every MaxScale.
  - Nothing happens when the primary already is O(to), or already is not O(away_from).
  - Writing the task is the consent C(mcsctl switchover) asks for with C(--yes) (it interrupts the primary's writes).
  - Runs where mcsctl is importable, with C(ansible_python_interpreter) set to the Python of mcsctl's environment.
version_added: "0.1.0"
author: mcsctl contributors
options:
  away_from:
    description: Move the primary away from this server, to the most caught-up replica. One of O(to) and O(away_from).
    type: str
extends_documentation_fragment:
  - mcsctl.maxscale.common
  - mcsctl.maxscale.common.switchover
notes:
  - Supports check mode (the plan is mcsctl's dry run) and diff mode (the primary before and after).
"""

EXAMPLES = r"""
- name: mcs2 is the primary
  mcsctl.maxscale.switchover:
    maxscale_hosts: [mx1.example.com:8989]
    to: mcs2

- name: Anything but mcs1 is the primary
  mcsctl.maxscale.switchover:
    maxscale_hosts: [mx1.example.com:8989]
    away_from: mcs1
"""

RETURN = r"""
primary:
  description: The primary's name before and after.
  returned: always
  type: dict
calls:
  description: The exact calls made, each with the MaxScale it went to.
  returned: always
  type: list
  elements: dict
plan:
  description: In check mode, mcsctl's dry-run plan.
  returned: always
  type: list
  elements: dict
record:
  description: The last journal record written.
  returned: always
  type: dict
rc:
  description: mcsctl's exit code on failure.
  returned: failure
  type: int
"""

from ansible_collections.mcsctl.maxscale.plugins.module_utils import mcsctl_common as mc  # noqa: E402 (after the docs, as Ansible modules are)

OWN = {"away_from": {"type": "str"}}


def main():
    module = mc.make_module(
        "switchover", OWN, mutually_exclusive=[("to", "away_from")], required_one_of=[("to", "away_from")]
    )
    p = module.params
    from mcsctl.errors import McsctlError

    cl, facts = None, {"primary": {"before": None, "after": None}, "plan": [], "calls": []}
    try:
        cl = mc.cluster(module)
        before = mc.primary(mc.views(cl))
        facts["primary"] = {"before": before, "after": before}
        if (p["to"] and before == p["to"]) or (p["away_from"] and before != p["away_from"]):
            module.exit_json(changed=False, msg=f"{before} is the primary; nothing to do", **facts)
        kw = mc.change_kwargs(module, "switchover", cl.switchover)
        report = cl.switchover(dry_run=module.check_mode, **kw)
        facts.update(mc.report_facts(report))
        after = before if module.check_mode else mc.primary(mc.views(cl))
    except McsctlError as exc:
        facts.update(mc.made(cl))
        mc.fail(module, cl, exc, **facts)
    facts["primary"]["after"] = after
    result = {"changed": True, "msg": "; ".join(o.message for o in report.servers if o.message)}
    if module._diff:
        result["diff"] = {"before": {"primary": before}, "after": {"primary": after}}
    module.exit_json(**result, **facts)


if __name__ == "__main__":
    main()
