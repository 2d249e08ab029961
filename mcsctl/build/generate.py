"""Render every generated file from the Typer app, and write or check them under a source tree."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ansible_docs, completion, manpage
from .tree import Cmd, app_tree

ROOT = Path(__file__).resolve().parent.parent.parent
# The completion scripts live in the package (mcsctl/data/): `mcsctl completion SHELL` prints them and
# pyproject.toml installs the same files under share/; one copy of each.
OUTPUTS = {
    "bash": Path("mcsctl/data/mcsctl.bash"),
    "zsh": Path("mcsctl/data/_mcsctl"),
    "man": Path("man/mcsctl.1"),
    "ansible-fragment": ansible_docs.FRAGMENT,
    "ansible-role-vars": ansible_docs.ROLE_VARS,
}


def render_all(tree: Cmd | None = None) -> dict[str, str]:
    """{kind: text} of every generated file (OUTPUTS) for the current app."""
    tree = tree or app_tree()
    return {
        "bash": completion.render("bash", tree),
        "zsh": completion.render("zsh", tree),
        "man": manpage.render(tree),
        "ansible-fragment": ansible_docs.fragment(tree),
        "ansible-role-vars": ansible_docs.role_vars(),
    }


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated files under `--root DIR` (default: the source tree); `--check` only compares."""
    parser = argparse.ArgumentParser(prog="python -m mcsctl.build", description=main.__doc__)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is out of date")
    ns = parser.parse_args(argv)
    stale = []
    for kind, text in render_all().items():
        path = ns.root / OUTPUTS[kind]
        try:
            same = path.read_text(encoding="utf-8") == text
        except FileNotFoundError:
            same = False
        if same:
            continue
        stale.append(str(OUTPUTS[kind]))
        if not ns.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "out of date" if ns.check else "rewritten"
    for name in stale:
        print(f"{name}: {verb}", file=sys.stderr)
    return 1 if (ns.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
