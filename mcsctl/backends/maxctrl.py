"""The maxctrl backend: builds the admin's maxctrl calls (argv lists, never a shell) and reads their output.

Running the process is mcsctl.backends.maxctrl_process; what a failure means (maxctrl exits 1 for every
failure, docs/maxscale-facts.md: exit-status, so errors are told apart by their text) is mcsctl.backends.maxctrl_errors.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Callable

from ..dataclass_lite import replace
from ..errors import (
    BadOutput,
    MaxctrlMissing,
    McsctlError,
    UsageError,
)
from ..model import Monitor, Server, Session
from ..tables import UnknownLayout, parse_tsv_rows, servers_from_rows
from . import documents, maxctrl_version
from .base import Connection, check_server_name
from .maxctrl_errors import map_error
from .maxctrl_process import MISSING_HINT, run_maxctrl, start_early

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "ENV_MAXCTRL",
    "KILL_MARGIN",
    "MISSING_HINT",
    "MaxctrlBackend",
    "check_maxctrl_word",
    "find_maxctrl",
    "map_error",
]

ENV_MAXCTRL = "MCSCTL_MAXCTRL"
# Seconds on top of maxctrl's own -t before mcsctl gives up on the process (Node start-up included).
KILL_MARGIN = 5.0

# What yargs would turn into a JS number (so `007` or `1e3` would reach MaxScale as `7` / `1000`).
_NUMBERISH = re.compile(r"^(?:0x[0-9a-f]+|(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)$", re.IGNORECASE)
_CANONICAL_INT = re.compile(r"^(?:0|[1-9]\d{0,14})$")


def find_maxctrl(explicit: str | None = None) -> str:
    """The maxctrl to run: the argument (--maxctrl, or its variable $MCSCTL_MAXCTRL, both resolved by Typer),
    else `maxctrl` on PATH."""
    name = explicit or "maxctrl"
    origin = f"--maxctrl or {ENV_MAXCTRL}" if explicit else "PATH"
    if os.sep in name or (os.altsep and os.altsep in name):
        if not os.path.isfile(name):
            raise MaxctrlMissing(f"maxctrl not found: {name} (from {origin}) does not exist", hint=MISSING_HINT)
        if not os.access(name, os.X_OK):
            raise MaxctrlMissing(f"maxctrl {name} (from {origin}) is not executable", hint=MISSING_HINT)
        return name
    import shutil

    found = shutil.which(name)
    if not found:
        raise MaxctrlMissing(f"maxctrl not found: no {name!r} on PATH", hint=MISSING_HINT)
    return found


def check_maxctrl_word(word: str, what: str = "server name") -> str:
    """Refuse a name that maxctrl (yargs argument parsing, Node URL handling) would not pass on verbatim."""
    # maxctrl's HTTP client parses the URL with Node's legacy url.parse (a backslash becomes `/`) and
    # sends the path unencoded (non-ASCII is refused or goes out as Latin-1): such names would address
    # another object or fail.
    if "\\" in word or not word.isascii():
        raise UsageError(
            f"{what} {word!r} has a backslash or non-ASCII characters, which maxctrl cannot put into its request URL",
            hint="use --backend rest for such names",
        )
    if word.startswith("-"):
        raise UsageError(
            f"{what} {word!r} starts with '-': maxctrl would read it as an option",
            hint="use --backend rest for such names",
        )
    if _NUMBERISH.match(word) and not _CANONICAL_INT.match(word):
        raise UsageError(
            f"{what} {word!r} looks like a number: maxctrl would send it as a different name",
            hint="use --backend rest for such names",
        )
    return word


class MaxctrlBackend:
    """The Backend protocol for ONE MaxScale, through the admin's maxctrl."""

    def __init__(
        self, conn: Connection, maxctrl: str | None = None, trace: Callable[[str], None] | None = None
    ) -> None:
        self.conn = conn
        self.host = conn.host
        self._maxctrl = maxctrl
        self._trace = trace
        self._monitor_of: dict[str, str] | None = None  # server -> monitor, for maxctrl without a Monitor column
        self._exe: str | None = None
        self._said_json = False  # the note that servers are read as JSON, once per MaxScale

    def check_name(self, name: str) -> str:
        """A name MaxScale accepts AND maxctrl passes on verbatim (check_maxctrl_word)."""
        return self._name(name)

    # -- reads ---------------------------------------------------------------------------

    def list_servers(self) -> list[Server]:
        version = self.client_version()
        if not maxctrl_version.covered(version):
            return self._servers_as_json(f"maxctrl {version} is of a release line no capture covers")
        out = self._run(["list", "servers", "--tsv"])
        try:
            rows = parse_tsv_rows(out)
            servers = servers_from_rows(rows, self.host)
        except UnknownLayout as e:
            e.host = e.host or self.host
            return self._servers_as_json(e.message, e)
        except BadOutput as e:
            e.host = e.host or self.host
            raise
        if rows and "Monitor" not in rows[0]:
            # maxctrl before 22.08.2 has no Monitor column; switchover and the guards need it, so take it
            # from the monitors' server lists (read once: membership does not change during a command).
            if self._monitor_of is None:
                try:
                    self._monitor_of = {s: m.name for m in self.list_monitors() for s in m.servers}
                except McsctlError:
                    return servers  # the servers still count; only switchover needs the monitor

            servers = [replace(s, monitor=self._monitor_of.get(s.name)) for s in servers]
        return servers

    def start_reads(self, monitors: bool = False) -> None:
        """Start now the `list servers` call that list_servers() makes first (maxctrl_process.start_early), and
        with `monitors` the `api get monitors` of list_monitors(), so that they run while the rest of mcsctl
        starts up; nothing when list_servers() would not make that call."""
        try:
            if not maxctrl_version.covered(self.client_version()):
                return
            stdin = self._check_password()
            calls = [["list", "servers", "--tsv"]] + ([["api", "get", "monitors"]] if monitors else [])
            argvs = [self._argv(args) for args in calls]
        except McsctlError:
            return
        for argv in argvs:
            start_early(argv, stdin)

    def client_version(self) -> str | None:
        """This maxctrl's version (`maxctrl --version`, learnt once per executable), None when it cannot say."""

        def run(argv: list[str]) -> str | None:
            try:
                out, _err, rc = run_maxctrl(argv, "", self.conn.timeout + KILL_MARGIN, self.host)
            except McsctlError:
                return None
            return out if rc == 0 else None

        return maxctrl_version.client_version(self._argv([])[0], run)

    def _servers_as_json(self, why: str, unknown: BadOutput | None = None) -> list[Server]:
        """The servers from `maxctrl api get servers` (the REST backend's documents), said once under --verbose.
        When that fails too, the table's own complaint (its first offending line) is the error."""
        if not self._said_json and self._trace:
            self._trace(f"# {why}: reading the servers as JSON through `maxctrl api get servers`")
        self._said_json = True
        try:
            return documents.servers_from_document(self._api_get("servers"), self.host)
        except BadOutput:
            if unknown is not None:
                raise unknown from None
            raise

    def list_sessions(self) -> list[Session]:
        return documents.sessions_from_document(self._api_get("sessions"), self.host)

    def list_monitors(self) -> list[Monitor]:
        return documents.monitors_from_document(self._api_get("monitors"), self.host)

    def config_sync_cluster(self) -> str | None:
        return documents.config_sync_cluster(self._api_get("maxscale", collection=False))

    # -- writes --------------------------------------------------------------------------

    def set_state(self, server: str, state: str, force: bool = False) -> None:
        self._expect_ok(self._set_args(server, state, force), server=server)

    def clear_state(self, server: str, state: str) -> None:
        self._expect_ok(self._clear_args(server, state), server=server)

    def switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> None:
        # Two requests (GET the module, then POST), and the switchover itself takes time.
        self._expect_ok(self._switchover_args(monitor, new, old), requests=2, json_ok=True)

    # -- dry run -------------------------------------------------------------------------

    def describe_set(self, server: str, state: str, force: bool = False) -> str:
        return shlex.join(self._argv(self._set_args(server, state, force)))

    def describe_clear(self, server: str, state: str) -> str:
        return shlex.join(self._argv(self._clear_args(server, state)))

    def describe_switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> str:
        return shlex.join(self._argv(self._switchover_args(monitor, new, old)))

    # -- argv ----------------------------------------------------------------------------

    @staticmethod
    def _name(name: str, what: str = "server name") -> str:
        return check_maxctrl_word(check_server_name(name), what)

    @staticmethod
    def _state(state: str) -> str:
        if not isinstance(state, str) or not re.fullmatch(r"[a-z][a-z_]*", state):
            raise UsageError(f"invalid state {state!r}")
        return state

    def _set_args(self, server: str, state: str, force: bool) -> list[str]:
        return ["set", "server", self._name(server), self._state(state)] + (["--force"] if force else [])

    def _clear_args(self, server: str, state: str) -> list[str]:
        return ["clear", "server", self._name(server), self._state(state)]

    def _switchover_args(self, monitor: str, new: str | None, old: str | None) -> list[str]:
        if old is not None and new is None:
            raise UsageError("switchover: the current primary can only be named together with the new one")
        args = [self._name(monitor, "monitor name")]
        args += [self._name(n) for n in (new, old) if n is not None]
        return ["call", "command", "mariadbmon", "switchover", *args]

    def _host_arg(self) -> str:
        host = self.conn.host
        # maxctrl splits -h on commas (several MaxScales in one call): one backend is one host.
        if not host or "," in host or any(c.isspace() for c in host) or host.startswith("-"):
            raise UsageError(f"invalid MaxScale host {host!r} for maxctrl (expected HOST:PORT)")
        return host

    def _global_args(self) -> list[str]:
        ms = max(1, round(self.conn.timeout * 1000))
        # -p '' makes maxctrl read the password from stdin (every release line): never in argv.
        args = ["-h", self._host_arg(), "-u", self.conn.user, "-p", "", "-t", str(ms)]
        if self.conn.secure:
            args.append("-s")
            if self.conn.tls_ca_cert:
                args += ["--tls-ca-cert", self.conn.tls_ca_cert]
            if not self.conn.tls_verify:
                args.append("--tls-verify-server-cert=false")
        # A `quiet` in ~/.maxctrl.cnf would make `list servers` print nothing ("no servers"): override it.
        args.append("--quiet=false")
        return args

    def _argv(self, args: list[str]) -> list[str]:
        if self._exe is None:
            self._exe = find_maxctrl(self._maxctrl)
        return [self._exe, *self._global_args(), *args]

    # -- running -------------------------------------------------------------------------

    def _api_get(self, resource: str, collection: bool = True) -> dict[str, Any]:
        out = self._run(["api", "get", resource])
        try:
            doc = json.loads(out)
        except ValueError:
            first = next((ln for ln in out.splitlines() if ln.strip()), "")
            shown = repr(first if len(first) <= 60 else first[:60] + "…")
            raise BadOutput(f"api get {resource}: the output is not JSON, first line {shown}", host=self.host) from None
        if not isinstance(doc, dict) or not isinstance(
            doc.get("data", [] if collection else {}), list if collection else dict
        ):
            kind = "collection" if collection else "resource"
            raise BadOutput(f"api get {resource}: the output is not a MaxScale {kind}", host=self.host)
        return doc

    def _expect_ok(self, args: list[str], server: str | None = None, requests: int = 1, json_ok: bool = False) -> None:
        out = self._run(args, server=server, requests=requests).strip()
        if out == "OK":
            return
        if json_ok and out.startswith("{"):  # a module command answered 200 with its `meta` (success)
            try:
                json.loads(out)
                return
            except ValueError:
                pass
        first = out.splitlines()[0] if out else ""
        raise BadOutput(f"{args[0]} {args[1]}: maxctrl exited 0 but printed {first!r} instead of OK", host=self.host)

    def _check_password(self) -> str:
        pw = self.conn.password
        if pw != pw.strip() or "\n" in pw:
            # maxctrl trims what it reads from stdin, so such a password would silently change.
            raise UsageError(
                "the password has leading/trailing whitespace, which maxctrl cannot read from stdin",
                hint="use --backend rest",
            )
        return pw + "\n"

    def _run(self, args: list[str], server: str | None = None, requests: int = 1) -> str:
        """Run maxctrl with `args`; return its stdout on exit 0, else raise the mapped error."""
        argv = self._argv(args)
        stdin = self._check_password()
        if self._trace:
            self._trace(shlex.join(argv))
        limit = self.conn.timeout * requests + KILL_MARGIN
        out, err, rc = run_maxctrl(argv, stdin, limit, self.host)
        if rc != 0:
            raise map_error(
                out, err, host=self.host, server=server, user=self.conn.user, rc=rc, timeout=self.conn.timeout
            )
        return out
