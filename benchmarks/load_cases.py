"""Section 6: simulator throughput for GET /v1/servers under 100 concurrent aiohttp clients."""

from __future__ import annotations

import asyncio
import time

from measure import Stats
from report import Section
from simenv import Sim, Workspace


async def _load(sim: Sim, clients: int, count: int, limit_s: float, warm: bool) -> tuple[int, float, Stats, int]:
    """`clients` workers share `count` requests; whatever is still running after limit_s is cancelled.

    Returns (requests completed, seconds, latencies, errors). With warm=True one request per client
    opens the connections first (not counted).
    """
    import aiohttp

    url = sim.url + "/v1/servers"
    lat = Stats()
    errors = 0
    left = count
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=limit_s + 30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=sim.auth) as session:

        async def one() -> None:
            nonlocal errors
            t0 = time.perf_counter()
            async with session.get(url) as resp:
                await resp.read()
                if resp.status != 200:
                    errors += 1
            lat.samples.append(time.perf_counter() - t0)

        if warm:
            await asyncio.gather(*(one() for _ in range(clients)))
            lat.samples.clear()
            errors = 0

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await one()

        start = time.perf_counter()
        try:
            await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(clients))), limit_s)
        except TimeoutError:
            pass  # bounded in time: report what completed
        elapsed = time.perf_counter() - start
    return len(lat.samples), elapsed, lat, errors


def throughput(ws: Workspace, plan: list[tuple[int, int, int]], limit_s: float) -> Section:
    """plan: (servers, requests, concurrent clients) per row."""
    sec = Section(
        "6. Simulator throughput: `GET /v1/servers`",
        "A standalone `maxscale-sim` (its own process, real clock) and N concurrent aiohttp clients in the "
        "benchmark process (up to one keep-alive connection each, basic auth), each request reading the whole "
        f"body; bounded by a request count and {limit_s:g} s (requests still running then are cancelled and not "
        "counted). With 3 servers one warm-up request per client opens the connections first; with 1,000 servers "
        "(a 10 MB body) every client sends exactly one request, all at once, connection set-up included. Both "
        "processes share the machine's cores.",
        [
            "servers",
            "clients",
            "requests done",
            "seconds",
            "requests/s",
            "p50 latency ms",
            "p99 latency ms",
            "body KiB",
            "errors",
        ],
    )
    cost: dict[int, tuple[float, int]] = {}
    for nservers, count, clients in plan:
        names = None if nservers == 3 else [f"srv{i:04d}" for i in range(nservers)]
        with Sim(ws.env, servers=names) as sim:
            status, doc = sim.request("GET", "/v1/servers", auth=True)
            if status != 200 or len(doc["data"]) != nservers:
                raise RuntimeError(f"simulator with {nservers} servers answered {status}")
            size = len(sim_body(sim))
            done, secs, lat, errors = asyncio.run(_load(sim, clients, count, limit_s, warm=nservers <= 100))
        if not done:
            raise RuntimeError(f"no request to the {nservers}-server simulator completed within {limit_s:g}s")
        cost[nservers] = (secs / done, size)
        sec.rows.append(
            [
                f"{nservers:,}",
                str(clients),
                str(done),
                f"{secs:.2f}",
                f"{done / secs:,.0f}",
                f"{lat.median * 1e3:.1f}",
                f"{lat.pct(99) * 1e3:.1f}",
                f"{size / 1024:,.0f}",
                str(errors),
            ]
        )
    for n, (per, size) in cost.items():
        sec.notes.append(
            f"{n:,} servers: one response is {size / 1024:,.0f} KiB ({size / n / 1024:.1f} KiB per "
            f"server, pretty-printed JSON:API as MaxScale sends it) and the simulator serves one every "
            f"{per * 1e3:.1f} ms on one event loop."
        )
    sec.notes.append(
        "Latency here is mostly queueing: with 100 clients on one event loop a request waits for "
        "the ones ahead of it, so p50 ≈ clients / throughput."
    )
    return sec


def sim_body(sim: Sim) -> bytes:
    import urllib.request

    req = urllib.request.Request(sim.url + "/v1/servers", headers=sim.auth)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.read()
