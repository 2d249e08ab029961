"""The shared options are declared once (mcsctl.options.SHARED): every command that takes one takes it as
declared, and the choices reach Click as a Choice (completion and the man page read them from there)."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from mcsctl import cli
from mcsctl.options import SHARED

SHARING = {
    ("maintenance", "on"): set(SHARED) - {"columnstore_start", "cs_settle"},  # nothing to wait for
    ("maintenance", "run"): set(SHARED) - {"allow_last", "max_in_maintenance"},
    ("rolling",): set(SHARED) - {"switchover", "allow_primary", "allow_last", "max_in_maintenance"},
    ("drain",): {"drain_timeout", "dry_run", "skip_unreachable", "takeover", "format"},
}


def command(path: tuple[str, ...]) -> Any:
    """The Click command (Typer's vendored Click) at `path`."""
    cmd: Any = typer.main.get_command(cli.app)
    for word in path:
        cmd = cmd.commands[word]
    return cmd


def choices(param: Any) -> tuple[str, ...]:
    """The words of a Choice parameter (Typer's Choice type over an enum)."""
    assert type(param.type).__name__.endswith("Choice"), param.name
    return tuple(str(getattr(c, "value", c)) for c in param.type.choices)


@pytest.mark.parametrize("path", sorted(SHARING))
def test_each_command_takes_the_shared_options_as_declared(path):
    params = {p.name: p for p in command(path).params}
    for name in SHARING[path]:
        spec, param = SHARED[name], params["fmt" if name == "format" else name]
        assert tuple(param.opts + param.secondary_opts) == spec.flags, name
        if name != "to":  # rolling words its --to help for the roll
            assert param.help == spec.help, name
        default = param.default.value if hasattr(param.default, "value") else param.default
        spec_default = spec.default.value if hasattr(spec.default, "value") else spec.default
        assert default == spec_default, name
        if spec.choices:
            assert choices(param) == spec.choices, name


def test_the_global_backend_is_a_choice():
    backend = next(p for p in command(()).params if p.name == "backend")
    assert choices(backend) == ("auto", "maxctrl", "rest")
