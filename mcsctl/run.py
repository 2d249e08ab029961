"""`maintenance run`: enter maintenance, run a command with the terminal attached, come back safely."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess

from .cs_api import wait_after as cs_wait_after
from .errors import CommandFailed, Interrupted, McsctlError, UsageError
from .health import ChangedOutside, wait_back
from .model import Server
from .outcome import Outcome
from .reports import ChangeReport, Result
from .signals import forwarding, shielded

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from .intent import Intent
    from .outcome import OnOptions
    from .parts import Parts
    from .procedures import Procedures
    from .ui import UI


def substitute(argv: list[str], server: Server) -> list[str]:
    """Replace {server}, {address} and {port} inside each argument; each stays one argv element."""
    port = "" if server.port is None else str(server.port)
    values = {"{server}": server.name, "{address}": server.address or "", "{port}": port}
    out: list[str] = []
    for arg in argv:
        for key, value in values.items():
            arg = arg.replace(key, value)
        out.append(arg)
    return out


def check_command(argv: list[str]) -> None:
    """Refuse, before anything changes, a COMMAND that cannot run (exit 127/126 as a shell would)."""
    import shutil

    if not argv:
        raise UsageError("give the COMMAND after --")
    exe = argv[0]
    path = exe if "/" in exe else shutil.which(exe)
    if path is None or not os.path.exists(path):
        raise CommandFailed(f"command not found: {exe}; nothing was changed", 127)
    if os.path.isdir(path) or not os.access(path, os.X_OK):
        raise CommandFailed(f"command not executable: {exe}; nothing was changed", 126)


def _in_terminal_foreground() -> bool:
    """Whether our process group is the foreground of our controlling terminal (so Ctrl-C reaches COMMAND)."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False  # no controlling terminal
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def run_command(argv: list[str]) -> tuple[int, int | None]:
    """Run argv (no shell) with our stdio, without mcsctl's secrets in its environment (childenv);
    forward SIGINT/SIGTERM/SIGHUP to it.

    Returns (exit status, first signal received or None). A child killed by signal N gives 128+N.
    """
    from .childenv import child_env

    received: list[int] = []
    children: list[subprocess.Popen[bytes]] = []
    # Ctrl-C on our terminal already reaches the child (same foreground process group): sending it again
    # would make COMMAND see two interrupts. Without a terminal (scripts, cron) SIGINT is forwarded; a
    # `kill -INT` aimed at mcsctl alone while it runs in a terminal's foreground reaches only mcsctl.
    terminal_sigint = _in_terminal_foreground()

    def send(child: subprocess.Popen[bytes], signum: int) -> None:
        try:
            child.send_signal(signum)
        except ProcessLookupError:
            pass

    def forward(signum: int) -> None:
        received.append(signum)
        if children and not (signum == signal.SIGINT and terminal_sigint):
            send(children[0], signum)

    # Forwarding starts before the child does: a signal at any moment is forwarded or recorded, never lost.
    with forwarding(forward):
        try:
            children.append(subprocess.Popen(argv, env=child_env()))
        except FileNotFoundError:
            raise CommandFailed(f"command not found: {argv[0]}", 127) from None
        except PermissionError:
            raise CommandFailed(f"command not executable: {argv[0]}", 126) from None
        for signum in list(received):  # came while it was being started
            send(children[0], signum)
        rc = children[0].wait()
    return (128 - rc if rc < 0 else rc), (received[0] if received else None)


def run_in_maintenance(
    st: Parts,
    name: str,
    opts: OnOptions,
    argv: list[str],
    always_clear: bool,
    healthy_timeout: float,
) -> list[Outcome]:
    """`maintenance run`: the outcomes to show (none for a dry run). When COMMAND failed or was interrupted
    the error carries them instead (`err.report`, a ChangeReport): the final state is shown before the error."""
    proc = st.procedures()
    ui = st.reporter
    proc.check_name(name)  # a name a backend cannot send is refused before any request
    check_command(_program(argv, name, proc))
    if opts.dry_run:
        entered = proc.enter(name, opts, action="run-start")
        argv = substitute(argv, next(iter(entered.final.values())))
        ui.plan("# run: " + shlex.join(argv))
        ui.plan(f"# wait until a fresh monitor view shows {name} Running and caught up (up to {healthy_timeout:g}s)")
        if proc.columnstore is not None:
            ui.plan(f"# then until ColumnStore is healthy: {name} active again, every process up, pids settled")
        proc.leave(name, wait_healthy=True, healthy_timeout=healthy_timeout, dry_run=True, action="run-end")
        return []
    # One frame for the whole run: the server's lock is held from entering until it has left again.
    with proc.changing("run", [name], opts) as intent:
        return _run_locked(proc, ui, name, opts, argv, always_clear, healthy_timeout, intent)


def _program(argv: list[str], name: str, proc: Procedures) -> list[str]:
    """COMMAND as far as check_command needs it before anything changes. Its {address} and {port} come
    from the guards' read under the server's lock (one read less); only a program path that holds them
    is worth a read of its own here."""
    if argv and ("{address}" in argv[0] or "{port}" in argv[0]):
        return substitute(argv, next(iter(proc.fleet.locate(name).values())))
    return [argv[0].replace("{server}", name), *argv[1:]] if argv else argv


def _carrying(err: McsctlError, outcomes: list[Outcome]) -> McsctlError:
    """`err` with the outcomes to show before it (the Cluster completes the report)."""
    if outcomes:
        changed = any(o.changed for o in outcomes)
        err.report = ChangeReport("run", Result.CHANGED if changed else Result.UNCHANGED, servers=outcomes)
    return err


def _run_locked(
    proc: Procedures,
    ui: UI,
    name: str,
    opts: OnOptions,
    argv: list[str],
    always_clear: bool,
    healthy_timeout: float,
    intent: Intent,
) -> list[Outcome]:
    entered = proc.enter(name, opts, action="run-start")
    argv = substitute(argv, next(iter(entered.final.values())))
    ui.info(f"{name}: running {shlex.join(argv)}")
    status, sig = run_command(argv)

    def final() -> list[Outcome]:
        found = proc.final_state(name)  # best effort: an unreadable MaxScale must not hide COMMAND's status
        return [Outcome(name, "run", False, found, "")] if found else []

    def stay(why: str, outcome: str) -> list[Outcome]:
        with shielded():  # a further signal must not cut the journal record or the last word short
            proc.record("run-end", name, outcome, cleared=False, status=status)
            ui.warn(f"{why}; {name} stays in maintenance (mcsctl maintenance off {name} when it is fixed)")
            return final()

    if not entered.changed:
        ui.warn(f"{name} was already in maintenance before the run: leaving it in maintenance")
        shown = final()
        if sig:
            raise _carrying(Interrupted(f"{name}: interrupted by signal {signal.Signals(sig).name}"), shown)
        if status:
            raise _carrying(CommandFailed(f"command exited with status {status}", status), shown)
        return shown
    if sig and not always_clear:
        shown = stay(f"interrupted by {signal.Signals(sig).name} (command exit status {status})", "interrupted")
        raise _carrying(Interrupted(f"{name}: interrupted; left in maintenance"), shown)
    if status and not always_clear:
        shown = stay(f"command failed with exit status {status}", "failed")
        raise _carrying(CommandFailed(f"command exited with status {status}", status), shown)
    _wait_back(proc, ui, name, healthy_timeout, intent, status)
    outcome = proc.leave(name, wait_healthy=True, healthy_timeout=healthy_timeout, action="run-end")
    if not outcome.changed:  # someone cleared it between our last look and the leave
        ui.warn(f"{name} had already been taken out of maintenance outside this run")
    if sig:
        why = f"{name}: interrupted by {signal.Signals(sig).name}; maintenance cleared (--always-clear)"
        raise _carrying(Interrupted(why), [outcome])
    if status:
        why = f"command exited with status {status}; maintenance cleared (--always-clear)"
        raise _carrying(CommandFailed(why, status), [outcome])
    return [outcome]


def _wait_back(proc: Procedures, ui: UI, name: str, healthy_timeout: float, intent: Intent, status: int) -> None:
    """After COMMAND: wait for a fresh monitor view to show `name` back; on a timeout or an interrupt it
    stays in maintenance (journalled, with its final state on the error)."""
    try:  # a fresh monitor view must show the node Running (and caught up) before traffic returns
        deadline = proc.fleet.clock.now() + healthy_timeout
        wait_back(proc.fleet, ui, name, deadline, in_maintenance=True, budget=healthy_timeout)
        cs_wait_after(proc, name, deadline, healthy_timeout, "; it stays in maintenance")  # ColumnStore too
    except BaseException as exc:
        if not isinstance(exc, (McsctlError, KeyboardInterrupt)):
            raise
        err = (
            exc
            if isinstance(exc, McsctlError)
            else Interrupted(f"{name}: interrupted while waiting for it to come back")
        )
        if isinstance(err, ChangedOutside):
            _changed_outside(proc, name, err, intent, status)
            raise
        if "stays in maintenance" not in err.message:
            err.message += f"; {name} stays in maintenance"
        with shielded():
            proc.record(
                "run-end",
                name,
                "interrupted" if isinstance(err, Interrupted) else "timeout",
                cleared=False,
                status=status,
            )
        err.final = proc.final_state(name)
        if err is exc:
            raise
        raise err from None


def _changed_outside(proc: Procedures, name: str, err: McsctlError, intent: Intent, status: int) -> None:
    """The server left maintenance under us: journal the truth (its maintenance is over) and say who."""
    from .intent import taken_over_by

    by = taken_over_by(proc, name)
    if by:
        err.message += f"; {by}"
    err.hint = f"check {name} (mcsctl servers); the command exited with status {status}"
    intent.note = "taken out of maintenance outside this run"
    with shielded():
        proc.record("run-end", name, "ok", cleared=True, outside=True, status=status)
    err.final = proc.final_state(name)
