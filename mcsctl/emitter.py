"""When events go out and hooks run: the one object the procedures tell about each transition.

The procedures call `before` just before the first request of a change (the pre-on / pre-off hooks: a
failure vetoes, exit 4), `transition` at each transition (one event to every webhook; maintenance-on runs
post-on, maintenance-off and reaped run post-off) and the change frame (intent.py) calls `ended` with
its outcome (timeout / interrupted / failed events and the on-failure hook). Dry runs reach none of them.
"""

from __future__ import annotations

from .errors import GuardRefused
from .events import build, states_of

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, Protocol

    from .fleet import Fleet
    from .model import Server
    from .notify import Notifier
    from .settings import Settings
    from .ui import UI
else:
    Protocol = object  # the protocols here are for mypy only


class Change(Protocol):
    """What events need of a change in progress (an intent.Intent)."""

    id: str
    action: str
    names: list[str]


class Frame(Protocol):
    """What events need of the procedures (procedures.core.Core): who changes what, where, when."""

    _intents: Any  # server -> its Change (intent.Intent)
    fleet: Fleet
    ui: UI
    wall: Callable[[], float]


POST_HOOK = {"maintenance-on": "post-on", "maintenance-off": "post-off", "reaped": "post-off"}
FRAME_EVENT = {"timeout": "timeout", "interrupted": "interrupted", "failed": "failed", "partial": "failed"}


class Events:
    """Events and hooks of one command's procedures (`proc.events`); off when nothing is configured."""

    def __init__(
        self,
        frame: Frame,
        notifier: Notifier | None = None,
        hooks: tuple[tuple[str, tuple[str, ...]], ...] = (),
        hook_timeout: float = 60.0,
    ) -> None:
        self.frame = frame
        self.notifier = notifier
        self.hooks = dict(hooks)
        self.hook_timeout = hook_timeout
        self._why: dict[str, tuple[str | None, float | None]] = {}  # server -> (reason, expires) of its change
        self._vetted: set[tuple[str, str]] = set()  # (pre hook, server) already run by this command

    @property
    def off(self) -> bool:
        return self.notifier is None and not self.hooks

    def event(
        self,
        kind: str,
        server: str | None,
        outcome: str = "ok",
        states: dict[str, str] | None = None,
        **details: Any,
    ) -> dict[str, Any]:
        """The event for `server` now (reason and expiry as its change gave them)."""
        from . import __version__
        from .record import who

        frame = self.frame
        intent = frame._intents.get(server) if server is not None else None
        reason, expires = self._why.get(server or "", (None, None))
        if frame.fleet.skipped:
            details.setdefault("skipped", list(frame.fleet.skipped))
        return build(
            kind,
            server,
            hosts=list(frame.fleet.hosts),
            who=who(),
            why=reason,
            expires=expires,
            outcome=outcome,
            states=states or {},
            time=frame.wall(),
            version=__version__,
            action=_command(intent.action) if intent is not None else None,
            id=intent.id if intent is not None and intent.id else None,
            details=details,
        )

    def _note(self, server: str, reason: str | None, expires: float | None) -> None:
        old = self._why.get(server, (None, None))
        self._why[server] = (reason if reason is not None else old[0], expires if expires is not None else old[1])

    def before(self, what: str, names: list[str], reason: str | None = None, expires: float | None = None) -> None:
        """Run the pre-`what` hook (on/off) for each server, before anything changes; a failure vetoes."""
        for n in names:
            self._note(n, reason, expires)
        hook = f"pre-{what}"
        argv = self.hooks.get(hook)
        if argv is None:
            return
        from .hooks import run

        for n in names:
            if (hook, n) in self._vetted:
                continue
            self._vetted.add((hook, n))
            ran = run(hook, argv, self.event(f"maintenance-{what}", n, "pending"), self.hook_timeout)
            if not ran.ok:
                raise GuardRefused(
                    f"{n}: the {hook} hook {ran.failure}; vetoed, nothing was changed",
                    hint=f"the {hook} hook is {argv[0]} ([hooks] in the config)",
                )
            self.frame.ui.info(f"{n}: the {hook} hook agreed")

    def planned(self, what: str) -> None:
        """A dry run says what a real one would run and send (it runs and sends nothing)."""
        from .events import shown

        for hook in (f"pre-{what}", f"post-{what}"):
            if hook in self.hooks:
                self.frame.ui.plan(f"# the {hook} hook would run: {self.hooks[hook][0]} (with the event on stdin)")
        if self.notifier is not None:
            urls = ", ".join(shown(w.url) for w in self.notifier.workers)
            self.frame.ui.plan(f"# each event would be sent to {urls}")

    def transition(
        self,
        kind: str,
        server: str,
        outcome: str = "ok",
        found: Mapping[str, Server] | None = None,
        reason: str | None = None,
        expires: float | None = None,
        **details: Any,
    ) -> None:
        """A transition happened: tell every webhook, then run its post hook (best effort)."""
        self._note(server, reason, expires)
        hook = POST_HOOK.get(kind) if outcome == "ok" else None
        if self.off or (self.notifier is None and hook not in self.hooks):
            return
        event = self.event(kind, server, outcome, states_of(found, server), **details)
        if self.notifier is not None:
            self.notifier.send(event)
        if hook is not None and hook in self.hooks:
            self._best_effort(hook, event)

    def _best_effort(self, hook: str, event: dict[str, Any]) -> None:
        from .hooks import run

        try:
            ran = run(hook, self.hooks[hook], event, self.hook_timeout)
        except KeyboardInterrupt:  # the hook was killed; the change itself is done and stands
            self.frame.ui.warn(f"{event['server']}: the {hook} hook was interrupted (the change stands)")
            raise
        if not ran.ok:
            self.frame.ui.warn(f"{event['server']}: the {hook} hook {ran.failure} (the change stands)")

    def ended(self, intent: Change, outcome: str, exc: BaseException | None) -> None:
        """The change frame ended: a timeout/interrupted/failed event and the on-failure hook, per server."""
        kind = FRAME_EVENT.get(outcome)
        if kind is None or self.off:
            return
        from .signals import shielded

        final = _final(exc)
        with shielded():  # a second Ctrl-C must not cut the last word short
            try:
                self._ended(intent, kind, outcome, exc, final)
            except Exception as err:  # noqa: BLE001 - the frame's last word must still be written
                self.frame.ui.warn(f"could not send the {kind} event: {err}")

    def _ended(
        self, intent: Change, kind: str, outcome: str, exc: BaseException | None, final: dict[str, Server]
    ) -> None:
        for n in intent.names:
            details: dict[str, Any] = {"error": str(exc)[:300]} if exc is not None and str(exc) else {}
            event = self.event(kind, n, outcome, states_of(final, n), **details)
            event["action"], event["id"] = _command(intent.action), intent.id or None
            if self.notifier is not None:
                self.notifier.send(event)
            if "on-failure" in self.hooks:
                self._best_effort("on-failure", event)


def _final(exc: BaseException | None) -> dict[str, Server]:
    """The servers' last state an error carries (`final`, or its report's outcomes: run, rolling)."""
    final = getattr(exc, "final", None)
    if isinstance(final, dict) and final:
        return final
    servers = getattr(getattr(exc, "report", None), "servers", None) or []
    return {f"{k} {o.server}": s for o in servers for k, s in (getattr(o, "final", None) or {}).items()}


def _command(action: str) -> str:
    """The command an intent's action comes from, as events and hooks name it (`rolling-node` -> rolling)."""
    return "rolling" if action == "rolling-node" else action


class Outbox:
    """A Cluster's webhooks: the Notifier is made when a command first needs it and closed (bounded by
    notify_timeout) at the end of the command, or at exit for a library caller who does not close."""

    def __init__(self, warn: Callable[[str], None]) -> None:
        self.warn = warn
        self.notifier: Notifier | None = None

    def events(self, frame: Frame, settings: Settings) -> Events:
        """The Events of one command's procedures, as the settings configure them."""
        if settings.notify and self.notifier is None:
            import atexit

            from .notify import Notifier

            self.notifier = Notifier(settings.notify, settings.notify_timeout, self.warn)
            atexit.register(self.close)
        return Events(frame, self.notifier if settings.notify else None, settings.hooks, settings.hook_timeout)

    def close(self) -> None:
        notifier, self.notifier = self.notifier, None
        if notifier is not None:
            import atexit

            atexit.unregister(self.close)
            notifier.close()
