"""A stub MaxScale that replays one golden case's captured HTTP exchanges and records requests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .goldens import response_body


class ReplayStub:
    """Serves the captured responses for (method, target); anything else gets 599 and is recorded."""

    def __init__(self, exchanges: list[dict], port_map: dict[str, str]):
        self.exchanges = exchanges
        self.port_map = port_map
        self.seen: list[dict] = []
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _serve(self):
                stub.seen.append(
                    {
                        "method": self.command,
                        "target": self.path,
                        "headers": [f"{k}: {v}" for k, v in self.headers.items()],
                    }
                )
                ex = stub.match(self.command, self.path)
                if ex is None:
                    return self._reply(599, "No Match", [], b"")
                if not isinstance(ex["status"], int):
                    # captured as "no response": hold the request until the client gives up
                    stub.release.wait(5)
                    return None
                body = stub.body_bytes(ex)
                headers = [
                    h for h in ex.get("response_headers", []) if not h.lower().startswith(("date:", "content-length:"))
                ]
                return self._reply(ex["status"], None, headers, body)

            def _reply(self, status, reason, headers, body):
                self.send_response_only(status, reason)
                for h in headers:
                    k, _, v = h.partition(": ")
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def sub(self, text: str) -> str:
        for old, new in self.port_map.items():
            text = text.replace(old, new)
        return text

    def match(self, method: str, target: str):
        for ex in self.exchanges:
            if ex["method"] == method and self.sub(ex["target"]) == target:
                return ex
        return None

    def body_bytes(self, ex: dict) -> bytes:
        if ex.get("response_body_file"):
            import json

            text = json.dumps(response_body(ex), indent=4, sort_keys=True)
        else:
            text = ex.get("response_body") or ""
            if not isinstance(text, str):
                import json

                text = json.dumps(text, indent=4, sort_keys=True)
        return self.sub(text).encode("utf-8")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
