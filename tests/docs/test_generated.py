"""The checked-in completions and man page are exactly what the Typer app renders today."""

from __future__ import annotations

import enum
import subprocess
from typing import Annotated

import pytest
import typer

from mcsctl import completion
from mcsctl.build import completion as build_completion
from mcsctl.build import generate
from mcsctl.build.tree import app_tree
from mcsctl.errors import UsageError

from .conftest import VENV_BIN
from .shells import ROOT


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return generate.render_all()


@pytest.mark.parametrize("kind", sorted(generate.OUTPUTS))
def test_checked_in_file_equals_a_fresh_rendering(rendered, kind):
    path = ROOT / generate.OUTPUTS[kind]
    assert path.read_text(encoding="utf-8") == rendered[kind], f"{path} is stale: run `make regen`"


def test_generate_writes_the_same_files(tmp_path):
    assert generate.main(["--root", str(tmp_path)]) == 0
    for rel in generate.OUTPUTS.values():
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes()
    assert generate.main(["--root", str(tmp_path), "--check"]) == 0
    (tmp_path / generate.OUTPUTS["man"]).write_text("stale\n")
    assert generate.main(["--root", str(tmp_path), "--check"]) == 1


def test_rendering_is_stable(rendered):
    assert generate.render_all() == rendered


@pytest.mark.parametrize("shell,kind", [("bash", "bash"), ("zsh", "zsh")])
def test_mcsctl_completion_prints_the_checked_in_script(shell, kind):
    proc = subprocess.run([str(VENV_BIN / "mcsctl"), "completion", shell], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (ROOT / generate.OUTPUTS[kind]).read_text(encoding="utf-8")


def test_unknown_shell_is_a_usage_error():
    with pytest.raises(UsageError):
        completion.script("fish")
    proc = subprocess.run([str(VENV_BIN / "mcsctl"), "completion", "fish"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""


def test_scripts_parse():
    subprocess.run(["bash", "-n", str(ROOT / "mcsctl" / "data" / "mcsctl.bash")], check=True)


def test_value_kinds_are_derived_from_metavars():
    assert build_completion.value_kind("table|json|tsv") == "w:table json tsv"
    assert build_completion.value_kind("fail|force|proceed") == "w:fail force proceed"
    assert build_completion.value_kind("SERVER") == "server"
    assert build_completion.value_kind("A,B,...") == "servers"
    assert build_completion.value_kind("DURATION") == ""
    assert build_completion.value_kind(None) == ""


def test_no_runtime_module_imports_the_build_package():
    """mcsctl/build is build time only: nothing outside it imports it (and so no cycle cli -> build -> cli)."""
    import ast

    offenders = []
    for path in sorted((ROOT / "mcsctl").rglob("*.py")):
        if "build" in path.relative_to(ROOT / "mcsctl").parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                name = "." * node.level + (node.module or "")
                names = [name] + [f"{name}.{a.name}" if node.module else name + a.name for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            if any(
                n in ("mcsctl.build", ".build", "..build") or n.startswith(("mcsctl.build.", ".build.")) for n in names
            ):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_completion_prints_the_shipped_file_without_the_build_package():
    code = (
        "import sys; from mcsctl.completion import script; script('bash'); script('zsh');"
        "import mcsctl.cli; print(sorted(m for m in sys.modules if m.startswith('mcsctl.build') or m == 'jinja2'))"
    )
    proc = subprocess.run([str(VENV_BIN / "python"), "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


class Fmt(enum.StrEnum):  # module level: Typer resolves the (postponed) annotations in the module's globals
    table = "table"
    json = "json"


def test_choices_come_from_the_click_type_of_an_enum_option():
    app = typer.Typer(add_completion=False)

    @app.command()
    def one(fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table) -> None:
        """One."""

    @app.command()
    def two(shell: Annotated[Fmt, typer.Argument()], on: Annotated[str, typer.Option(metavar="a|b")] = "a") -> None:
        """Two."""

    by_name = {(c.name, p.name): p for c in app_tree(app).walk() for p in [*c.options, *c.args]}
    fmt = by_name[("one", "fmt")]
    assert (fmt.choices, fmt.metavar, fmt.default) == (("table", "json"), "table|json", "table")
    assert build_completion.kind_of(fmt) == "w:table json"
    assert build_completion.kind_of(by_name[("two", "shell")]) == "w:table json"
    assert build_completion.kind_of(by_name[("two", "on")]) == "w:a b"  # a metavar a|b still counts
