"""`maintenance status` and `maintenance reap`: live state merged with the journal."""

from __future__ import annotations

import time

from . import render
from .errors import ExitCode, McsctlError, OperationFailed, Partial, UsageError

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .fleet import Fleet, Views
    from .journal import Record
    from .outcome import Outcome
    from .parts import Parts
    from .ui import UI


def live_maintenance(fleet: Fleet, ui: UI) -> tuple[dict[str, dict[str, bool]], Views]:
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


def collect(st: Parts, server: str | None) -> tuple[list[dict[str, Any]], list[str], dict[str, str]]:
    """The status rows (every server the journal or a MaxScale knows), the cleanup hints, and the MaxScales
    that did not answer (host -> why). Prints nothing: `render.status` shows them."""
    from .journal import status_rows

    fleet = st.fleet()
    live, views = live_maintenance(fleet, st.reporter)
    if server is not None:
        fleet.locate(server, views)  # unknown server: exit 1 with a near-miss hint
    records = _records_or_warn(st)
    journal = st.journal()
    leased = journal.lease_holders() if journal is not None else set()
    rows = status_rows(records, live, time.time(), server, draining=_draining(views), leased=leased)
    hints = [h for h in (_cleanup_hint(r) for r in rows) if h]
    return rows, hints, {h: str(e) for h, e in fleet.silent.items()}


def silent_error(unanswered: dict[str, str], asked: int) -> Partial:
    """Partial (exit 5) naming the MaxScales that did not answer; the output showed the others."""
    return Partial(
        f"{len(unanswered)} of {asked} MaxScales did not answer ({', '.join(unanswered)}); the output shows the others"
    )


def _records_or_warn(st: Parts) -> list[Record]:
    """The journal's records; one that cannot be read is a warning here (the live state is still worth seeing)."""
    journal = st.journal()
    if journal is None:
        return []
    try:
        return journal.read()
    except McsctlError as exc:
        st.reporter.warn(f"{exc}; showing the live state only")
        return []


def _draining(views: Views) -> dict[str, dict[str, bool]]:
    """server -> {MaxScale host: Draining or Drained}, from the views `live_maintenance` read."""
    out: dict[str, dict[str, bool]] = {}
    for host, servers in views.items():
        for s in servers:
            out.setdefault(s.name, {})[host] = s.draining
    return out


def _cleanup_hint(r: dict[str, Any]) -> str | None:
    """What to run to clean up after a change that died, or a drain nobody finishes."""
    name, change = r["server"], r["unfinished"]
    left = "left it draining" if r["draining"] else "left it in maintenance" if r["in_maintenance"] else "left no flag"
    from .intent import command_of

    if change and change["state"] == "interrupted":
        return (
            f"{name}: `{command_of(change['action'])}` (pid {change['pid']}) died before it finished and "
            f"{left}; clean up with: mcsctl maintenance off {name}"
        )
    if change and change["state"] == "unfinished":
        return (
            f"{name}: `{command_of(change['action'])}` started on {change['host'] or 'another host'} (pid "
            f"{change['pid']}) has not recorded its end; if it is no longer running there, clean up with: "
            f"mcsctl maintenance off {name}"
        )
    if r["draining"] and not r["in_maintenance"] and change is None:
        return f"{name} is draining outside any mcsctl change; if that is left over: mcsctl maintenance off {name}"
    return None


def extend(st: Parts, name: str, expires: str, reason: str | None, dry_run: bool) -> None:
    """`maintenance extend`: a new expiry (and reason) for a server in maintenance; only the journal changes.

    The server must be in maintenance by the journal's record or live on some MaxScale. A duration
    counts from now.
    """
    from .durations import parse_until
    from .journal import open_maintenances

    journal = st.journal()
    if journal is None:
        raise UsageError("maintenance extend only writes the journal; it cannot work with --no-journal")
    until = parse_until(expires, time.time())
    opened = open_maintenances(journal.read()).get(name)
    fleet = st.fleet()
    try:
        live_hosts = sorted(h for h, s in fleet.locate(name).items() if s.in_maintenance)
    except McsctlError:
        if opened is None:
            raise
        live_hosts = []  # MaxScale cannot be read: the record is what we go by
        st.reporter.warn(f"could not read the live state of {name}; extending its journal record")
    if opened is None and not live_hosts:
        raise OperationFailed(
            f"{name} is not in maintenance (no MaxScale shows it, and the journal has no open "
            "record); nothing to extend",
            hint=f"put it in maintenance: mcsctl maintenance on {name}",
        )
    hosts = sorted(set(live_hosts) | set(opened.hosts if opened else []))
    what = f"{name}: expires {render.when(until)}" + (f", reason {reason!r}" if reason else "")
    if dry_run:
        st.reporter.plan(f"# record in the journal {journal.where}: {what} (MaxScale is not changed)")
        return
    proc = st.procedures()
    with proc.changing("extend", [name]):
        proc.record("extend", name, "ok", hosts=hosts, reason=reason, expires=until)
    st.reporter.info(f"{what} (recorded in the journal)")


# When several reaps fail, the exit status is the most telling of their codes.
_SEVERITY = {ExitCode.PARTIAL: 4, ExitCode.TIMEOUT: 3, ExitCode.UNREACHABLE: 2}


def reap(st: Parts, dry_run: bool) -> list[Outcome]:
    """Leave maintenance for every expired record; the outcomes (the worst failure raises after the rest)."""
    from .journal import expired

    journal = st.journal()
    due = expired(journal.read(), time.time()) if journal is not None else []
    ui = st.reporter
    if not due:
        ui.info("no expired maintenance")
        return []
    proc = st.procedures()
    failures: list[McsctlError] = []
    outcomes: list[Outcome] = []
    for rec in due:
        ui.info(
            f"{rec.server}: maintenance expired {render.when(rec.expires)} "
            f"(set by {rec.user}, reason: {rec.reason or '-'})"
        )
        try:
            # leave() also closes the record of a maintenance someone cleared outside mcsctl.
            assert rec.server is not None  # expired() lists open maintenances, each of a server
            outcome = proc.leave(rec.server, dry_run=dry_run, action="reap", reason="expired")
        except McsctlError as exc:
            failures.append(exc)
            ui.warn(f"could not reap {rec.server}: {exc}")
            continue
        outcomes.append(outcome)
        if not dry_run:
            ui.info(outcome.message)
    if failures:
        worst = max(failures, key=lambda e: _SEVERITY.get(e.exit_code, 1))
        worst.message = "reap failed for " + "; ".join(str(e) for e in failures)
        worst.host = None
        raise worst
    return outcomes
