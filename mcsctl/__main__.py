"""Console entry point. Kept tiny: `--version` answers before Typer is imported, and the hot read-only
commands run on the lean path (lean.py) without Typer at all."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        print(f"mcsctl {__version__}")
        return
    from .signals import install

    install()  # before the CLI is imported: a signal from now on is handled (cleanup, exit 130), not fatal
    from .lean import run_lean

    run_lean(sys.argv[1:])  # exits when it ran the command; returns when the argv is for Typer
    from .cli import run

    run()


if __name__ == "__main__":
    main()
