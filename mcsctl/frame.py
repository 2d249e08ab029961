"""The frame every command body runs in, without Typer: its State (Reporter, Cluster), `framed`, which turns
errors into one line and an exit code (CommandExit), and journals the end when the report could not be
written, and `finish`, the end of every run (signals, flushes, exit status). The Typer commands
(cli_frame.handled) and the lean path (lean.py) both run their bodies in it."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from .errors import Interrupted, McsctlError, exit_code_of

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .api import Cluster
    from .model import Server
    from .render import Reporter
    from .settings import Settings


class CommandExit(Exception):
    """A command body ended with this exit status (its error already reported)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class State:
    """What every command needs, built lazily from the global options: the Reporter and the Cluster."""

    def __init__(self, flags: dict[str, Any], config: str | None) -> None:
        self.flags = flags
        self.config = config
        self._settings: Settings | None = None
        self._cluster: Cluster | None = None
        self._reporter: Reporter | None = None

    @property
    def reporter(self) -> Reporter:
        if self._reporter is None:
            from .render import Reporter as Made

            self._reporter = Made(verbosity=self.flags.get("verbose") or 0)
        return self._reporter

    @property
    def settings(self) -> Settings:
        """The settings, resolved once (flag > environment > config file > default): the early maxctrl
        reads (backends.start_reads) and the Cluster share them."""
        if self._settings is None:
            from .settings import resolve

            self._settings = resolve(self.flags, self.config)
        return self._settings

    @property
    def cluster(self) -> Cluster:
        """The Cluster of the resolved settings."""
        if self._cluster is None:
            from .api import Cluster as Built

            self._cluster = Built(settings=self.settings, observer=self.reporter)
        return self._cluster

    def output(self, dry_run: bool = False, fmt: str = "table") -> State:
        """Set up the output of a command: --dry-run --format json collects the plan."""
        self.reporter.plan_json = dry_run and fmt == "json"
        return self


reported = [False]  # whether `handled` already told the admin why we stop


@contextlib.contextmanager
def framed(state: State) -> Iterator[State]:
    """Run a command body: SIGINT/SIGTERM/SIGHUP interrupt it; errors become one line + CommandExit(code).

    Reporting cannot fail: the Reporter's streams swallow EIO/EPIPE (a hung-up terminal, a closed pipe);
    when the report was lost, the journal gets a record of how the command ended instead.
    """
    from .signals import interrupts

    try:
        with interrupts():
            yield state
    except McsctlError as exc:
        reported[0] = True
        code = exit_code_of(exc)
        final = exc.final
        _report(state, str(exc), exc.hint, final)
        _journal_if_lost(state, str(exc), code, final)
        raise CommandExit(code) from None
    except KeyboardInterrupt:
        reported[0] = True
        _report(state, "interrupted")
        _journal_if_lost(state, "interrupted", int(Interrupted.exit_code), None)
        raise CommandExit(int(Interrupted.exit_code)) from None
    finally:
        if state._cluster is not None:  # the notifications still in flight: notify_timeout at most
            with contextlib.suppress(KeyboardInterrupt):
                state._cluster.close()
        early = sys.modules.get("mcsctl.backends.maxctrl_process")
        if early is not None:  # maxctrl calls started early (backends.start_reads) that nobody took over
            early.drop_early()


def finish(body: Callable[[], int], quick: bool = False) -> None:
    """Run `body()` (the whole command: parse, run, report) and exit with its status.

    The signal handler is installed before anything else and never removed; any SIGINT/SIGTERM/SIGHUP
    that came during the run makes the exit status 130, after the cleanup. Output that cannot be
    written (a hung-up terminal, a closed pipe) is dropped, never a traceback or another exit status.
    `quick` (the lean read-only commands): once all is flushed, end without Python's teardown, which
    frees every module and object one by one (~4 ms, a tenth of `servers`); such a command leaves no
    thread, child process or open file behind for it to finish.
    """
    from . import signals

    signals.install()
    status = body()
    from .render import safe  # after the body: a read-only command starts its maxctrl calls before this import

    err = safe(sys.stderr)
    interrupted = int(Interrupted.exit_code)
    # From here on signals are ignored: Python's shutdown would put back the default handlers, and a
    # signal then would end us with 129/143 after the work is done. One that came until now counts.
    signals.ignore_from_now()
    if signals.received() and status != interrupted:
        status = interrupted  # a signal that came while the command ended (or was forwarded to COMMAND)
        err.write("mcsctl: interrupted\n")
    elif status == interrupted and not reported[0]:
        err.write("mcsctl: interrupted\n")  # Ctrl-C outside a command body (Click turns it into 130)
    safe(sys.stdout).flush()  # now, so Python's own flush at exit cannot fail on a dead terminal
    err.flush()
    if quick:
        exit_now(status)
    sys.exit(status)


def exit_now(status: int) -> None:
    """End the process at once with `status` (finish's `quick` end; a test running mcsctl in its own process
    puts sys.exit here)."""
    import os

    os._exit(status)


def _report(state: State, message: str, hint: str | None = None, final: dict[str, Server] | None = None) -> None:
    """The last word: one error line (+ hint) and, after a change, where the server stands on each MaxScale."""
    state.reporter.error(message, hint)
    if final:
        from .render import servers

        servers(list(final.values()), "table", state.reporter.out)
    state.reporter.out.flush()
    state.reporter.err.flush()


def _journal_if_lost(state: State, message: str, code: int, final: dict[str, Server] | None) -> None:
    """When the final report could not be written, append what happened and the final state to the journal."""
    from .render import output_lost

    proc = state._cluster.last_procedures if state._cluster is not None else None
    if proc is None or not (state.reporter.lost or output_lost()):
        return
    from .errors import ExitCode
    from .signals import shielded

    try:
        outcome = ExitCode(code).name.lower()  # e.g. interrupted, timeout, partial
    except ValueError:
        outcome = "failed"  # COMMAND's own exit status
    servers = {s.name for s in (final or {}).values()}
    try:
        with shielded():
            proc.record(
                "report-lost",
                servers.pop() if len(servers) == 1 else None,
                outcome,
                hosts=sorted(final) if final else None,
                message=message,
                exit=code,
                final={h: s.state for h, s in (final or {}).items()},
            )
    except (McsctlError, OSError, ValueError):
        pass  # nowhere left to tell: the exit status is the last word
