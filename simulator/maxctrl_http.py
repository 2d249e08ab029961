"""maxctrl's HTTP requests (stdlib http.client) and its error texts for failed ones."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import time
from dataclasses import dataclass
from typing import Any

from simulator.maxctrl_js import js_json, js_truthy
from simulator.maxctrl_versions import Profile


class RequestFailed(Exception):
    """A failed request; `text` is exactly what maxctrl prints (with its "Error: " prefix)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


@dataclass
class Client:
    """Connection settings shared by every request of one maxctrl run."""

    profile: Profile
    user: str
    password: str
    timeout_ms: int
    secure: bool = False
    skip_sync: bool = False
    tls_key: str | None = None
    tls_cert: str | None = None
    tls_ca_cert: str | None = None
    tls_passphrase: str | None = None
    verify: bool = True

    # -- URL handling, including maxctrl's quirks -------------------------------------------------
    def url(self, host: str, resource: str) -> str:
        endpoint = resource
        if self.skip_sync:
            endpoint += ("&" if "?" in endpoint else "?") + "sync=false"
        return ("https://" if self.secure else "http://") + host + "/v1/" + endpoint

    def shown_host(self, host: str, resource: str) -> str:
        """The host part of an error message. 6.0+ derives it from the URL, so --skip-sync leaks in."""
        if self.profile.legacy_errors:
            return host.split(" ", 1)[0]  # 2.5 shows the host it connected to
        return self.url(host, resource).replace(resource, "", 1).replace("/v1/", "", 1)

    # -- requests --------------------------------------------------------------------------------
    def request(self, host: str, resource: str, method: str = "GET") -> Any:
        """Send one request; return the parsed body ("" when empty). Raise RequestFailed."""
        status, reason, body = self._send(host, resource, method)
        data = _parse_body(body)
        if 200 <= status < 300:
            return data
        raise RequestFailed(self._http_error(host, resource, method, status, reason, data))

    def _http_error(self, host, resource, method, status, reason, data) -> str:
        shown = self.shown_host(host, resource)
        if self.profile.legacy_errors:
            head = f"Error: Server at {shown} responded with status code {status} to `{method} {resource}`"
            if js_truthy(data):
                return head + ":" + js_json(data, indent=4)
        else:
            head = f"Error: Server at {shown} responded with {status} {reason} to `{method} {resource}`"
            if js_truthy(data):
                return head + "\n" + js_json(data, indent=4)
        if status == 404:
            return head + ". \nCheck that the object exists and that it is of the correct type."
        return head

    def _headers(self, authority: str, method: str) -> list[tuple[str, str]]:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if not self.profile.axios:
            headers = [("host", authority), ("authorization", f"Basic {token}"), ("accept", "application/json")]
            if method != "GET":
                headers.append(("content-length", "0"))
            return headers + [("Connection", "keep-alive")]
        headers = [("Accept", "application/json, text/plain, */*")]
        if method != "GET":
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        headers += [
            ("User-Agent", "axios/0.28.0"),
            ("Host", authority),
            ("Authorization", f"Basic {token}"),
            ("Connection", "keep-alive"),
        ]
        if method != "GET":
            headers.append(("Content-Length", "0"))
        return headers

    def _send(self, host: str, resource: str, method: str) -> tuple[int, str, bytes]:
        url = self.url(host, resource)
        authority, _, target_rest = url.split("://", 1)[1].partition("/")
        target = "/" + target_rest
        if authority != authority.lstrip() or not authority:
            raise RequestFailed(self._connect_failed(host, None))
        if " " in authority:
            # Node keeps the first word as the host and sends the rest as a (broken) path.
            authority, _, extra = authority.partition(" ")
            target = "%20" + extra.replace(" ", "%20") + target
        hostname, port = _split_authority(authority, 443 if self.secure else 80)
        if port is None:
            raise RequestFailed("Error: Invalid URL")
        timeout = self.timeout_ms / 1000 if self.timeout_ms > 0 else None
        deadline = time.monotonic() + timeout if timeout else None
        conn = self._connection(hostname, port, timeout)
        try:
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in self._headers(authority, method):
                conn.putheader(name, value)
            conn.endheaders()
            if deadline and conn.sock is not None:
                conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, resp.reason, body
        except ConnectionRefusedError:
            raise RequestFailed(self._connect_failed(host, port)) from None
        except TimeoutError:
            if self.profile.legacy_errors:
                raise RequestFailed("Error: Connection to MaxScale timed out") from None
            raise RequestFailed(f"Error: timeout of {self.timeout_ms}ms exceeded") from None
        except socket.gaierror:
            raise RequestFailed(f"Error: getaddrinfo ENOTFOUND {hostname}") from None
        except (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError):
            hint = "" if self.secure else ". If MaxScale is configured to use HTTPS, use the --secure option."
            raise RequestFailed(f"Error: socket hang up{hint}") from None
        except OSError as exc:
            raise RequestFailed(self._os_error(exc)) from None
        finally:
            conn.close()

    def _connect_failed(self, host: str, port: int | None) -> str:
        return "Error: Could not connect to MaxScale"

    def _os_error(self, exc: OSError) -> str:
        import ssl

        if isinstance(exc, ssl.SSLCertVerificationError):
            # Node's message is OpenSSL's verify text too, e.g. "self-signed certificate"
            return f"Error: {exc.verify_message or exc.reason}"
        if isinstance(exc, ssl.SSLError):
            # Node prints OpenSSL's own text; ours differs in detail (hex ids vary anyway).
            reason = getattr(exc, "reason", None)
            detail = reason.lower().replace("_", " ") if reason else str(exc)
            prefix = "Error: EPROTO: " if self.profile.legacy_errors else ""
            return f"{prefix}Error: write EPROTO {detail}"
        return f"Error: {exc.strerror or exc}"

    def _connection(self, hostname: str, port: int, timeout: float | None):
        if not self.secure:
            return http.client.HTTPConnection(hostname, port, timeout=timeout)
        import ssl

        ctx = ssl.create_default_context(cafile=self.tls_ca_cert) if self.tls_ca_cert else ssl.create_default_context()
        if not self.verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if self.tls_cert:
            ctx.load_cert_chain(self.tls_cert, self.tls_key, password=self.tls_passphrase)
        return http.client.HTTPSConnection(hostname, port, timeout=timeout, context=ctx)


def legacy_ping_error(host: str, exc_text: str) -> str:
    """2.5 prints the raw Node error object of a failed multi-host ping (no "Error:")."""
    hostname, port = _split_authority(host, 80)
    if exc_text == "Error: Could not connect to MaxScale" and port is not None and host == host.strip():
        obj = {"errno": -111, "code": "ECONNREFUSED", "syscall": "connect", "address": hostname, "port": port}
        return js_json(obj, indent=4)
    return "{}"


def _split_authority(authority: str, default_port: int) -> tuple[str, int | None]:
    if authority.startswith("["):
        hostname, _, rest = authority[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif authority.count(":") == 1:
        hostname, _, port_text = authority.partition(":")
    else:
        hostname, port_text = authority, ""
    if not port_text:
        return hostname, default_port
    if not port_text.isdigit() or int(port_text) > 65535:
        return hostname, None
    return hostname, int(port_text)


def _parse_body(body: bytes) -> Any:
    """axios-style: JSON if it parses, otherwise the text ("" for no body)."""
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        return ""
    try:
        return json.loads(text)
    except ValueError:
        return text
