"""The bodies of the read-only commands, `servers` and `maintenance status`, without Typer: the Typer commands
(cli_commands, cli_maintenance) and the lean path (lean.py) both call them with the same State."""

from __future__ import annotations

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from .frame import State


def show_servers(st: State, fmt: str) -> None:
    """`servers`: what answers is shown (and cached for completion); exit 5 when some MaxScales did not answer."""
    _start_early(st, monitors=True)  # first: the maxctrl calls run while the rest is imported
    from . import render
    from .cache import write_names
    from .status import silent_error

    report = st.cluster.servers()
    for why in report.unanswered.values():
        st.reporter.warn(f"{why}; its servers are missing below")
    write_names([s.name for s in report.servers], st.flags["hosts"])
    render.servers(report.servers, fmt, columnstore=report.columnstore)
    for line in report.disagreements:
        st.reporter.warn(line)
    if report.unanswered:
        raise silent_error(report.unanswered, len(st.cluster.settings.hosts))


def show_status(st: State, server: str | None, fmt: str) -> None:
    """`maintenance status`: the Cluster's report, printed by render; exit 5 when some MaxScales did not answer."""
    _start_early(st)  # first: the maxctrl calls run while the rest is imported
    from .render_status import status
    from .status import silent_error

    report = st.cluster.status(server)
    status(report, fmt, st.reporter, server)
    if report.unanswered:
        raise silent_error(report.unanswered, len(st.cluster.settings.hosts))


def _start_early(st: State, monitors: bool = False) -> None:
    """With the maxctrl backend, start each MaxScale's `list servers` call now, in parallel, before the rest
    of the start-up (issue 17); the backends take them over. `monitors`: the command reads the monitors too
    when ColumnStore is checked (`servers`: the monitor's CMAPI key), so start that call as well. Errors are
    left to the real calls."""
    from .backends import choose_backend, make_backends, start_reads
    from .errors import McsctlError

    try:
        settings = st.settings
    except McsctlError:
        return
    if choose_backend(settings.backend, settings.maxctrl) == "maxctrl":
        start_reads(make_backends(settings), monitors and settings.columnstore)
