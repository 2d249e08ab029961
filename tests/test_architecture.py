"""The shape of mcsctl/, checked on the source with ast: small modules, short functions, no import cycle.

Generated code is not counted; neither is the generation of the man page and completions (completion,
generate, manpage), which leaves the runtime package for a build-time one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mcsctl"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
GENERATION = {"mcsctl.completion", "mcsctl.generate", "mcsctl.manpage"}


def modules() -> dict[str, Path]:
    """Module name -> file, for every hand-written module of mcsctl/."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in GENERATION and "templates" not in parts:
            out[name] = path
    return out


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The mcsctl modules `name` imports anywhere (top level or inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(max(node.level - 1, 0)):
                base = base.rpartition(".")[0]
            mod = f"{base}.{node.module}" if node.level and node.module else base if node.level else node.module
            subs = [f"{mod}.{a.name}" for a in node.names]
            # `from . import documents` imports the submodule; the package itself only for other names.
            targets = subs if all(t in known for t in subs) else [mod, *subs]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def test_no_module_is_over_400_lines():
    big = {n: len(p.read_text().splitlines()) for n, p in modules().items()}
    assert {n: lines for n, lines in big.items() if lines > MAX_MODULE_LINES} == {}


def test_no_function_is_over_60_lines():
    long = {}
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name}"] = lines
    assert long == {}


def test_no_import_cycle():
    mods = modules()
    graph = {n: imported(n, p, set(mods)) for n, p in mods.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        path.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                pytest.fail("import cycle: " + " -> ".join(path[path.index(m) :] + [m]))
            if m not in state:
                visit(m)
        path.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
