# Copyright: mcsctl contributors. MIT License (see the repository's pyproject.toml).
"""The glue every module of mcsctl.maxscale shares: its argument spec (from mcsctl's own tables, see
mcsctl/ansible_options.py), the Cluster it works on, the states it reports, and failures as mcsctl's
one line and exit code. mcsctl must be importable by the Python the module runs with
(ansible_python_interpreter = the environment mcsctl is installed in)."""

from __future__ import annotations

import sys

from ansible.module_utils.basic import AnsibleModule

NO_MCSCTL = (
    "mcsctl cannot be imported by {python} ({error}); run the module with the Python of mcsctl's "
    "environment (ansible_python_interpreter)"
)


def _without_mcsctl(error):
    """Fail with one clear line when mcsctl is missing (the argument spec comes from it)."""
    try:
        from ansible.module_utils.basic import _load_params

        given = _load_params()
    except Exception:  # noqa: BLE001 - whatever the private helper does, the message below is the point
        given = {}
    spec = {name: {"type": "raw", "no_log": True} for name in given if not name.startswith("_")}
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    module.fail_json(msg=NO_MCSCTL.format(python=sys.executable, error=error), rc=2)


def make_module(name, own, **kwargs):
    """The AnsibleModule of module `name`: the common options, its change options, and its `own`."""
    try:
        from mcsctl import ansible_options
    except ImportError as exc:
        _without_mcsctl(exc)
    spec = {**ansible_options.common_options(), **ansible_options.change_options(name), **own}
    return AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)


def cluster(module):
    """The mcsctl Cluster of the task: its options as flags, then MCSCTL_*, the config file, the defaults."""
    from mcsctl.ansible_options import common_options
    from mcsctl.api import Cluster
    from mcsctl.api_settings import environment

    flags = environment()
    for option in common_options():
        value = module.params.get(option)
        if value is not None and option != "config":
            flags["hosts" if option == "maxscale_hosts" else option] = value
    return Cluster.from_settings(flags, config=module.params.get("config"))


def change_kwargs(module, name, *methods):
    """The task's change options (module `name`'s) that the Cluster `methods` take, as their keywords;
    `yes` where they take it: writing the task is the consent the CLI asks for."""
    from mcsctl.ansible_options import accepted, change_options

    taken = accepted(*(m.__name__ for m in methods))
    options = change_options(name)
    # The on-options of a `state: absent` task are left out, not refused: module_defaults (as the rolling
    # role sets them) give every task of the module the same options.
    out = {"yes": True} if "yes" in taken else {}
    out.update({o: module.params[o] for o in options if o in taken})
    return out


def views(cl):
    """server -> {MaxScale host: Server} as every MaxScale that answers shows it."""
    out = {}
    for s in cl.servers().servers:
        out.setdefault(s.name, {})[s.maxscale] = s
    return out


def primary(state):
    """The primary's name (the one every MaxScale that lists a primary agrees on), else None."""
    names = sorted({n for n, hosts in state.items() for s in hosts.values() if s.is_primary})
    return names[0] if len(names) == 1 else None


def as_dicts(state, names=None):
    """{server: {host: the Server as a dict}} of `names` (default: every server)."""
    return {n: {h: s.as_dict() for h, s in hosts.items()} for n, hosts in state.items() if names is None or n in names}


def states(state, names):
    """{server: {host: state string}}: what diff mode shows."""
    return {n: {h: s.state for h, s in state.get(n, {}).items()} for n in names}


def _the_record(records):
    """The record of the change itself: the last one that is not an intent (the frame's bookkeeping)."""
    changes = [r for r in records if r["action"] != "intent"]
    return changes[-1] if changes else (records[-1] if records else None)


def report_facts(report):
    """calls, plan, connections_cut, records/record and messages of a ChangeReport."""
    from mcsctl.dataclass_lite import asdict

    records = [asdict(r) for r in report.records]
    return {
        "calls": [asdict(c) for c in report.calls],
        "plan": [{"step": p.step, "calls": [asdict(c) for c in p.calls]} for p in report.plan],
        "connections_cut": report.cut,
        "records": records,
        "record": _the_record(records),
        "messages": list(report.messages),
    }


def made(cl):
    """The calls and journal records of the Cluster's last operation (what a failed one did)."""
    if cl is None:
        return {"calls": [], "records": [], "record": None}
    from mcsctl.dataclass_lite import asdict

    records = [asdict(r) for r in cl.written()]
    return {
        "calls": [asdict(c) for c in cl.reporter.calls],
        "records": records,
        "record": _the_record(records),
    }


def fail(module, cl, exc, **facts):
    """mcsctl's refusal or failure: its one line as msg, its exit code as rc, the state as it is now."""
    from mcsctl.errors import exit_code_of

    for key, value in made(cl).items():
        facts.setdefault(key, value)
    module.fail_json(msg=str(exc), rc=exit_code_of(exc), hint=getattr(exc, "hint", None), **facts)
