"""`maintenance status` and `maintenance reap`: live state merged with the journal."""

from __future__ import annotations

import time

from . import render
from .errors import ExitCode, McsctlError

STATUS_COLUMNS = ["Server", "Hosts", "Since", "By", "Reason", "Expires", "Overdue", "Source", "Stale"]


def live_maintenance(fleet, ui) -> tuple[dict[str, dict[str, bool]], dict]:
    """server -> {MaxScale host: in maintenance}, reading every MaxScale; also the views read.

    A MaxScale that cannot be read is left out (with a warning): during an incident the journal and
    the MaxScales that answer are still worth seeing. Only when none answers is it an error; when some
    did not, `fleet.raise_if_silent()` after the output makes it exit 5.
    """

    views, silent = fleet.read_answering()  # raises only when no MaxScale answers
    for exc in silent.values():
        ui.warn(f"{exc}; its view is missing below")
    live: dict[str, dict[str, bool]] = {}
    for host, servers in views.items():
        for s in servers:
            live.setdefault(s.name, {})[host] = s.in_maintenance
    return live, views


def status(st, server: str | None, fmt: str) -> None:
    from .journal import Journal, status_rows

    fleet = st.fleet()
    live, views = live_maintenance(fleet, st.reporter)
    if server is not None:
        fleet.locate(server, views)  # unknown server: exit 1 with a near-miss hint
    journal = Journal(st.settings.journal)
    rows = status_rows(journal.read(), live, time.time(), server)
    if fmt == "table":
        for r in rows:
            r["since"], r["expires"] = render.when(r["since"]), render.when(r["expires"])
        if not rows:
            st.reporter.info("no server is in maintenance, and the journal has no open record")
    render.rows_out(STATUS_COLUMNS, rows, fmt)
    fleet.raise_if_silent()  # some MaxScales did not answer: exit 5 (partial)


# When several reaps fail, the exit status is the most telling of their codes.
_SEVERITY = {ExitCode.PARTIAL: 4, ExitCode.TIMEOUT: 3, ExitCode.UNREACHABLE: 2}


def reap(st, dry_run: bool) -> None:
    from .journal import Journal, expired

    journal = Journal(st.settings.journal)
    due = expired(journal.read(), time.time())
    ui = st.reporter
    if not due:
        ui.info("no expired maintenance")
        return
    proc = st.procedures()
    failures: list[McsctlError] = []
    for rec in due:
        ui.info(f"{rec.server}: maintenance expired {render.when(rec.expires)} "
                f"(set by {rec.user}, reason: {rec.reason or '-'})")
        try:
            # leave() also closes the record of a maintenance someone cleared outside mcsctl.
            outcome = proc.leave(rec.server, dry_run=dry_run, action="reap", reason="expired")
        except McsctlError as exc:
            failures.append(exc)
            ui.warn(f"could not reap {rec.server}: {exc}")
            continue
        if not dry_run:
            ui.info(outcome.message)
    if failures:
        worst = max(failures, key=lambda e: _SEVERITY.get(e.exit_code, 1))
        worst.message = "reap failed for " + "; ".join(str(e) for e in failures)
        worst.host = None
        raise worst
