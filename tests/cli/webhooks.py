"""A local webhook receiver for the notification tests: records every POSTed event; can fail or hang."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """An HTTP server on 127.0.0.1 that answers `status` to every POST and keeps the bodies (JSON) and
    headers in order; `hang=True` holds every request until `release()`."""

    def __init__(self, status: int = 200, hang: bool = False) -> None:
        self.status = status
        self.events: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.released = threading.Event()
        if not hang:
            self.released.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers)})
                receiver.events.append(json.loads(body))
                receiver.released.wait(30)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook/SECRET-PATH?token=SECRET-QUERY"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def kinds(self) -> list[tuple[str, str | None, str]]:
        return [(e["event"], e["server"], e["outcome"]) for e in self.events]

    def release(self) -> None:
        self.released.set()

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
