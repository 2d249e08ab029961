"""The REST backend's HTTPS requests: stdlib http.client over ssl, with the same `exchange` as http11.Http11.

Only `--secure` comes here (http.client imports ssl and email.parser); plain http uses http11."""

from __future__ import annotations

import http.client
import io
import socket
import time

from .http11 import Answer

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


class Https:
    """One kept-alive HTTPS connection; every request bounded by its deadline."""

    def __init__(self, host: str, port: int, context: Any) -> None:
        self._conn = http.client.HTTPSConnection(host, port, timeout=1.0, context=context)

    def close(self) -> None:
        self._conn.close()

    def exchange(self, method: str, path: str, headers: dict[str, str], deadline: float) -> Answer:
        _bound(self._conn, deadline)
        self._conn.request(method, path, headers=headers)
        resp = self._conn.getresponse()
        body = resp.read()
        return Answer(resp.status, resp.reason, body, bool(resp.will_close))


class _DeadlineReader(io.RawIOBase):
    """The response side of a socket, with every read limited to the time left until `deadline`:
    an answer that trickles in (each read gets a byte) still ends at the deadline."""

    def __init__(self, sock: socket.socket, deadline: float):
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self._sock.settimeout(left)
        return self._sock.recv_into(buf)


class _DeadlineSocket:
    """What http.client.HTTPResponse needs of a socket (`makefile`), reading through _DeadlineReader."""

    def __init__(self, sock: socket.socket, deadline: float):
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


def _bound(connection: Any, deadline: float) -> None:
    """Make the next request on `connection` (connect, send, status, headers, body) end by `deadline`."""
    left = max(deadline - time.monotonic(), 0.001)
    connection.timeout = left  # connect (a new connection) and send
    if connection.sock is not None:
        connection.sock.settimeout(left)
    # HTTPResponse only calls makefile() on its socket: _DeadlineSocket stands in for one, no socket type.
    connection.response_class = lambda sock, **kw: http.client.HTTPResponse(
        _DeadlineSocket(sock, deadline),  # type: ignore[arg-type]
        **kw,
    )
