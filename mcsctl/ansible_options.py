"""The options of the Ansible collection's modules (ansible_collections/mcsctl/maxscale), from mcsctl's tables.

The common options are the settings (`settings.Settings`: each field, its type, `secrecy.is_secret` for
`no_log`; `hosts` is `maxscale_hosts`), the change options those of `options.SHARED` that the
`Cluster` methods a module calls accept. A setting or shared option added to mcsctl appears in the
modules (their argument spec at run time, their documentation at `python -m mcsctl.build`) unedited.
Plain data only: the modules' glue (plugins/module_utils/mcsctl_common.py) builds the AnsibleModule.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from typing import Any

from .dataclass_lite import fields

Spec = dict[str, Any]  # one entry of an Ansible argument_spec

# Not options of a module: consent is writing the task (a playbook cannot answer a prompt), the dry run
# is check mode, the result is always JSON, and `drain: false` says what `--no-drain` does.
NOT_OPTIONS = ("yes", "dry_run", "format", "no_drain")
DEFAULTS = {"max_in_maintenance": 1}  # where a module's default is not the CLI's
# The Cluster methods each module calls: its change options are the shared options they take.
CALLS: dict[str, tuple[str, ...]] = {
    "maintenance": ("on_options", "enter", "leave", "drain"),
    "switchover": ("switchover",),
    "server_info": (),
}
CONFIG: Spec = {"type": "path"}  # the config file (the global --config; not a setting)


def option_name(setting: str) -> str:
    """The module option of a setting (`hosts` would clash with Ansible's own word)."""
    return "maxscale_hosts" if setting == "hosts" else setting


def _kind(hint: Any) -> Spec:
    """The Ansible type of a Python type (an Optional's inner type; a tuple or list of strings is a list)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        hint = args[0]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"type": "str", "choices": [str(m.value) for m in hint]}
    origin = typing.get_origin(hint) or hint
    for py, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if origin is py:
            return {"type": name}
    if origin in (tuple, list):
        return {"type": "list", "elements": "str"}
    return {"type": "raw"}


def common_options() -> dict[str, Spec]:
    """option -> argument spec of every setting (unset = mcsctl's flag > env > config > default)."""
    from .secrecy import is_secret
    from .settings import Settings

    hints = typing.get_type_hints(Settings)
    out = {}
    for f in fields(Settings):
        spec = _kind(hints[f.name])
        if is_secret(f.name):
            spec["no_log"] = True
        out[option_name(f.name)] = spec
    out["config"] = dict(CONFIG)
    return out


def accepted(*methods: str) -> set[str]:
    """The keywords the Cluster `methods` take: their parameters and the ColumnStore keywords (cs_api.TAKES)."""
    from .api import Cluster
    from .cs_api import TAKES

    names: set[str] = set()
    for method in methods:
        names |= set(inspect.signature(getattr(Cluster, method)).parameters) | set(TAKES.get(method, ()))
    return names


def change_options(module: str) -> dict[str, Spec]:
    """option -> argument spec of the shared (change) options that module's Cluster calls take."""
    from .options import SHARED

    taken = accepted(*CALLS[module])
    out: dict[str, Spec] = {}
    if "drain" in taken:
        out["drain"] = {"type": "bool", "default": True}
    for name, opt in SHARED.items():
        if name in NOT_OPTIONS or name not in taken:
            continue
        spec = _kind(opt.type)
        default = DEFAULTS.get(name, opt.default)
        if default is not None:
            spec["default"] = default.value if isinstance(default, enum.Enum) else default
        out[name] = spec
    return out


def help_of(name: str) -> str:
    """The help of a shared option (for the documentation)."""
    from .options import SHARED

    return SHARED[name].help if name in SHARED else ""
