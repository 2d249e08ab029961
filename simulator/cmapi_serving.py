"""The fake CMAPI's HTTPS listeners: one per node address, all on one port, with CMAPI's kind of
self-signed certificate or, with `"tls": "ca"`, a CA-signed one per node (simulator/cmapi_certs.py).

A node whose host or CMAPI is down drops each connection (a TCP reset right after the handshake): a
listener cannot refuse connections on a virtual clock that moves between requests, so the simulator
answers "unreachable" at the first request instead.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from typing import Any

from aiohttp import web

from . import cmapi_api
from .cmapi_model import CsModel

STOPPING = web.AppKey("cmapi_stopping", asyncio.Event)


class ServingError(RuntimeError):
    """The listeners cannot start: no certificate (no `openssl` command), or an address:port is taken."""


def server_context(address: str, tls: str) -> ssl.SSLContext:
    """The TLS context of one node's listener: the shared self-signed certificate, or its CA-signed one."""
    from .cmapi_certs import CertError, ca_signed, self_signed

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(*(ca_signed(address) if tls == "ca" else self_signed()))
    except CertError as exc:
        raise ServingError(str(exc)) from None
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


def make_app(cluster: Any) -> Any:
    """One aiohttp app for every node's listener; the node is the address the connection came to, in
    the cluster's current model (a scenario reload replaces the model, not the listeners)."""
    stopping = asyncio.Event()  # set by stop_cmapi: every pending wait ends at once

    async def pause(seconds: float) -> None:
        try:
            await asyncio.wait_for(stopping.wait(), seconds)
        except TimeoutError:
            pass

    def answer(req: cmapi_api.Request, address: str) -> tuple[cmapi_api.Reply | None, float]:
        """The reply of the node at `address` (None: unreachable) and how long an unreachable one hangs."""
        with cluster.lock:
            model: CsModel | None = cluster.columnstore
            node = None
            if model is not None:
                model.sync_all()
                node = next((n for n in model.nodes.values() if n.address == address), None)
            if model is None or node is None:
                return None, 0.0
            if not node.reachable:
                return None, model.spec.blackhole_seconds if node.blackhole else 0.0
            return cmapi_api.dispatch(model, node, req), 0.0

    async def handle(request: web.Request) -> web.StreamResponse:
        sock = request.transport.get_extra_info("sockname") if request.transport else None
        address = sock[0] if isinstance(sock, tuple) else ""
        req = cmapi_api.Request(
            method=request.method,
            path=request.rel_url.path,
            headers=request.headers,
            body=await request.read(),
            has_length=request.content_length is not None,
            content_type=request.headers.get("Content-Type", "").split(";")[0].strip(),
            query=dict(request.query),
        )
        reply, hang = answer(req, address)
        while reply is not None and reply.status == 0:  # a transaction to wait for, then try again
            await pause(reply.delay)
            reply, hang = answer(req, address)
        if reply is None:
            await pause(hang)  # a black-holed host: nothing comes back until the client gives up
            _drop(request)
            raise web.HTTPException()  # never sent: the connection is gone
        if reply.delay and (reply.wall or not getattr(cluster.clock, "virtual", False)):
            await pause(reply.delay)
        return web.Response(status=reply.status, reason=reply.reason, body=reply.body, content_type="application/json")

    app = web.Application()
    app[STOPPING] = stopping
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


async def start_cmapi(model: CsModel, port: int) -> Any:
    """Listen on every node's address:port with TLS. Returns the AppRunner (stop it with `stop_cmapi`)."""
    runner = web.AppRunner(make_app(model.cluster), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        for node in model.nodes.values():
            ctx = server_context(node.address, model.spec.tls)
            site = web.TCPSite(runner, node.address, port, ssl_context=ctx, reuse_address=True)
            try:
                await site.start()
            except OSError as exc:
                raise ServingError(f"cannot listen for CMAPI on {node.address}:{port}: {exc.strerror or exc}") from None
    except BaseException:
        await runner.cleanup()
        raise
    return runner


async def stop_cmapi(runner: Any) -> None:
    """End every request still waiting (a hang, a transaction's retries), then stop the listeners."""
    runner.app[STOPPING].set()
    await runner.cleanup()
