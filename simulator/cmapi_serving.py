"""The fake CMAPI's HTTPS listeners: one per node address, all on one port, one self-signed certificate.

The certificate is made like CMAPI's own (RSA 2048, CN `mariadb.com`, O `MariaDB Corporation`, 365
days) by the `openssl` command (an argument list, no shell), once per process, in a temporary
directory removed at exit. A node whose host or CMAPI is down drops each connection (a TCP reset right
after the handshake): a listener cannot refuse connections on a virtual clock that moves between
requests, so the simulator answers "unreachable" at the first request instead.
"""

from __future__ import annotations

import atexit
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

from . import cmapi_api
from .cmapi_model import CsModel

_CERT_LOCK = threading.Lock()
_CERT: tuple[str, str] | None = None
SUBJECT = "/O=MariaDB Corporation/CN=mariadb.com"


class ServingError(RuntimeError):
    """The listeners cannot start: no certificate (no `openssl` command), or an address:port is taken."""


def self_signed() -> tuple[str, str]:
    """(certificate file, key file) of this process's self-signed certificate, made on first use."""
    global _CERT
    with _CERT_LOCK:
        if _CERT is None:
            where = Path(tempfile.mkdtemp(prefix="cmapi-sim-"))
            atexit.register(shutil.rmtree, where, True)
            cert, key = where / "cmapi_server.pem", where / "cmapi_server.key"
            openssl = shutil.which("openssl")
            if openssl is None:
                raise ServingError("the ColumnStore simulator needs the `openssl` command to make its certificate")
            argv = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365"]
            argv += ["-subj", SUBJECT, "-keyout", str(key), "-out", str(cert)]
            done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
            if done.returncode != 0:
                raise ServingError(f"openssl could not make the certificate: {done.stderr.strip()[:200]}")
            _CERT = str(cert), str(key)
        return _CERT


def server_context(cert: tuple[str, str] | None = None) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*(cert or self_signed()))
    return ctx


def shared_port(addresses: list[str], attempts: int = 50) -> int:
    """A port free on every one of these addresses (the kernel's pick on the first, tried on the rest)."""
    for _ in range(attempts):
        socks: list[socket.socket] = []
        try:
            first = socket.socket()
            socks.append(first)
            first.bind((addresses[0], 0))
            port = int(first.getsockname()[1])
            for addr in addresses[1:]:
                s = socket.socket()
                socks.append(s)
                s.bind((addr, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise OSError("no port free on every node address")


def _drop(request: Any) -> None:
    """Close the connection with a reset, as a host that is not there would leave the client."""
    transport = request.transport
    raw = transport.get_extra_info("socket") if transport else None
    if raw is not None:
        try:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    if transport is not None:
        transport.abort()


def make_app(model: CsModel) -> Any:
    """One aiohttp app for every node's listener; the node is the address the connection came to."""
    import asyncio

    from aiohttp import web

    async def handle(request: web.Request) -> web.StreamResponse:
        sock = request.transport.get_extra_info("sockname") if request.transport else None
        address = sock[0] if isinstance(sock, tuple) else ""
        body = await request.read()
        req = cmapi_api.Request(
            method=request.method,
            path=request.rel_url.path,
            headers=request.headers,
            body=body,
            has_length=request.content_length is not None,
            content_type=request.headers.get("Content-Type", "").split(";")[0].strip(),
            query=dict(request.query),
        )
        with model.cluster.lock:
            model.sync_all()
            node = next((n for n in model.nodes.values() if n.address == address), None)
            reply = None if node is None or not node.reachable else cmapi_api.dispatch(model, node, req)
        if reply is None:
            _drop(request)
            raise web.HTTPException()  # never sent: the connection is gone
        if reply.delay and not getattr(model.cluster.clock, "virtual", False):
            await asyncio.sleep(reply.delay)
        return web.Response(status=reply.status, reason=reply.reason, body=reply.body, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


async def start_cmapi(model: CsModel, port: int, cert: tuple[str, str] | None = None) -> Any:
    """Listen on every node's address:port with TLS. Returns the AppRunner (await `cleanup()` to stop)."""
    from aiohttp import web

    runner = web.AppRunner(make_app(model), access_log=None, handle_signals=False)
    await runner.setup()
    ctx = server_context(cert)
    try:
        for node in model.nodes.values():
            site = web.TCPSite(runner, node.address, port, ssl_context=ctx, reuse_address=True)
            try:
                await site.start()
            except OSError as exc:
                raise ServingError(f"cannot listen for CMAPI on {node.address}:{port}: {exc.strerror or exc}") from None
    except BaseException:
        await runner.cleanup()
        raise
    return runner
