"""The REST backend: talks to one MaxScale's /v1 API directly over HTTP(S).

One persistent keep-alive connection per backend, opened on the first request: plain http through
the small HTTP/1.1 client of http11.py (http.client would import `email.parser` and `ssl`, ~13 ms of
every start), HTTPS through stdlib http.client (tls.py), imported only with `--secure`. A reused
connection answers a GET in ~0.3 ms.
"""

from __future__ import annotations

import binascii
import json
import time
from collections.abc import Callable

from ..errors import AuthFailed, BadOutput, NoAnswer, Refused, UnknownServer, Unreachable, UsageError
from ..hosts import netloc as _netloc
from ..hosts import split_host
from ..model import Monitor, Server, Session
from . import documents
from .base import AUTH_HINT, Connection, check_server_name

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .http11 import Answer

# Connection-level failures on a reused keep-alive socket that mean "the server closed it
# while idle": safe to retry once on a fresh connection for idempotent requests.
_STALE_ERRORS = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


def parse_host(text: str) -> tuple[str, int]:
    """`host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address -> (host, port) (mcsctl/hosts.py)."""
    return split_host(text)


class RestBackend:
    """`Backend` over MaxScale's REST API for ONE host. Not thread-safe (one connection)."""

    def __init__(self, conn: Connection, trace: Callable[[str], None] | None = None):
        self.conn = conn
        self.host = conn.host
        self._trace = trace
        self._hostname, self._port = parse_host(conn.host)
        self._base = f"{'https' if conn.secure else 'http'}://{_netloc(self._hostname, self._port)}"
        token = binascii.b2a_base64(f"{conn.user}:{conn.password}".encode(), newline=False).decode("ascii")
        self._headers = {
            "Authorization": f"Basic {token}",  # sent up front, as maxctrl does
            "Accept": "application/json",
        }
        self._http: Any = None  # http11.Http11 or tls.Https, opened lazily
        self._used = False  # has the current connection already carried a request?

    @staticmethod
    def check_name(name: str) -> str:
        """Any name MaxScale accepts: it travels percent-quoted in the path."""
        return check_server_name(name)

    # -- reads ---------------------------------------------------------------------------

    def list_servers(self) -> list[Server]:
        doc = self._get_document("/v1/servers")
        return documents.servers_from_document(doc, self.host)

    def get_server(self, name: str) -> Server:
        """One server (GET /v1/servers/NAME): what a confirmation poll needs; UnknownServer on a 404."""
        path = f"/v1/servers/{_quoted(check_server_name(name))}"
        servers = documents.servers_from_document(self._get_document(path, collection=False, server=name), self.host)
        if [s.name for s in servers] != [name]:
            raise BadOutput(f"GET {path}: the answer is not the server {name}", host=self.host)
        return servers[0]

    def list_sessions(self) -> list[Session]:
        doc = self._get_document("/v1/sessions")
        return documents.sessions_from_document(doc, self.host)

    def list_monitors(self) -> list[Monitor]:
        doc = self._get_document("/v1/monitors")
        return documents.monitors_from_document(doc, self.host)

    def config_sync_cluster(self) -> str | None:
        return documents.config_sync_cluster(self._get_document("/v1/maxscale", collection=False))

    # -- writes --------------------------------------------------------------------------

    def set_state(self, server: str, state: str, force: bool = False) -> None:
        self._request("PUT", self._state_path(server, "set", state, force), server=server)

    def clear_state(self, server: str, state: str) -> None:
        self._request("PUT", self._state_path(server, "clear", state, False), server=server)

    def switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> None:
        self._request("POST", self._switchover_path(monitor, new, old))

    # -- dry run -------------------------------------------------------------------------

    def describe_set(self, server: str, state: str, force: bool = False) -> str:
        return f"PUT {self._base}{self._state_path(server, 'set', state, force)}"

    def describe_clear(self, server: str, state: str) -> str:
        return f"PUT {self._base}{self._state_path(server, 'clear', state, False)}"

    def describe_switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> str:
        return f"POST {self._base}{self._switchover_path(monitor, new, old)}"

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> RestBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- paths ---------------------------------------------------------------------------

    @staticmethod
    def _state_path(server: str, verb: str, state: str, force: bool) -> str:
        check_server_name(server)
        if not state or not state.replace("_", "").isalnum():
            raise UsageError(f"invalid state {state!r}")
        path = f"/v1/servers/{_quoted(server)}/{verb}?state={_quoted(state)}"
        return path + "&force=yes" if force else path

    @staticmethod
    def _switchover_path(monitor: str, new: str | None, old: str | None) -> str:
        if old is not None and new is None:
            raise UsageError("switchover: the current primary can only be named together with the new one")
        args = [monitor] + [a for a in (new, old) if a is not None]
        for name in args:
            check_server_name(name)
        # Positional module-command arguments are value-less query keys, in order.
        return "/v1/maxscale/modules/mariadbmon/switchover?" + "&".join(_quoted(a) for a in args)

    # -- HTTP ----------------------------------------------------------------------------

    def _get_document(self, path: str, collection: bool = True, server: str | None = None) -> documents.Document:
        _status, body = self._request("GET", path, server=server)
        try:
            doc = json.loads(body)
        except ValueError:
            raise BadOutput(f"GET {path}: the answer is not JSON", host=self.host) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list if collection else dict):
            kind = "collection" if collection else "resource"
            raise BadOutput(f"GET {path}: the answer is not a MaxScale {kind}", host=self.host)
        return doc

    def _connect(self) -> Any:
        if self.conn.secure:
            from .tls import Https

            return Https(self._hostname, self._port, self._ssl_context())
        from .http11 import Http11

        return Http11(self._hostname, self._port, _netloc(self._hostname, self._port))

    def _ssl_context(self) -> Any:
        import ssl

        try:
            ctx = ssl.create_default_context(cafile=self.conn.tls_ca_cert)
        except (OSError, ssl.SSLError) as e:
            raise Unreachable(
                f"cannot use CA certificate {self.conn.tls_ca_cert}: {_reason(e)}", host=self.host
            ) from None
        if not self.conn.tls_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _request(self, method: str, path: str, server: str | None = None) -> tuple[int, bytes]:
        """Send one request; return (status, body) for 2xx, raise the mapped error otherwise."""
        if self._trace:
            self._trace(f"{method} {self._base}{path}")
        # A POST is not idempotent (switchover): never retry it, and never send it on a
        # connection the server may have closed while idle.
        if method == "POST":
            self.close()
        deadline = time.monotonic() + self.conn.timeout  # -t bounds the whole request, not each read
        for attempt in (1, 2):
            if self._http is None:
                self._http = self._connect()
                self._used = False
            reused = self._used
            try:
                self._used = True
                answer: Answer = self._http.exchange(method, path, self._headers, deadline)
            except KeyboardInterrupt:  # mid-request: the connection is half-used, the cleanup needs a fresh one
                self.close()
                raise
            except Exception as e:  # noqa: BLE001 - mapped below, never leaked raw
                self.close()
                if attempt == 1 and reused and method != "POST" and _is_stale(e):
                    continue
                raise self._transport_error(e) from None
            if answer.will_close:
                self.close()
            break
        return self._check(method, path, answer.status, answer.reason, answer.body, server)

    def _check(
        self, method: str, path: str, status: int, reason: str, body: bytes, server: str | None
    ) -> tuple[int, bytes]:
        if 200 <= status < 300:
            return status, body
        detail = documents.last_error_detail(body)
        where = f"{method} {path.split('?')[0]}"
        if status == 401:
            raise AuthFailed(
                f"authentication failed for user {self.conn.user!r} ({detail or '401 Unauthorized'})",
                host=self.host,
                hint=AUTH_HINT,
            )
        if status == 503:
            raise Unreachable(detail or f"{where}: 503 {reason}", host=self.host)
        if status == 404 and server is not None:
            raise UnknownServer(server, host=self.host)
        if status in (400, 403) or (status >= 400 and detail):
            message = " ".join(detail.split()) if detail else f"{where}: {status} {reason}"  # one line
            raise Refused(message, status=status, detail=detail, host=self.host)
        raise Unreachable(f"{where}: unexpected answer {status} {reason}", host=self.host)

    def _transport_error(self, e: BaseException) -> Unreachable:
        import socket

        from . import http11

        disconnected: tuple[type[BaseException], ...] = (http11.RemoteDisconnected,)
        not_http: tuple[type[BaseException], ...] = (http11.ProtocolError,)
        if self.conn.secure:
            import http.client
            import ssl

            disconnected += (http.client.RemoteDisconnected,)
            not_http += (http.client.HTTPException,)

            if isinstance(e, ssl.SSLCertVerificationError):
                return Unreachable(
                    f"TLS certificate not trusted: {e.verify_message or _reason(e)}",
                    host=self.host,
                    hint="pass --tls-ca-cert, or --no-tls-verify-server-cert",
                )
            if isinstance(e, ssl.SSLError):
                return Unreachable(
                    f"TLS error: {_reason(e)}",
                    host=self.host,
                    hint="is the REST API served over HTTPS (admin_ssl_key/admin_ssl_cert)?",
                )
        if isinstance(e, (socket.timeout, TimeoutError)):
            return NoAnswer(f"no answer within {self.conn.timeout:g}s (timed out)", host=self.host)
        if isinstance(e, ConnectionRefusedError):
            return Unreachable(
                "cannot connect: connection refused",
                host=self.host,
                hint="is MaxScale running, and is its REST API on this address and port?",
            )
        if isinstance(e, socket.gaierror):
            return Unreachable(f"cannot resolve {self._hostname}: {_reason(e)}", host=self.host)
        if isinstance(e, disconnected):
            return Unreachable(
                "connection closed without an answer",
                host=self.host,
                hint=None if self.conn.secure else "does it expect HTTPS (--secure)?",
            )
        if isinstance(e, not_http):
            return Unreachable(
                f"not an HTTP answer ({type(e).__name__})",
                host=self.host,
                hint=None if self.conn.secure else "does it expect HTTPS (--secure)?",
            )
        if isinstance(e, OSError):
            return Unreachable(f"cannot connect: {_reason(e)}", host=self.host)
        return Unreachable(f"request failed: {_reason(e)}", host=self.host)


def _is_stale(e: BaseException) -> bool:
    return isinstance(e, _STALE_ERRORS)  # RemoteDisconnected (ours and http.client's) is a ConnectionResetError


def _reason(e: BaseException) -> str:
    """One lower-case line: `connection refused`, not `[Errno 111] Connection refused`."""
    text = getattr(e, "strerror", None) if isinstance(e, OSError) else None
    text = (text[:1].lower() + text[1:]) if text else (str(e) or type(e).__name__)
    return " ".join(text.split())


def _quoted(text: str) -> str:
    """`text` percent-quoted for one path segment or query value (nothing left as is, not even `/`)."""
    from urllib.parse import (
        quote,
    )  # here: urllib.parse (with ipaddress) costs ~2 ms of a start, and `servers` quotes nothing

    return quote(text, safe="")
