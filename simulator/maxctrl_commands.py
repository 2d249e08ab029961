"""The maxctrl commands the stand-in implements: argv words -> requests -> printed text (one host)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.maxctrl_args import ArgError, not_enough, unknown_message
from simulator.maxctrl_format import box_table, tsv_table
from simulator.maxctrl_http import Client, RequestFailed
from simulator.maxctrl_js import js_json, js_truthy
from simulator.maxctrl_versions import Profile
from simulator.maxctrl_views import (
    get_path,
    list_monitors_table,
    list_servers_table,
    list_sessions_table,
    show_server_pairs,
)

# Top-level commands of the real maxctrl (drain and cluster exist up to 22.08).
REAL_COMMANDS = {
    "list",
    "show",
    "set",
    "clear",
    "enable",
    "disable",
    "create",
    "destroy",
    "link",
    "unlink",
    "start",
    "stop",
    "alter",
    "rotate",
    "reload",
    "call",
    "api",
    "classify",
    "debug",
    "drain",
    "cluster",
}


class NotImplementedByStandIn(Exception):
    """A real maxctrl command that this stand-in does not emulate."""


@dataclass
class Invocation:
    """A validated command: `run(client, host)` returns the text maxctrl would print for one host."""

    words: tuple[str, str]
    args: list[str]
    force: bool = False
    sum: bool = False
    tsv: bool = False

    def run(self, profile: Profile, client: Client, host: str) -> str:
        handler: Callable = _HANDLERS[self.words]
        return handler(self, profile, client, host)


def _table(headers: list[str], rows: list[list[str]], tsv: bool) -> str:
    text = tsv_table(rows) if tsv else box_table(headers, rows)
    return text[:-1] if text.endswith("\n") else text


def _list_servers(inv: Invocation, profile: Profile, client: Client, host: str) -> str:
    doc = client.request(host, "servers")
    if profile.test_layout:  # made up for mcsctl's fallback tests (simulator/maxctrl_testlayout.py)
        from simulator import maxctrl_testlayout

        headers, rows = maxctrl_testlayout.list_servers_table(doc)
        return _table(headers, [headers, *rows], True) if inv.tsv else _table(headers, rows, False)
    headers, rows = list_servers_table(doc, profile)
    return _table(headers, rows, inv.tsv)


def _list_sessions(inv: Invocation, profile: Profile, client: Client, host: str) -> str:
    headers, rows = list_sessions_table(client.request(host, "sessions"), profile)
    return _table(headers, rows, inv.tsv)


def _list_monitors(inv: Invocation, profile: Profile, client: Client, host: str) -> str:
    headers, rows = list_monitors_table(client.request(host, "monitors"))
    return _table(headers, rows, inv.tsv)


def _show_server(inv: Invocation, profile: Profile, client: Client, host: str) -> str:
    doc = client.request(host, "servers/" + inv.args[0])
    rows = show_server_pairs(doc["data"], profile, inv.tsv)
    return _table(rows[0], rows[1:], inv.tsv) if not inv.tsv else _table([], rows, True)


def _set_or_clear(verb: str):
    def handler(inv: Invocation, profile: Profile, client: Client, host: str) -> str:
        name, states = inv.args[0], inv.args[1:]
        results, failure = [], None
        # The real client sends one PUT per state concurrently; the first failure wins.
        for state in states:
            if verb == "set" and inv.force:
                query = f"force=yes&state={state}" if profile.force_first else f"state={state}&force=yes"
            else:
                query = f"state={state}"
            try:
                data = client.request(host, f"servers/{name}/{verb}?{query}", "PUT")
                results.append(_ok_or(data))
            except RequestFailed as exc:
                failure = failure or exc
        if failure:
            raise failure
        return ",".join(results)

    return handler


def _ok_or(data) -> str:
    return js_json(data) if js_truthy(data) else "OK"


def _call_command(inv: Invocation, profile: Profile, client: Client, host: str) -> str:
    module, command, params = inv.args[0], inv.args[1], inv.args[2:]
    doc = client.request(host, f"maxscale/modules/{module}/")
    verb = "GET"  # an unknown command then gets the server's own error
    for cmd in get_path(doc, "data.attributes.commands", []) or []:
        if isinstance(cmd, dict) and cmd.get("id") == command:
            verb = get_path(cmd, "attributes.method", "GET")
    data = client.request(host, f"maxscale/modules/{module}/{command}?" + "&".join(params), verb)
    if isinstance(data, dict) and "meta" in data:
        return js_json(data["meta"], indent=4)
    return js_json(data, indent=4) if js_truthy(data) else "OK"


def _api_get(inv: Invocation, profile: Profile, client: Client, host: str) -> str:
    data = client.request(host, inv.args[0])
    if len(inv.args) > 1 and inv.args[1]:
        data = get_path(data, inv.args[1], None)
        if data is None:
            return ""  # JSON.stringify(undefined) prints nothing
    if inv.sum and isinstance(data, list) and data and isinstance(data[0], (int, float)):
        data = sum(v for v in data if isinstance(v, (int, float)) and v)
    return js_json(data)


_HANDLERS: dict[tuple[str, str], Callable] = {
    ("list", "servers"): _list_servers,
    ("list", "sessions"): _list_sessions,
    ("list", "monitors"): _list_monitors,
    ("show", "server"): _show_server,
    ("set", "server"): _set_or_clear("set"),
    ("clear", "server"): _set_or_clear("clear"),
    ("call", "command"): _call_command,
    ("api", "get"): _api_get,
}

# words -> (required args, optional args, variadic)
_ARITY = {
    ("list", "servers"): (0, 0, False),
    ("list", "sessions"): (0, 0, False),
    ("list", "monitors"): (0, 0, False),
    ("show", "server"): (1, 0, False),
    ("set", "server"): (2, 0, False),
    ("clear", "server"): (2, 0, False),
    ("call", "command"): (2, 0, True),
    ("api", "get"): (1, 1, False),
}


def build(positional: list[str], profile: Profile, opts: dict, unknown: list[str]) -> Invocation:
    """Validate the command words and their arguments like yargs does; raise ArgError."""
    if unknown:
        raise ArgError(unknown_message(unknown))
    if not positional:
        raise ArgError("Error: no command given (the maxctrl stand-in has no interactive mode)")
    top = positional[0]
    if top not in REAL_COMMANDS:
        if profile.legacy_errors:
            raise ArgError(
                "Error: Unknown command " + js_json(positional) + ". See output of `--help` for a list of commands."
            )
        raise ArgError(unknown_message(positional))
    if len(positional) < 2:
        raise ArgError(not_enough(0, 1))
    words = (top, positional[1])
    if words == ("show", "replication") and not profile.show_replication and profile.errors_to_stderr:
        # captured for the 24.08 and develop tips (golden/NEWER-RELEASES.md): yargs finds no such command
        raise ArgError("At least one command is required, see output of `--help` for more information.")
    if words not in _HANDLERS:
        raise NotImplementedByStandIn(" ".join(words))
    need, optional, variadic = _ARITY[words]
    if words in {("set", "server"), ("clear", "server")} and profile.multi_state:
        variadic = True
    args = positional[2:]
    extra_opts = []
    if opts.get("force") and words != ("set", "server"):
        extra_opts.append("force")
    if opts.get("sum") and words != ("api", "get"):
        extra_opts.append("sum")
    if extra_opts:
        raise ArgError(unknown_message(extra_opts))
    if len(args) < need:
        raise ArgError(not_enough(len(args), need))
    if not variadic and len(args) > need + optional:
        raise ArgError(unknown_message(args[need + optional :]))
    return Invocation(words, args, force=bool(opts.get("force")), sum=bool(opts.get("sum")), tsv=bool(opts.get("tsv")))
