#!/usr/bin/python
# Copyright: mcsctl contributors. MIT License (see the repository's pyproject.toml).
"""mcsctl.maxscale.server_info: the servers as each MaxScale sees them, the primary, the open maintenances."""

from __future__ import annotations

DOCUMENTATION = r"""
module: server_info
short_description: Read a MaxScale cluster's servers, primary and open maintenances with mcsctl
description:
  - Reads every MaxScale of the cluster through mcsctl's Python API (C(mcsctl servers) and
    C(mcsctl maintenance status)); changes nothing.
  - Runs where mcsctl is importable, with C(ansible_python_interpreter) set to the Python of mcsctl's environment.
version_added: "0.1.0"
author: mcsctl contributors
options:
  roll:
    description:
      - Also plan a rolling maintenance as C(mcsctl rolling) does and return its nodes in RV(roll).
      - The checks C(mcsctl rolling) makes before the first node come with it (rc 4 when a node is not healthy).
    type: bool
    default: false
  roll_servers:
    description: With O(roll), roll only these servers (in this order, the primary still last); default every
      server of the primary's monitor.
    type: list
    elements: str
extends_documentation_fragment:
  - mcsctl.maxscale.common
notes:
  - Supports check mode (it only reads).
"""

EXAMPLES = r"""
- name: What does the cluster look like?
  mcsctl.maxscale.server_info:
    maxscale_hosts: [mx1.example.com:8989]
  register: info

- ansible.builtin.debug:
    msg: "{{ info.primary }} is the primary; {{ info.maintenances | map(attribute='server') | list }} are out"
"""

RETURN = r"""
servers:
  description: The C(mcsctl servers --format json) objects, one per server and MaxScale (key C(maxscale)).
  returned: always
  type: list
  elements: dict
primary:
  description: The primary's name (None when the MaxScales do not agree on one, or there is none).
  returned: always
  type: str
maintenances:
  description: The servers in maintenance or draining and the unfinished changes, with who (C(by)),
    why (C(reason)) and until when (C(expires), epoch seconds), as C(mcsctl maintenance status --format json).
  returned: always
  type: list
  elements: dict
disagreements:
  description: Where the MaxScales disagree about a server.
  returned: always
  type: list
  elements: str
roll:
  description: With O(roll), the nodes in the order a roll takes them (replicas first, the primary last), each
    with C(name), C(address), C(port) and C(role) (V(replica) or V(primary)).
  returned: when O(roll=true)
  type: list
  elements: dict
unanswered:
  description: The MaxScales that did not answer, and why.
  returned: always
  type: dict
"""

from ansible_collections.mcsctl.maxscale.plugins.module_utils import mcsctl_common as mc  # noqa: E402 (after the docs, as Ansible modules are)


def main():
    module = mc.make_module(
        "server_info", {"roll": {"type": "bool", "default": False}, "roll_servers": {"type": "list", "elements": "str"}}
    )
    from mcsctl.errors import McsctlError

    cl = None
    try:
        cl = mc.cluster(module)
        report = cl.servers()
        status = cl.status()
        roll = _roll(cl, module.params) if module.params["roll"] else None
    except McsctlError as exc:
        mc.fail(module, cl, exc)
    found = {}
    for s in report.servers:
        found.setdefault(s.name, {})[s.maxscale] = s
    module.exit_json(
        changed=False,
        servers=[s.as_dict() for s in report.servers],
        primary=mc.primary(found),
        maintenances=status.rows,
        disagreements=report.disagreements,
        unanswered={**report.unanswered, **status.unanswered},
        **({"roll": roll} if roll is not None else {}),
    )


def _roll(cl, params):
    from mcsctl.rolling_plan import roll_order

    return roll_order(cl.procedures(), params["roll_servers"] or None)


if __name__ == "__main__":
    main()
