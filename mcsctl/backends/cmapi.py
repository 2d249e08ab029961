"""A client of one ColumnStore node's CMAPI (columnstore-reference.md §1, §2): HTTPS, `x-api-key`, bounded
timeouts, every error mapped once to mcsctl.errors. ssl and http.client are imported when first used.

CMAPI's per-node certificate is self-signed, so it is accepted unless a CA file is given (`--cmapi-ca-cert`:
then the certificate and the hostname are verified). The key is never guessed: an unconfigured CMAPI stores
the first key it is sent (§1 "trust on first use"); a client without a key sends none.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..dataclass_lite import dataclass, field
from ..errors import AuthFailed, BadOutput, OperationFailed, Unreachable

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

KEY_HINT = "check --cmapi-key / MCSCTL_CMAPI_KEY / cmapi_key, or the monitor's cs_admin_api_key"


class CmapiUnreachable(Unreachable):
    """A node's CMAPI does not answer (refused, timed out, TLS failed)."""


class CmapiNotReady(Unreachable):
    """CMAPI answers 503: it is still starting (§1)."""


@dataclass(frozen=True)
class CmapiEndpoint:
    """Where one node's CMAPI listens and how to authenticate there."""

    node: str  # the node's name as MaxScale knows it (messages)
    address: str
    port: int = 8640
    base_path: str = "/cmapi/0.4.0"
    key: str | None = field(default=None, repr=False)
    ca_cert: str | None = None
    timeout: float = 10.0

    @property
    def where(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


def _error_text(body: Any) -> str:
    """The message of a CMAPI error body: `{"error": "..."}` (422) or `{"error": {"message": ...}}` (CherryPy)."""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, str):
        return err
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        return str(err["message"])
    return ""


class CmapiClient:
    """Calls on one node's CMAPI; each returns the parsed JSON document or raises an mcsctl error."""

    def __init__(self, endpoint: CmapiEndpoint, trace: Callable[[str], None] | None = None) -> None:
        self.endpoint = endpoint
        self.trace = trace

    # ------------------------------------------------------------ the calls a maintenance tool makes
    def ready(self) -> bool:
        """GET /cmapi/ready: True when started, False while CMAPI is starting (503)."""
        try:
            doc = self._call("GET", "/cmapi/ready")
        except CmapiNotReady:
            return False
        return doc.get("started") is True

    def node_status(self) -> dict[str, Any]:
        return self._call("GET", self._path("node/status"))

    def node_config(self) -> dict[str, Any]:
        """GET node/config: `config` (Columnstore.xml, holding the CEJ password: never log it) and `sm_config`."""
        return self._call("GET", self._path("node/config"))

    def node_primary(self) -> bool:
        """GET node/primary: config-based, a string "True"/"False" (§2)."""
        return self._call("GET", self._path("node/primary")).get("is_primary") == "True"

    def node_start(self) -> None:
        """PUT node/start: start this node's role set (a JSON body is required even if ignored, §1)."""
        self._call("PUT", self._path("node/start"), {})

    def describe(self, method: str, what: str) -> str:
        return f"{method} https://{self.endpoint.where}{self._path(what)}"

    # ------------------------------------------------------------ transport
    def _path(self, what: str) -> str:
        return self.endpoint.base_path.rstrip("/") + "/" + what

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        status, raw = self._request(method, path, body)
        try:
            doc = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            doc = None
        return self._check(status, doc, method, path)

    def _check(self, status: int, doc: Any, method: str, path: str) -> dict[str, Any]:
        ep = self.endpoint
        what = f"CMAPI on {ep.node} ({ep.where})"
        if status == 200:
            if not isinstance(doc, dict):
                raise BadOutput(f"{what} answered {method} {path} with something that is not a JSON object")
            return doc
        text = _error_text(doc)
        if status == 401:
            raise AuthFailed(f"{what} refused the API key: {text or '401 Unauthorized'}", hint=KEY_HINT)
        if status == 503:
            raise CmapiNotReady(f"{what} is not ready yet: {text or '503'}")
        raise OperationFailed(f"{what} answered {method} {path} with {status}: {text or 'no message'}")

    def _request(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, bytes]:
        import http.client
        import ssl

        ep = self.endpoint
        if self.trace is not None:
            self.trace(f"{method} https://{ep.where}{path}")
        headers = {"Accept": "application/json"}
        if ep.key:
            headers["x-api-key"] = ep.key
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPSConnection(ep.address, ep.port, timeout=ep.timeout, context=self._context())
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        except ssl.SSLCertVerificationError as exc:
            raise CmapiUnreachable(
                f"CMAPI on {ep.node} ({ep.where}): certificate not trusted: {exc.verify_message}",
                hint="--cmapi-ca-cert must name the CA that signed every node's CMAPI certificate",
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise CmapiUnreachable(f"cannot reach CMAPI on {ep.node} ({ep.where}): {_reason(exc)}") from None
        finally:
            conn.close()

    def _context(self) -> Any:
        import ssl

        if self.endpoint.ca_cert:
            ctx = ssl.create_default_context(cafile=self.endpoint.ca_cert)  # verifies the hostname too
        else:  # CMAPI's self-signed per-node certificate (reference §1): accepted, as MaxScale does
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx


def _reason(exc: BaseException) -> str:
    import socket

    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text)
