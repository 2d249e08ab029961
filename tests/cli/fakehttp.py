"""A tiny stand-in MaxScale for what the simulator does not do: a malformed document, an answer that trickles.

A real socket served from a thread; it records every request line it gets.
"""

from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler


class FakeMaxScale:
    """`documents`: path -> JSON document (GET answers it, 200; other paths `{"data": []}`);
    `trickle=True`: every answer sends its headers, then one byte per second."""

    def __init__(self, documents: dict | None = None, trickle: bool = False):
        self.documents = documents or {}
        self.trickle = trickle
        self.requests: list[str] = []
        self.stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def handle(self):
                try:
                    super().handle()
                except OSError:
                    pass  # the client hung up (a timeout test): nothing to report

            def do_GET(self):
                fake.requests.append(f"GET {self.path}")
                fake.answer(self)

            def do_PUT(self):
                fake.requests.append(f"PUT {self.path}")
                fake.answer(self)

            do_POST = do_PUT

        class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0]
        body = json.dumps(self.documents.get(path, {"data": []})).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if not self.trickle:
            handler.wfile.write(body)
            return
        handler.wfile.flush()
        for i in range(len(body)):  # one byte a second: each read gets something, the whole never comes
            try:
                handler.wfile.write(body[i : i + 1])
                handler.wfile.flush()
            except OSError:
                return  # the client gave up
            if self.stopping.wait(1):
                return

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
