"""What a failed maxctrl run means: its output (stderr on 22.08+, stdout on 2.5/6.x; exit status 1 for every
failure, docs/maxscale-facts.md: exit-status) mapped to the errors of mcsctl.errors by their text."""

from __future__ import annotations

import json
import re

from ..errors import AuthFailed, BadOutput, McsctlError, NoAnswer, Refused, UnknownServer, Unreachable
from . import documents
from .base import AUTH_HINT

# `Error: Server at [http(s)://]H:P responded with [status code ]NNN ...` (2.5 and 6.0+ forms).
_HTTP_ERROR = re.compile(
    r"^Error: Server at (?:https?://)?(?P<host>.+?) responded with (?:status code )?(?P<status>\d{3})\b"
)
_RESOURCE = re.compile(r" to `(?P<resource>.*)`")
_DETAIL = re.compile(r'"detail"\s*:\s*"((?:[^"\\]|\\.)*)"')
_NOT_A_SERVER = re.compile(r"^(?P<name>.+) is not a server$")
_TIMEOUT = re.compile(r"timeout of \d+ms exceeded|timed out", re.IGNORECASE)
_NET_CODES = re.compile(
    r"\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ESOCKETTIMEDOUT|EPIPE)\b"
    r"|socket hang up"
)
_TLS = re.compile(r"\bEPROTO\b|\bSSL\b|\bTLS\b|certificate|ERR_TLS_", re.IGNORECASE)
_ARG_ERRORS = (
    "Unknown argument",
    "Unknown arguments",
    "Not enough non-option arguments",
    "Unknown command",
    "Too many non-option arguments",
    "Missing required argument",
    "Invalid values",
    "At least one command is required",  # a command this line does not have (24.08: `show replication`)
)
_NODE_WARNING = re.compile(r"^\(node:\d+\) |^\(Use `node --trace-")
_NODE_CRASH = re.compile(r"^(?:[A-Za-z]*Error|Error \[[A-Z_]+\]): .+$", re.MULTILINE)


def _http_body(text: str) -> str:
    """The JSON body maxctrl re-printed after the first line: on the next lines (6.0+) or after "`:" (2.5)."""
    first, _, rest = text.partition("\n")
    return "{" + "\n" + rest if first.rstrip().endswith(":{") else rest


def _last_detail(body: str) -> str | None:
    detail = documents.last_error_detail(body)
    if detail is None:  # not valid JSON (cut short?): fall back to the raw "detail" strings
        found = _DETAIL.findall(body)
        if found:
            try:
                detail = json.loads(f'"{found[-1]}"')
            except ValueError:
                detail = found[-1]
    return detail


def map_error(
    stdout: str,
    stderr: str,
    *,
    host: str,
    server: str | None = None,
    user: str | None = None,
    rc: int = 1,
    timeout: float | None = None,
) -> McsctlError:
    """One failed maxctrl run (rc != 0) -> the mcsctl exception it means. Works for 2.5 through 24.02."""
    # Node's own warnings ("(node:123) Warning: ...") can land on stderr next to an error on stdout.
    stderr = "\n".join(ln for ln in stderr.splitlines() if not _NODE_WARNING.match(ln))
    text = stderr if stderr.strip() else stdout
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return BadOutput(f"maxctrl failed (exit status {rc}) without printing a message", host=host)
    first = lines[0]

    m = _HTTP_ERROR.match(first)
    if m:
        return _http_error(m, first, text, host=host, server=server, user=user)
    return _other_error(first, text, host=host, timeout=timeout)


def _http_error(
    m: re.Match[str], first: str, text: str, *, host: str, server: str | None, user: str | None
) -> McsctlError:
    """`Error: Server at H:P responded with NNN` -> the error the status and MaxScale's detail mean."""
    status = int(m["status"])
    detail = _last_detail(_http_body(text.lstrip()))
    res = _RESOURCE.search(first)
    where = res["resource"] if res else "the request"
    named = _NOT_A_SERVER.match(detail or "")
    if status == 401:
        who = f" for user {user!r}" if user is not None else ""
        return AuthFailed(
            f"authentication failed{who} ({detail or '401 Unauthorized'})",
            host=host,
            hint=AUTH_HINT,
        )
    if status == 503:
        return Unreachable(detail or f"{where}: 503 Service Unavailable", host=host)
    if named:
        return UnknownServer(named["name"], host=host)
    if status == 404 and (server is not None):
        return UnknownServer(server, host=host)
    return Refused(detail or f"{where}: status {status}", status=status, detail=detail, host=host)


def _other_error(first: str, text: str, *, host: str, timeout: float | None) -> McsctlError:
    """A failure without an HTTP status: connection, TLS, arguments, a crash of maxctrl itself."""
    if "can be accessed by group and world" in first:
        return Unreachable(
            first.removeprefix("Error: "),
            host=host,
            hint="maxctrl refuses a readable ~/.maxctrl.cnf: chmod 600 it, or run mcsctl with another HOME",
        )
    if "Could not connect to MaxScale" in first or '"ECONNREFUSED"' in text:
        return Unreachable(
            "cannot connect: connection refused",
            host=host,
            hint="is MaxScale running, and is its REST API on this address and port?",
        )
    if _TIMEOUT.search(first):
        secs = f" within {timeout:g}s" if timeout else ""
        return NoAnswer(f"no answer{secs} (timed out)", host=host)
    if _TLS.search(first):
        return Unreachable(
            f"TLS error: {first.removeprefix('Error: ')}",
            host=host,
            hint="is the REST API served over HTTPS? check --secure and --tls-* options",
        )
    if _NET_CODES.search(first):
        return Unreachable(f"cannot connect: {first.removeprefix('Error: ')}", host=host)
    if first.removeprefix("Error: ").startswith(_ARG_ERRORS):
        return BadOutput(
            f"this maxctrl does not support the call: {first}",
            host=host,
            hint="mcsctl needs maxctrl 2.5 or later; --backend rest avoids maxctrl",
        )
    crash = _NODE_CRASH.search(text)
    if crash and not first.startswith("Error: "):
        return BadOutput(f"maxctrl crashed: {crash.group(0).strip()}", host=host)
    return BadOutput(f"unexpected maxctrl output: {first}", host=host)
