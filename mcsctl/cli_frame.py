"""The Typer side of the command frame (frame.py): `handled` runs a Typer command's body in `framed` and turns
its exit status into typer.Exit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer

from .frame import CommandExit, State, framed, reported

__all__ = ["State", "handled", "reported"]


@contextlib.contextmanager
def handled(ctx: typer.Context) -> Iterator[State]:
    """Run a command body in frame.framed (errors: one line + exit code; SIGINT/SIGTERM/SIGHUP interrupt it)."""
    try:
        with framed(ctx.obj) as state:
            yield state
    except CommandExit as exc:
        raise typer.Exit(exc.code) from None
