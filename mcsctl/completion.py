"""`mcsctl completion SHELL`: the static completion scripts shipped as package data (mcsctl/data/).

They are generated at build time from the Typer app (`make regen`, mcsctl/build/), so printing one
renders nothing and imports no template engine.
"""

from __future__ import annotations

from pathlib import Path

from .errors import UsageError

SHELLS = ("bash", "zsh")
DATA = Path(__file__).resolve().parent / "data"
FILES = {"bash": "mcsctl.bash", "zsh": "_mcsctl"}


def script(shell: str) -> str:
    """The completion script for `shell` ("bash" or "zsh"), as `mcsctl completion SHELL` prints it."""
    if shell not in SHELLS:
        raise UsageError(f"unknown shell {shell!r}: choose bash or zsh")
    return (DATA / FILES[shell]).read_text(encoding="utf-8")
