"""One walk over the Typer app: every command and every option is in both scripts and in the man page."""

from __future__ import annotations

import re

import pytest

from mcsctl.build import completion
from mcsctl.build.tree import app_tree

from .shells import ROOT

TREE = app_tree()
COMMANDS = [c for c in TREE.walk() if c.path]
OPTIONS = sorted({(" ".join(c.path), n) for c in TREE.walk() for o in c.options for n in o.all_names})


def man_text() -> str:
    """The man page source with roff's escaped hyphens turned back into plain ones."""
    return (ROOT / "man" / "mcsctl.1").read_text().replace("\\-", "-")


def test_the_walk_sees_the_documented_surface():
    names = {" ".join(c.path) for c in COMMANDS}
    assert {
        "servers",
        "maintenance on",
        "maintenance off",
        "maintenance status",
        "maintenance run",
        "maintenance reap",
        "switchover",
        "rolling",
        "completion",
        "maint",
        "maint on",
    } <= names
    assert next(c for c in COMMANDS if c.path == ("maint",)).alias_of == "maintenance"
    assert ("", "--hosts") in OPTIONS and ("rolling", "--servers") in OPTIONS


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c.path))
def test_every_command_is_in_both_scripts_and_the_man_page(cmd):
    bash = (ROOT / "mcsctl" / "data" / "mcsctl.bash").read_text()
    zsh = (ROOT / "mcsctl" / "data" / "_mcsctl").read_text()
    key = " ".join(cmd.path)
    assert f"    {completion.shell_quote(key)})\n" in bash  # a case of _mcsctl_spec
    assert re.search(rf"\n    {re.escape(cmd.name)}\) _mcsctl_{'_'.join(cmd.path).replace('-', '_')} ", zsh)
    assert f"\n{'_'.join(('_mcsctl',) + cmd.path).replace('-', '_')}() {{\n" in zsh
    man = man_text()
    if cmd.alias_of:  # documented as an alias of the visible command
        assert f"Alias: \\fB{cmd.name}\\fR" in man
    else:
        top = next(c for c in TREE.subcommands if c.name == cmd.path[0])
        doc_path = [top.alias_of or top.name, *cmd.path[1:]]  # maint on is documented as maintenance on
        assert f'.SS "mcsctl {" ".join(doc_path)}"' in man


@pytest.mark.parametrize("path,name", OPTIONS)
def test_every_option_is_in_both_scripts_and_the_man_page(path, name):
    bash = (ROOT / "mcsctl" / "data" / "mcsctl.bash").read_text()
    zsh = (ROOT / "mcsctl" / "data" / "_mcsctl").read_text()
    spec = bash.split(f"    {completion.shell_quote(path)})\n", 1)[1].split(";;", 1)[0]
    assert re.search(rf"[( ]{re.escape(name)}[ )]", spec), f"{name} missing for {path!r} in mcsctl.bash"
    fname = "_".join(("_mcsctl",) + tuple(path.split())).replace("-", "_") if path else "_mcsctl"
    body = zsh.split(f"\n{fname}() {{\n", 1)[1].split("\n}\n", 1)[0]
    assert re.search(rf"\){re.escape(name)}[=+\[]", body), f"{name} missing for {path!r} in _mcsctl"
    assert re.search(rf"\\fB{re.escape(name)}\\fR", man_text()), f"{name} missing in man page"


def test_every_envvar_is_in_the_man_page():
    man = man_text()
    envvars = {o.envvar for c in TREE.walk() for o in c.options if o.envvar}
    assert envvars and all(f"\n.B {e}\n" in man for e in envvars)
