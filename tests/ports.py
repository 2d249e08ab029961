"""A loopback port where nothing listens, for the tests of a MaxScale, CMAPI or webhook that is down."""

from __future__ import annotations

import socket

_held: list[socket.socket] = []  # bound for the whole run: freed, the port could be taken before the test uses it


def closed_port() -> int:
    """A 127.0.0.1 port that refuses connections until the tests end. Its socket stays bound (never
    listening), so neither a server nor an outgoing connection's ephemeral port can take it meanwhile."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _held.append(s)
    return s.getsockname()[1]
