"""Starting one simulated MaxScale's HTTP server: the one recipe the fixtures and `maxscale-sim` share."""

from __future__ import annotations

from typing import Any

from .model import MaxScale


async def start_server(ms: MaxScale, host: str, port: int, reuse_address: bool = False) -> tuple[Any, int]:
    """Serve `ms` (REST /v1 and control /sim) on host:port (0: an ephemeral port).

    Returns the aiohttp AppRunner (await its `cleanup()` to stop) and the port it listens on.
    """
    from aiohttp import web

    from .api import make_app

    runner = web.AppRunner(make_app(ms), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, reuse_address=reuse_address or None)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    server: Any = site._server  # an asyncio Server once started; the port is only known from its socket
    return runner, int(server.sockets[0].getsockname()[1])
