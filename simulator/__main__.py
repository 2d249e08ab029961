"""`maxscale-sim` / `python -m simulator`: the standalone simulated MaxScale(s), real clock, loopback."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from .clock import RealClock
from .model import Cluster, MaxScale
from .scenario import PROFILES, ScenarioError, load_scenario


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="maxscale-sim", description="A simulated MaxScale REST API (offline rehearsal).")
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8989, help="port of the first instance (default 8989)")
    p.add_argument("--instances", type=int, default=1, help="MaxScales over one cluster; instance k on port+k")
    p.add_argument("--scenario", help="scenario JSON file (default: the real-24.02 topology)")
    p.add_argument("--servers", help="comma-separated server names; the first is the primary")
    p.add_argument("--profile", choices=PROFILES, help="behaviour profile (default: the scenario's, else 24.02)")
    p.add_argument("--user", help="REST user (default admin)")
    p.add_argument("--password", help="REST password (default mariadb)")
    cs = p.add_argument_group("ColumnStore (a fake CMAPI per server, see simulator/README.md)")
    cs.add_argument(
        "--columnstore", action="store_true", help="every server is a ColumnStore node at 127.0.0.11, .12, ..."
    )
    cs.add_argument("--cmapi-port", type=int, help="the CMAPI port of every node (default 8640)")
    cs.add_argument("--cmapi-key", help="the CMAPI API key (default: a random one, printed at start)")
    cs.add_argument(
        "--cs-tick", type=float, help="seconds per CMAPI timing unit: every timing is the real one times this"
    )
    cs.add_argument("--cs-failover", choices=("on", "off"), help="CMAPI's auto_failover on every node (default on)")
    cs.add_argument(
        "--cmapi-tls", choices=("self-signed", "ca"), help="self-signed (default, as CMAPI) or CA-signed per node"
    )
    return p


def columnstore_options(args: argparse.Namespace, in_scenario: bool = False) -> dict | None:
    """The `columnstore` section the CLI options ask for (None without --columnstore or a scenario's section)."""
    given = (args.cmapi_port, args.cmapi_key, args.cs_tick, args.cs_failover, args.cmapi_tls)
    if not args.columnstore and not in_scenario:
        if any(v is not None for v in given):
            raise ScenarioError(
                "--cmapi-port, --cmapi-key, --cmapi-tls, --cs-tick and --cs-failover need --columnstore "
                "(or a scenario with a columnstore section)"
            )
        return None
    failover = None if args.cs_failover is None else args.cs_failover == "on"
    return {
        "port": args.cmapi_port,
        "key": args.cmapi_key,
        "tick": args.cs_tick,
        "failover": failover,
        "tls": args.cmapi_tls,
    }


def build_scenario(args: argparse.Namespace) -> dict | str | None:
    """The scenario from --scenario, overridden by --servers/--user/--password."""
    base: dict = {}
    if args.scenario:
        sc = load_scenario(args.scenario)
        base = dict(sc.source)
    if args.servers:
        names = [n.strip() for n in args.servers.split(",")]
        if not all(names):
            raise ScenarioError("--servers: empty server name in the list")
        base["servers"] = [
            {
                "name": n,
                "port": 3311 + i if i < 100 else 3306,
                "role": "master" if i == 0 else "slave",
                "server_id": i + 1,
            }
            for i, n in enumerate(names)
        ]
        base.pop("sessions", None)
    if args.user or args.password:
        base["users"] = {args.user or "admin": args.password if args.password is not None else "mariadb"}
    options = columnstore_options(args, base.get("columnstore") is not None)
    if options is not None:
        from .cmapi_spec import CsSpecError, enable_columnstore

        try:
            base = enable_columnstore(base, options)
        except CsSpecError as exc:
            raise ScenarioError(str(exc)) from None
    return base


async def serve_cmapi(cluster: Cluster, key_given: bool) -> object | None:
    """Start the CMAPI listeners of a ColumnStore scenario and say where they are."""
    if cluster.columnstore is None:
        return None
    from .cmapi_serving import start_cmapi

    model = cluster.columnstore
    runner = await start_cmapi(model, model.spec.port)
    for node in model.nodes.values():
        print(f"maxscale-sim: CMAPI of {node.name} on https://{node.address}:{model.spec.port}", flush=True)
    shown = "given with --cmapi-key" if key_given else model.spec.key
    print(f"maxscale-sim: CMAPI key {shown}; tick {model.tick}s, failover {model.spec.failover}", flush=True)
    if model.spec.tls == "ca":
        from .cmapi_certs import ca_file

        print(f"maxscale-sim: CMAPI certificates signed by the CA in {ca_file()}", flush=True)
    return runner


async def serve(args: argparse.Namespace, scenario: dict) -> None:
    from .serving import start_server

    cluster = Cluster(RealClock())
    sc = load_scenario(scenario)
    runners = []
    cmapi = None
    try:
        for k in range(args.instances):
            ms = MaxScale(cluster, sc, name=f"maxscale{k + 1}", profile=args.profile)
            runner, port = await start_server(ms, args.host, args.port + k if args.port else 0)  # 0: ephemeral
            runners.append(runner)
            host = f"[{args.host}]" if ":" in args.host else args.host
            print(
                f"maxscale-sim: MaxScale {ms.version} simulator listening on http://{host}:{port} "
                f"(profile {ms.profile})",
                flush=True,
            )
        cmapi = await serve_cmapi(cluster, args.cmapi_key is not None)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        if cmapi is not None:
            from .cmapi_serving import stop_cmapi

            await stop_cmapi(cmapi)
        for runner in runners:
            await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 0 <= args.port <= 65535 or not 1 <= args.instances <= 64 or args.port + args.instances - 1 > 65535:
        print("maxscale-sim: --port/--instances out of range", file=sys.stderr)
        return 2
    try:
        scenario = build_scenario(args)
        load_scenario(scenario)
    except ScenarioError as exc:
        print(f"maxscale-sim: {exc}", file=sys.stderr)
        return 2
    from .cmapi_serving import ServingError

    try:
        asyncio.run(serve(args, scenario))
    except ServingError as exc:  # no certificate, or a CMAPI address:port taken
        print(f"maxscale-sim: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"maxscale-sim: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
