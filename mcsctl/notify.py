"""Webhook notifications: POST each event's JSON to every `notify` URL, best effort and bounded in time.

One background thread per URL sends its events in order, each POST with `notify_timeout`. A change never
waits for them; `close()` (at the end of a command) waits for what is left at most `notify_timeout` in
all, then gives up on the rest. Failures are warnings, said on the caller's thread (never the URL's
userinfo, path or query: events.shown); they never change the exit status. http.client (and ssl, for
https) is imported by the sending thread, only when there is something to send.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from .errors import UsageError
from .events import shown

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

_STOP = b""  # the end of a worker's queue


def checked_urls(value: Any) -> tuple[str, ...]:
    """`notify` from a config file, the environment (a comma list) or --notify: the URLs, checked."""
    from urllib.parse import urlsplit

    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise UsageError(f"--notify must be URLs (a list of strings), not {type(value).__name__}")
    out: list[str] = []
    for raw in (i.strip() for i in items):
        if not raw:
            continue
        if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in raw):
            raise UsageError(f"--notify: {shown(raw)} has whitespace or a control character")
        try:
            parts = urlsplit(raw)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
        except ValueError:
            ok = False
        if not ok:
            raise UsageError(f"--notify: {shown(raw)} is not an http:// or https:// URL with a host")
        if raw not in out:
            out.append(raw)
    return tuple(out)


def post(url: str, body: bytes, timeout: float) -> None:
    """POST `body` (JSON) to `url`; raises OSError (or http.client's errors) when it did not get a 2xx."""
    import base64
    import http.client
    from urllib.parse import unquote, urlsplit

    from . import __version__

    parts = urlsplit(url)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(parts.hostname or "", parts.port, timeout=timeout)
    headers = {"Content-Type": "application/json", "User-Agent": f"mcsctl/{__version__}"}
    if parts.username is not None:  # https://user:token@host/...: HTTP Basic auth, never printed
        cred = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(cred.encode()).decode()
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", target, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read(65536)
        if not 200 <= resp.status < 300:
            raise OSError(f"HTTP {resp.status} {resp.reason}".strip())
    finally:
        conn.close()


class _Worker:
    """The events for one URL, sent in order by one daemon thread."""

    def __init__(self, url: str, timeout: float, failed: Callable[[str], None]) -> None:
        self.url, self.timeout, self.failed = url, timeout, failed
        self.queue: queue.Queue[bytes] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.abandoned = False
        self.pending = 0

    def put(self, body: bytes) -> None:
        self.pending += 1
        self.queue.put(body)
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name=f"mcsctl-notify {shown(self.url)}", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while (body := self.queue.get()) is not _STOP:
            if not self.abandoned:
                try:
                    post(self.url, body, self.timeout)
                except Exception as exc:  # noqa: BLE001 - best effort: every failure is one warning
                    self.failed(f"notification to {shown(self.url)} failed: {_why(exc)}")
            self.pending -= 1

    def finish(self, deadline: float) -> bool:
        """Stop after what is queued; wait until `deadline` (monotonic). Whether everything was handled."""
        if self.thread is None:
            return True
        self.queue.put(_STOP)
        self.thread.join(max(deadline - time.monotonic(), 0.0))
        if self.thread.is_alive():
            self.abandoned = True  # the thread drops the rest; its POST in flight ends at its own timeout
            return False
        self.thread = None
        return True


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError) or "timed out" in text:
        return "no answer in time"
    return text[:200]


class Notifier:
    """The webhooks of one Cluster: `send` queues an event for every URL, `close` waits (bounded)."""

    def __init__(self, urls: tuple[str, ...], timeout: float, warn: Callable[[str], None]) -> None:
        self.timeout = timeout
        self.warn = warn
        self._lock = threading.Lock()
        self._failures: list[str] = []
        self.workers = [_Worker(u, timeout, self._failed) for u in urls]

    def _failed(self, message: str) -> None:
        with self._lock:
            self._failures.append(message)

    def report(self) -> None:
        """Say the failures seen so far (on the caller's thread: the output is not thread-safe)."""
        with self._lock:
            failures, self._failures = self._failures, []
        for message in failures:
            self.warn(message)

    def send(self, event: dict[str, Any]) -> None:
        import json

        self.report()
        body = json.dumps(event, separators=(",", ":")).encode()
        for w in self.workers:
            w.put(body)

    def close(self) -> None:
        """Wait for the events still queued, `timeout` seconds in all; warn about the ones not sent."""
        deadline = time.monotonic() + self.timeout
        for w in self.workers:
            left = w.pending
            if not w.finish(deadline):
                self.warn(
                    f"notification to {shown(w.url)}: {left} event(s) not sent within the "
                    f"{self.timeout:g}s notify timeout"
                )
            w.pending = 0
        self.report()
