"""The REST backend's own HTTP/1.1 client (plain http, issue 17): bodies, keep-alive, deadline, bad answers."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcsctl.backends.http11 import BadStatusLine, Http11, IncompleteRead, RemoteDisconnected


class RawServer:
    """Answers each request on a connection with the next canned bytes (None: close without answering)."""

    def __init__(self, answers: list[bytes | None], close_after: bool = False) -> None:
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self.close_after = close_after
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                while self.answers:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    if not data:
                        break
                    self.requests.append(data)
                    answer = self.answers.pop(0)
                    if answer is None:
                        break
                    conn.sendall(answer)
                    if self.close_after:
                        break

    def client(self) -> Http11:
        return Http11("127.0.0.1", self.port, f"127.0.0.1:{self.port}")


def soon(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


def test_content_length_and_keep_alive():
    srv = RawServer([OK, OK])
    c = srv.client()
    a = c.exchange("GET", "/v1/servers", {"Accept": "application/json"}, soon())
    b = c.exchange("PUT", "/v1/servers/mcs3/set?state=maintenance", {}, soon())
    assert (a.status, a.reason, a.body, a.will_close) == (200, "OK", b"{}", False)
    assert b.body == b"{}" and srv.connections == 1
    assert srv.requests[0].startswith(b"GET /v1/servers HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"Accept: application/json\r\n" in srv.requests[0] and b"Content-Length" not in srv.requests[0]
    assert b"Content-Length: 0\r\n" in srv.requests[1]


def test_chunked_body_with_trailer():
    body = b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\n{"a"\r\n3\r\n:1}\r\n0\r\nX-T: 1\r\n\r\n'
    srv = RawServer([body, OK])
    c = srv.client()
    assert c.exchange("GET", "/", {}, soon()).body == b'{"a":1}'
    assert c.exchange("GET", "/", {}, soon()).body == b"{}"  # the trailer was read to its end


def test_body_to_the_end_of_the_connection_and_connection_close():
    srv = RawServer([b"HTTP/1.0 200 OK\r\n\r\nall of it"], close_after=True)
    a = srv.client().exchange("GET", "/", {}, soon())
    assert (a.body, a.will_close) == (b"all of it", True)
    srv = RawServer([b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"])
    a = srv.client().exchange("PUT", "/", {}, soon())
    assert (a.status, a.body, a.will_close) == (204, b"", True)


def test_interim_answer_is_skipped():
    srv = RawServer([b"HTTP/1.1 100 Continue\r\n\r\n" + OK])
    assert srv.client().exchange("GET", "/", {}, soon()).status == 200


def test_closed_without_answer_is_remote_disconnected():
    srv = RawServer([None])
    with pytest.raises(RemoteDisconnected):
        srv.client().exchange("GET", "/", {}, soon())


@pytest.mark.parametrize(
    "answer, error",
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n", BadStatusLine),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", IncompleteRead),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", IncompleteRead),
    ],
)
def test_not_http_answers(answer, error):
    srv = RawServer([answer], close_after=True)
    with pytest.raises(error):
        srv.client().exchange("GET", "/", {}, soon())


def test_a_trickling_answer_ends_at_the_deadline():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def trickle():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            for ch in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000:
                try:
                    conn.sendall(bytes([ch]))
                except OSError:
                    return
                time.sleep(0.01)

    threading.Thread(target=trickle, daemon=True).start()
    c = Http11("127.0.0.1", listener.getsockname()[1], "h")
    with listener, pytest.raises(TimeoutError):
        c.exchange("GET", "/", {}, soon(0.3))
    c.close()


@given(st.binary(max_size=200), st.lists(st.integers(1, 7), min_size=1, max_size=20))
def test_chunked_bodies_of_any_split(payload, sizes):
    """Any body, cut into chunks of any sizes, reads back whole (hypothesis)."""
    parts, rest, i = [], payload, 0
    while rest:
        n = sizes[i % len(sizes)]
        parts.append(b"%x\r\n%s\r\n" % (len(rest[:n]), rest[:n]))
        rest, i = rest[n:], i + 1
    c = Http11("127.0.0.1", 1, "h")
    c._buf = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"".join(parts) + b"0\r\n\r\n"
    c._deadline = soon()
    assert c._answer("GET").body == payload
