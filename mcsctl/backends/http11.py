"""A minimal HTTP/1.1 client over one socket, for the REST backend's plain-http requests.

Why not http.client: it imports `email.parser` and `ssl` (~13 ms of every start) for a loopback GET
that takes well under a millisecond. This client does what the backend needs and no more: one kept-alive
connection, requests without a body, answers with Content-Length, chunked or read-to-close bodies, and
every step (connect, send, status, headers, body) bounded by the request's deadline. HTTPS stays with
http.client (tls.py). It uses the C module `_socket`: `socket` adds selectors, enum types and file objects
this client does not use, ~3 ms of a start.
"""

from __future__ import annotations

import _socket
import time

_MAX_LINE = 65536  # as http.client: a longer status or header line is not an HTTP answer
_MAX_HEADERS = 100


class ProtocolError(Exception):
    """The peer's bytes are not an HTTP/1.x answer (the name of the subclass says how)."""


class BadStatusLine(ProtocolError):
    pass


class LineTooLong(ProtocolError):
    pass


class IncompleteRead(ProtocolError):
    pass


class RemoteDisconnected(ConnectionResetError):
    """The peer closed the connection before the first byte of an answer (like http.client's)."""


class Answer:
    """One response: status, reason, body, and whether the connection ends with it."""

    __slots__ = ("status", "reason", "body", "will_close")

    def __init__(self, status: int, reason: str, body: bytes, will_close: bool) -> None:
        self.status, self.reason, self.body, self.will_close = status, reason, body, will_close


class Http11:
    """One plain-http connection to host:port, opened on the first request."""

    def __init__(self, host: str, port: int, netloc: str) -> None:
        self._addr = (host, port)
        self._host_header = netloc
        self._sock: _socket.socket | None = None
        self._buf = b""
        self._deadline = 0.0

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._buf = b""

    def exchange(self, method: str, path: str, headers: dict[str, str], deadline: float) -> Answer:
        """Send one body-less request and read its whole answer, all by `deadline` (time.monotonic)."""
        self._deadline = deadline
        if self._sock is None:
            self._sock = self._connect()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host_header}", "Accept-Encoding: identity"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if method in ("PUT", "POST"):
            lines.append("Content-Length: 0")  # as http.client: a body-less PUT/POST says so
        self._sock.settimeout(self._left())
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        return self._answer(method)

    def _connect(self) -> _socket.socket:
        """A connected TCP socket to the first address of host that answers (as socket.create_connection)."""
        host, port = self._addr
        # bytes: an ASCII name needs no IDNA codec (its import is ~3 ms of a start)
        name = host.encode() if host.isascii() else host
        failure: OSError = OSError(f"no address for {host}")
        for family, kind, proto, _, addr in _socket.getaddrinfo(name, port, 0, _socket.SOCK_STREAM):
            sock = _socket.socket(family, kind, proto)
            try:
                sock.settimeout(self._left())
                sock.connect(addr)
            except OSError as exc:
                sock.close()
                failure = exc
                continue
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            return sock
        raise failure

    # -- reading ---------------------------------------------------------------------------

    def _left(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        return left

    def _fill(self) -> bool:
        """Read more bytes into the buffer; False at the end of the stream."""
        assert self._sock is not None
        self._sock.settimeout(self._left())
        data = self._sock.recv(65536)
        self._buf += data
        return bool(data)

    def _line(self) -> bytes | None:
        """The next CRLF-ended line (without it); None when the stream ends first."""
        while True:
            end = self._buf.find(b"\n")
            if end >= 0:
                line, self._buf = self._buf[:end], self._buf[end + 1 :]
                if len(line) > _MAX_LINE:
                    raise LineTooLong("line")
                return line.rstrip(b"\r")
            if len(self._buf) > _MAX_LINE:
                raise LineTooLong("line")
            if not self._fill():
                return None

    def _exactly(self, n: int) -> bytes:
        while len(self._buf) < n:
            if not self._fill():
                raise IncompleteRead(f"{len(self._buf)} bytes read, {n - len(self._buf)} more expected")
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def _answer(self, method: str) -> Answer:
        status, reason, version = self._status()
        while 100 <= status < 200:  # an interim answer (100 Continue): skip its headers, read the real one
            self._headers()
            status, reason, version = self._status()
        headers = self._headers()
        connection = headers.get("connection", "").lower()
        will_close = "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection)
        if method == "HEAD" or status in (204, 304):
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._chunked()
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise ProtocolError("bad Content-Length") from None
            if length < 0:
                raise ProtocolError("bad Content-Length")
            body = self._exactly(length)
        else:  # the body ends with the connection
            while self._fill():
                pass
            body, self._buf, will_close = self._buf, b"", True
        return Answer(status, reason, body, will_close)

    def _status(self) -> tuple[int, str, str]:
        line = self._line()
        if line is None:
            raise RemoteDisconnected("Remote end closed connection without response")
        text = line.decode("latin-1")
        version, _, rest = text.partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise BadStatusLine(text[:80])
        return int(code), reason.strip(), version

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADERS + 1):
            line = self._line()
            if line is None:
                raise IncompleteRead("the headers did not end")
            if not line:
                return headers
            name, colon, value = line.decode("latin-1").partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        raise ProtocolError("too many headers")

    def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            line = self._line()
            if line is None:
                raise IncompleteRead("the chunked body did not end")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise IncompleteRead("bad chunk size") from None
            if size == 0:
                while self._line():  # the trailer, up to its empty line
                    pass
                return b"".join(parts)
            parts.append(self._exactly(size))
            self._exactly(2)  # the CRLF after the chunk
