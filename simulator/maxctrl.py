"""A maxctrl-compatible client for tests: `python -m simulator.maxctrl ARGS`.

It reproduces, byte for byte, what the real maxctrl prints for the commands mcsctl uses, for the
release line chosen with MAXCTRL_SIM_VERSION (2.5, 6.4, 22.08, 23.08, 24.02.3, 24.02, 24.08, develop;
default 24.02).
Never installed as `maxctrl`: the pytest plugin puts a wrapper with that name on a temporary PATH.

Deliberate differences from the real program: no colours even on a TTY, no interactive mode
(2.5 always, 6.0+ when stdin is a TTY), help texts in our own words, a short one-line message
instead of Node's stack trace for `-h A -h B`, and OpenSSL error texts that differ in detail.
"""

from __future__ import annotations

import sys
from typing import TextIO

from simulator import maxctrl_versions
from simulator.maxctrl_args import DEFAULTS, GLOBAL_OPTIONS, ArgError, Parsed, parse, parse_timeout, unknown_message
from simulator.maxctrl_commands import Invocation, NotImplementedByStandIn, build
from simulator.maxctrl_http import Client, RequestFailed, legacy_ping_error
from simulator.maxctrl_versions import Profile

HELP = """\
maxctrl (test stand-in from mcsctl's simulator)

Commands:
  list servers|sessions|monitors
  show server <server>
  set server <server> <state...> [--force]
  clear server <server> <state...>
  call command <module> <command> [params...]
  api get <resource> [path] [--sum]

Global options:
  -c, --config FILE        defaults file (6.0+), default ~/.maxctrl.cnf
  -u, --user USER          default admin
  -p, --password PASS      default mariadb; -p '' reads it from stdin
  -h, --hosts H:P[,H:P]    default 127.0.0.1:8989; comma-separated only
  -t, --timeout N[ms|s|m|h]  default 10000 (ms)
  -q, --quiet              print nothing on success
      --tsv                tab-separated output without a header
      --skip-sync          add sync=false to every request (6.0+)
  -s, --secure             use HTTPS
      --tls-key, --tls-cert, --tls-passphrase, --tls-ca-cert FILE
  -n, --tls-verify-server-cert  default true
      --version, --help

MAXCTRL_SIM_VERSION selects the release line to imitate (2.5, 6.4, 22.08, 23.08, 24.02.3, 24.02,
24.08, develop).
"""


class Crash(Exception):
    """What would be an uncaught Node exception: printed on stderr in every version."""


def main(
    argv: list[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    try:
        profile = maxctrl_versions.get()
    except KeyError as exc:
        print(exc.args[0], file=stderr)
        return 1
    err_stream = stderr if profile.errors_to_stderr else stdout
    try:
        output = run(argv, profile, stdin)
    except (ArgError, RequestFailed) as exc:
        print(exc.args[0], file=err_stream)
        return 1
    except NotImplementedByStandIn as exc:
        print(f"Error: `{exc.args[0]}` is not implemented by the maxctrl stand-in", file=err_stream)
        return 1
    except Crash as exc:
        print(exc.args[0], file=stderr)
        return 1
    if output:
        stdout.write(output + "\n")
    stdout.flush()
    return 0


def run(argv: list[str], profile: Profile, stdin: TextIO) -> str | None:
    """Everything maxctrl does for one command line; returns the text to print (None: nothing)."""
    parsed = parse(argv, legacy=profile.legacy_errors)
    if parsed.values.get("help") is True:
        return HELP.rstrip("\n")
    if parsed.values.get("version") is True:
        return profile.version
    opts = options(parsed, profile)
    if not parsed.positional and not parsed.unknown:
        return batch(argv, profile, stdin, opts)
    inv = build(parsed.positional, profile, opts, parsed.unknown)
    if opts.get("tls-key") and not opts.get("tls-cert"):
        raise ArgError("Missing dependent arguments:\n tls-key -> tls-cert")
    if opts.get("tls-cert") and not opts.get("tls-key"):
        raise ArgError("Missing dependent arguments:\n tls-cert -> tls-key")
    return execute(inv, profile, opts, stdin)


def options(parsed: Parsed, profile: Profile) -> dict:
    """Defaults < config file (6.0+) < command line, with -t coerced to milliseconds."""
    opts = dict(DEFAULTS)
    if profile.has_config:
        from simulator import maxctrl_config

        cfg_arg = parsed.values.get("config")
        if isinstance(cfg_arg, list):
            cfg_arg = cfg_arg[-1]
        unknown = []
        for key, value in maxctrl_config.load(cfg_arg if cfg_arg is not None else None).items():
            name = _option_name(key)
            if name is None:
                unknown.append(key)
                continue
            opts[name] = _typed(name, value)
        if unknown:
            raise ArgError(unknown_message(unknown))
    opts.update(parsed.values)
    try:
        opts["timeout"] = parse_timeout(
            opts["timeout"] if not isinstance(opts["timeout"], list) else opts["timeout"][-1]
        )
    except ArgError:
        if profile.legacy_errors:
            opts["timeout"] = 0  # 2.5 coerces to NaN: no timeout
        else:
            raise
    return opts


def _option_name(key: str) -> str | None:
    for name, (_, short) in GLOBAL_OPTIONS.items():
        if key in (name, short):
            return name
    return None


def _typed(name: str, value: str):
    if GLOBAL_OPTIONS[name][0] == "boolean":
        return value.strip().lower() in ("true", "1", "yes", "on")
    return value


def execute(inv: Invocation, profile: Profile, opts: dict, stdin: TextIO) -> str | None:
    """maxctrl's main loop: ping every host when there are several, then run on each in order."""
    password = _joined(opts["password"])
    if password == "":
        password = _read_password(stdin)
    hosts = opts["hosts"]
    if isinstance(hosts, list):
        raise Crash("TypeError: argv.hosts.split is not a function")
    client = Client(
        profile,
        user=_joined(opts["user"]),
        password=password,
        timeout_ms=int(opts["timeout"]),
        secure=bool(opts.get("secure")),
        skip_sync=bool(opts.get("skip-sync")),
        tls_key=opts.get("tls-key"),
        tls_cert=opts.get("tls-cert"),
        tls_ca_cert=opts.get("tls-ca-cert"),
        tls_passphrase=opts.get("tls-passphrase"),
        verify=opts.get("tls-verify-server-cert") is not False,
    )
    host_list = str(hosts).split(",")
    if len(host_list) > 1:
        ping(client, host_list, profile)
    parts = []
    for host in host_list:
        if len(host_list) > 1:
            parts.append(host)
        parts.append(inv.run(profile, client, host))
    return None if opts.get("quiet") else "\n".join(parts)


def ping(client: Client, hosts: list[str], profile: Profile) -> None:
    """GET /v1/ on every host at once; any failure stops the command before it changes anything."""
    from concurrent.futures import ThreadPoolExecutor

    if profile.legacy_errors and any(h != h.lstrip() or not h for h in hosts):
        # 2.5's request library rejects such a URL at once, before any other ping completes
        raise RequestFailed("{}")

    def one(host: str):
        try:
            client.request(host, "")
            return None
        except RequestFailed as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(hosts)) as pool:
        results = list(pool.map(one, hosts))
    for host, failure in zip(hosts, results, strict=False):
        if failure is not None:
            if profile.legacy_errors and not failure.text.startswith("Error: Server at"):
                raise RequestFailed(legacy_ping_error(host, failure.text))
            raise failure


def batch(argv: list[str], profile: Profile, stdin: TextIO, opts: dict) -> str | None:
    """No command: 6.0+ reads commands from a non-TTY stdin, one per line, and prints all outputs."""
    if not profile.batch_stdin or _isatty(stdin):
        raise ArgError("Error: the maxctrl stand-in has no interactive mode; give a command")
    import shlex

    lines = [line.strip() for line in stdin.read().splitlines()]
    results = []
    for line in filter(None, lines):
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        try:
            out = run(argv + words, profile, _EmptyInput())
        except (ArgError, RequestFailed, NotImplementedByStandIn, Crash) as exc:
            out = exc.args[0]
        results.append(out if out is not None else "")
    return None if opts.get("quiet") else "\n".join(results)


class _EmptyInput:
    def read(self) -> str:
        return ""

    def isatty(self) -> bool:
        return False


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _joined(value) -> str:
    # yargs turns a repeated string option into an array; axios then sends "a,b".
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def _read_password(stdin: TextIO) -> str:
    if _isatty(stdin):
        import getpass

        return getpass.getpass("Enter password: ")
    return stdin.read().strip()


if __name__ == "__main__":
    sys.exit(main())
