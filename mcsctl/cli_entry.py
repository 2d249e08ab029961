"""The console entry point around the Typer app: signals, Click's errors as one line, output that cannot fail."""

from __future__ import annotations

import sys
from typing import Any

import typer

from .errors import Interrupted, UsageError
from .frame import reported


def run(app: typer.Typer) -> None:
    """Console entry point: Click's usage errors become one line (+ a hint), like mcsctl's own errors; the
    signals, flushes and exit status as every run ends (frame.finish)."""
    from .frame import finish
    from .render import safe

    finish(lambda: _run_app(app, safe(sys.stderr)))


def _run_app(app: typer.Typer, err: Any) -> int:
    """Run the Typer app; the exit status. Click's exceptions become mcsctl's one-line errors."""
    from .render import printable, safe

    try:
        from .argv import global_options_first

        command = typer.main.get_command(app)
        try:
            args = global_options_first(command, sys.argv[1:])
        except UsageError as exc:
            sys.stderr.write(f"mcsctl: error: {exc}\n")
            sys.exit(int(exc.exit_code))
        status = command.main(args=args, prog_name="mcsctl", standalone_mode=False)
    except KeyboardInterrupt:  # Ctrl-C outside a command body (e.g. while parsing)
        reported[0] = True
        err.write("mcsctl: interrupted\n")
        return int(Interrupted.exit_code)
    except Exception as exc:
        # Click's exceptions (vendored by Typer, so matched by shape): ClickException and subclasses.
        if type(exc).__name__ == "Abort":  # Click's Ctrl-C/EOF at a prompt
            err.write("mcsctl: aborted\n")
            return 1
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":  # `mcsctl` / `mcsctl maintenance` alone: the help
            safe(sys.stdout).write(exc.format_message().rstrip("\n") + "\n")
            return int(exc.exit_code)
        err.write(f"mcsctl: error: {printable(exc.format_message())}\n")  # it may echo the user's argv
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            err.write(f"hint: see '{printable(ctx.command_path)} --help'\n")
        return int(exc.exit_code)
    return status if isinstance(status, int) else 0
