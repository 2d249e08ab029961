"""The MaxScales mcsctl acts on: read each, change each, undo on partial failure, wait until all agree."""

from __future__ import annotations

import time
from collections.abc import Callable

from .backends.base import Backend
from .errors import (
    AuthFailed,
    BadOutput,
    MaxctrlMissing,
    McsctlError,
    OperationFailed,
    Partial,
    Refused,
    TimedOut,
    UnknownServer,
    Unreachable,
    UsageError,
)
from .model import Server
from .signals import deferred, shielded

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor
    from typing import Protocol, TypeVar

    T = TypeVar("T")
else:
    Protocol = object  # the protocols here are for mypy only

Views = dict[str, list[Server]]  # MaxScale host -> its servers
# A MaxScale behind its config-sync cluster refuses changes with a detail containing these
# (docs/maxscale-facts.md: config-sync).
SYNC_CONFLICT = ("Configuration conflict detected", "MaxScale is out of sync")


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class Fleet:
    """One Backend per MaxScale host. Reads run in parallel; changes run host by host."""

    def __init__(self, backends: list[Backend], clock: Clock | None = None, poll: float = 0.5):
        self.backends = backends
        self.clock = clock or SystemClock()
        self.poll = poll
        self._pool: ThreadPoolExecutor | None = None
        self._writers: list[Backend] | None = None
        self._group: dict[str, list[str]] | None = None
        self.silent: dict[str, McsctlError] = {}  # host -> why it did not answer the last read_answering()
        self.skipped: list[str] = []  # hosts dropped for this command (--skip-unreachable)
        if len(backends) > 1:
            from concurrent.futures import ThreadPoolExecutor  # only with several MaxScales

            self._pool = ThreadPoolExecutor(len(backends))

    @property
    def hosts(self) -> list[str]:
        return [b.host for b in self.backends]

    def writers(self) -> list[Backend]:
        """The MaxScales a change is sent to: every one, except that MaxScales sharing their configuration
        (config_sync_cluster, 22.08+) get it through the first of them only. MaxScale copies it to the
        others itself, and the same change sent to another at once can fail as a sync conflict
        (docs/maxscale-facts.md: config-sync). Every MaxScale is still read to confirm."""
        if self._writers is not None:
            return self._writers
        if len(self.backends) == 1:
            self._writers, self._group = list(self.backends), {self.backends[0].host: [self.backends[0].host]}
            return self._writers

        def cluster_of(b: Backend) -> str | None | McsctlError:
            try:
                return b.config_sync_cluster()
            except McsctlError as exc:
                return exc  # unknown: this MaxScale is changed on its own, as without sync

        clusters = self.each(cluster_of)
        writers: list[Backend] = []
        group: dict[str, list[str]] = {}  # writer host -> the hosts that get its changes (itself included)
        first: dict[str, Backend] = {}
        for b, cluster in zip(self.backends, clusters, strict=True):
            if isinstance(cluster, str) and cluster in first:
                group[first[cluster].host].append(b.host)
                continue
            if isinstance(cluster, str):
                first[cluster] = b
            writers.append(b)
            group[b.host] = [b.host]
        if not any(isinstance(c, McsctlError) for c in clusters):  # a failed read is asked again next time
            self._writers, self._group = writers, group
        return writers

    def _do_synced(self, writer: Backend, do: Callable[[Backend], object]) -> Backend:
        """Do a change through `writer`; if that MaxScale is behind its config-sync cluster (it refuses with
        a configuration conflict), through the next member of the cluster. Returns the one that did it."""
        hosts = self.group(writer)
        members = [writer] + [b for b in self.backends if b.host in hosts and b is not writer]
        for i, b in enumerate(members):
            try:
                do(b)
                return b
            except Refused as exc:
                if i + 1 < len(members) and any(t in (exc.detail or exc.message) for t in SYNC_CONFLICT):
                    continue
                exc.backend = b
                raise
            except McsctlError as exc:
                exc.backend = b
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def group(self, backend: Backend) -> list[str]:
        """The hosts a change sent to `backend` reaches: itself and its config-sync peers."""
        self.writers()
        for hosts in (self._group or {}).values():
            if backend.host in hosts:
                return hosts
        return [backend.host]

    def each(self, fn: Callable[[Backend], T]) -> list[T]:
        """Run fn on every backend (in parallel when there are several); the first error is raised."""
        if self._pool is None:
            return [fn(b) for b in self.backends]
        from concurrent.futures import wait

        futures = [self._pool.submit(fn, b) for b in self.backends]
        try:
            wait(futures)  # every backend is idle again before anyone (e.g. a cleanup) uses it
        except BaseException:
            with shielded():  # Ctrl-C: let the reads end (each is bounded by its timeout) before cleanup
                wait(futures)
            raise
        return [f.result() for f in futures]

    def read(self, only: str | None = None) -> Views:
        """Every MaxScale's servers (`only`: at least that one, alone where the backend can read one server);
        the first error when one does not answer."""
        try:
            return dict(zip(self.hosts, self.each(lambda b: _servers(b, only)), strict=True))
        except Unreachable as exc:
            skip = "add --skip-unreachable to act on the MaxScales that answer"
            if (
                len(self.backends) > 1
                and skip not in (exc.hint or "")
                and not isinstance(exc, (AuthFailed, MaxctrlMissing))
            ):
                exc.hint = f"{exc.hint}; or {skip}" if exc.hint else skip
            raise

    def read_answering(self) -> tuple[Views, dict[str, McsctlError]]:
        """The views of the MaxScales that answer, and the error of each one that did not (also kept in
        `silent`). Only when none answers is it an error: the first one's."""

        def read(b: Backend) -> list[Server] | McsctlError:
            try:
                return b.list_servers()
            except McsctlError as exc:
                return exc

        views: Views = {}
        self.silent = {}
        for backend, result in zip(self.backends, self.each(read), strict=True):
            if isinstance(result, McsctlError):
                self.silent[backend.host] = result
            else:
                views[backend.host] = result
        if not views and self.silent:
            raise next(iter(self.silent.values()))
        return views, self.silent

    def raise_if_silent(self) -> None:
        """After showing what answered: Partial (exit 5) naming the MaxScales that did not."""
        if self.silent:
            hosts = ", ".join(self.silent)
            raise Partial(
                f"{len(self.silent)} of {len(self.backends)} MaxScales did not answer ({hosts}); "
                "the output shows the others"
            )

    def skip_unreachable(self, warn: Callable[[str], None]) -> list[str]:
        """--skip-unreachable: drop the MaxScales that do not answer now, for this whole command (after a
        warning each); the change then goes to the others. Unreachable when none answers."""
        _, silent = self.read_answering()
        for host, exc in silent.items():
            warn(f"{host} does not answer ({exc.message}): skipped (--skip-unreachable), it does not get this change")
        if silent:
            self.backends = [b for b in self.backends if b.host not in silent]
            self.skipped = list(silent)
            self._writers = self._group = None
        return self.skipped

    def poll_read(self, deadline: float, only: str | None = None) -> Views | None:
        """One read while waiting for something: None when a MaxScale dropped it (try again later).

        A MaxScale that drops one poll (restart, network blip) gets until the deadline to answer; a wrong
        password or an unusable maxctrl will not get better, so those are raised at once.
        """
        try:
            return self.read(only)
        except Unreachable as exc:
            if isinstance(exc, (AuthFailed, BadOutput, MaxctrlMissing)) or self.clock.now() >= deadline:
                raise
            return None

    def locate(self, name: str, views: Views | None = None) -> dict[str, Server]:
        """The server as each MaxScale sees it; UnknownServer (with a near-miss hint) when one lacks it."""
        views = views if views is not None else self.read()
        found = {h: next((s for s in servers if s.name == name), None) for h, servers in views.items()}
        missing = [h for h, s in found.items() if s is None]
        if missing:
            import difflib

            names = {s.name.lower(): s.name for servers in views.values() for s in servers}
            close = difflib.get_close_matches(name.lower(), sorted(names), n=1, cutoff=0.6)
            if len(missing) == len(found):
                raise UnknownServer(name, suggestion=names[close[0]] if close else None)
            raise OperationFailed(
                f"{name} is not a server on {', '.join(missing)} (it is on the other MaxScales)",
                hint="the MaxScales disagree about their servers; fix their configuration first",
            )
        return found  # type: ignore[return-value]

    def apply(self, what: str, do: Callable[[Backend], object], undo: Callable[[Backend], object]) -> None:
        """Make one change on every host in order; if a host fails, undo it on the hosts already changed.

        The original error is raised when the undo worked (nothing is left changed); Partial (exit 5)
        when it did not, naming what each host is left with.
        """
        done: list[Backend] = []
        for writer in self.writers():
            backend = writer
            try:
                backend = self._do_synced(writer, do)
            except KeyboardInterrupt:
                # Interrupted mid-way: undo where it was done, and where it may have just happened.
                with shielded():
                    for b in reversed([*done, backend]):
                        try:
                            undo(b)
                        except McsctlError:
                            pass  # the caller re-reads and reports what is left
                raise
            except McsctlError as exc:
                backend = exc.backend or backend  # the sync peer that was tried last, if any
                # A refusal changed nothing on this host; a timeout or lost connection may have (MaxScale
                # applies a PUT before it answers), so that host is undone too (undo is idempotent).
                maybe = [] if isinstance(exc, (Refused, UnknownServer, UsageError, AuthFailed)) else [backend]
                if not done and not maybe:
                    raise
                still: dict[str, str] = {}  # host that did change -> why its undo failed
                unsure = []  # the failing host, if it does not answer the undo either
                with shielded() as got:
                    for b in reversed([*done, *maybe]):
                        try:
                            undo(b)
                        except McsctlError as undo_exc:
                            if b in done:
                                still[b.host] = undo_exc.message
                            else:
                                unsure.append(b.host)
                if not still:
                    deferred(got)  # a pending Ctrl-C lands now; a Partial below is more important than it
                if unsure:
                    exc.message += f" (its state is unknown: {', '.join(unsure)} did not answer the undo either)"
                if still:
                    states = [f"{h}: still changed ({why})" for h, why in still.items()]
                    states += [f"{b.host}: undone" for b in done if b.host not in still]
                    partial = Partial(
                        f"{what} failed on {backend.host} ({exc.message}); undo failed too: " + "; ".join(states),
                        hint="check each MaxScale with `mcsctl maintenance status` and fix by hand",
                    )
                    partial.changed_hosts = [h for b in done if b.host in still for h in self.group(b)]
                    raise partial from exc
                if done:
                    exc.message = f"{exc.message} (undone on {', '.join(b.host for b in done)})"
                raise
            done.append(backend)

    def wait(
        self,
        ok: Callable[[Server], bool],
        name: str,
        timeout: float,
        what: str,
        progress: Callable[[dict[str, Server], float], None] | None = None,
    ) -> dict[str, Server]:
        """Poll every host until `ok` holds for `name` on all of them; TimedOut names the ones that did not."""
        start = self.clock.now()
        polls = 0
        took = 0.0  # how long the last read took
        while True:
            began = self.clock.now()
            views = self.poll_read(start + timeout, name)  # a poll reads only what it needs (issue 17)
            found = None if views is None else self.locate(name, views)
            took = self.clock.now() - began
            elapsed = self.clock.now() - start
            if found is None:
                self.clock.sleep(min(self.poll, max(timeout - elapsed, 0.01)))
                continue
            pending = {h: s for h, s in found.items() if not ok(s)}
            if not pending:
                return found
            if progress:
                progress(found, elapsed)
            if elapsed >= timeout:
                states = "; ".join(f"{h}: {s.state} ({s.connections or 0} connections)" for h, s in pending.items())
                raise TimedOut(f"{name}: not {what} after {timeout:g}s on {states}")
            # Results land on a fixed schedule (start + k*poll): a read starts early by the time the last one
            # took, so a change is seen within one interval. A read slower than the interval skips the slots
            # it missed instead of polling back to back.
            now = self.clock.now()
            polls = max(polls + 1, int((now - start) / self.poll) + 1)
            due = min(start + polls * self.poll - min(took, self.poll / 2), start + timeout)
            self.clock.sleep(max(due - now, 0.001))


def _servers(backend: Backend, only: str | None) -> list[Server]:
    """The backend's servers; with `only`, just that one where the backend reads one server (REST: GET
    /v1/servers/NAME), else all. A server it does not know: all of them, so that locate() says what is
    missing with its near-miss hint, as for a full read."""
    get = getattr(backend, "get_server", None) if only is not None else None
    if get is None:
        return backend.list_servers()
    try:
        return [get(only)]
    except UnknownServer:
        return backend.list_servers()
