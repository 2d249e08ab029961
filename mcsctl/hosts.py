"""MaxScale admin endpoints as the admin writes them: `host`, `host:port`, `[v6]`, `[v6]:port` or a bare
IPv6 address. One parser for the `--hosts` list (settings) and for the REST backend's connection."""

from __future__ import annotations

from .errors import UsageError

DEFAULT_PORT = 8989  # MaxScale's default admin_port


def split_host(text: str, what: str = "MaxScale host") -> tuple[str, int]:
    """`text` -> (host, port): IPv6 without its brackets, DEFAULT_PORT when none is given.

    `what` names the value in the one-line UsageError of a bad one ("bad MaxScale host 'a b': ...")."""
    item = text.strip()
    if not item:
        raise UsageError(f"empty {what}")
    if "://" in item:
        raise UsageError(f"bad {what} {item!r}: give HOST[:PORT] without a scheme (--secure selects HTTPS)")
    if any(c.isspace() for c in item) or "/" in item:
        raise UsageError(f"bad {what} {item!r}: expected HOST[:PORT]")
    if item.startswith("["):
        host, close, rest = item[1:].partition("]")
        if not close:
            raise UsageError(f"bad {what} {item!r}: missing ']'")
        if rest and not rest.startswith(":"):
            raise UsageError(f"bad {what} {item!r}: expected [ADDR]:PORT")
        has_port, port = bool(rest), rest[1:]
    elif item.count(":") > 1:  # a bare IPv6 address: a port needs brackets, [ADDR]:PORT
        host, has_port, port = item, False, ""
    else:
        host, colon, port = item.partition(":")
        has_port = bool(colon)
    if not host:
        raise UsageError(f"bad {what} {item!r}: no host name")
    if not has_port:
        return host, DEFAULT_PORT
    if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise UsageError(f"bad {what} {item!r}: port must be 1-65535")
    return host, int(port)


def netloc(host: str, port: int) -> str:
    """`host:port`, an IPv6 address in brackets: `[::1]:8989`."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def normalise(text: str, what: str = "MaxScale host") -> str:
    """`text` as `host:port` with the port always written: `mx1` -> `mx1:8989`, `::1` -> `[::1]:8989`."""
    return netloc(*split_host(text, what))
