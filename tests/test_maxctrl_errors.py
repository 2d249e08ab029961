"""map_error over every failing golden case of every maxctrl release line (and the real 24.02.4)."""

from __future__ import annotations

import json

import pytest

from mcsctl.backends.maxctrl import map_error
from mcsctl.errors import (
    AuthFailed,
    BadOutput,
    ExitCode,
    NoAnswer,
    Refused,
    UnknownServer,
    Unreachable,
    exit_code_of,
)

from .golden import GOLDEN

VERSIONS = ["maxctrl-2.5", "maxctrl-6.4", "maxctrl-22.08", "maxctrl-23.08", "maxctrl-24.02.3", "maxctrl-24.02"]
OLD_403 = {"maxctrl-2.5", "maxctrl-6.4"}
OLD_WORDING = {"maxctrl-2.5", "maxctrl-6.4", "maxctrl-22.08"}  # "master" and the old "monitored" text

PRIMARY = (
    "The server is {}, so it cannot be set in maintenance or draining mode. "
    "First perform a switchover and then retry the operation."
)
MONITORED_OLD = (
    "The server is monitored, so only the maintenance status can be set/cleared manually. Status was not modified."
)
MONITORED_NEW = (
    "Server  mcs3 is monitored so only maintenance and drain status can be altered manually. Status was not modified."
)
BAD_STATE = "Invalid or missing value for the `state` parameter"


def expected(version: str, case: str):
    """(exception class, status, detail or message fragment, server) for a failing case."""
    status = 403 if version in OLD_403 else 400
    primary = PRIMARY.format("master" if version in OLD_WORDING else "primary")
    v25 = version == "maxctrl-2.5"
    table = {
        "api_get_unknown": (UnknownServer, None, None, "mcs99"),
        "clear_unknown_server": (UnknownServer, None, None, "mcs99"),
        "set_unknown_server": (UnknownServer, None, None, "mcs99"),
        "set_unknown_server_skip_sync": (BadOutput, None, "does not support", None)
        if v25
        else (UnknownServer, None, None, "mcs99"),
        "multi_host_partial_failure": (UnknownServer, None, None, "mcs3"),
        "config_file": (BadOutput, None, "does not support", None),  # 2.5: no -c
        "config_file_bad_perms": (BadOutput, None, "does not support", None)
        if v25
        else (Unreachable, None, "can be accessed by group and world", None),
        "config_file_missing": (BadOutput, None, "does not support", None)
        if v25
        else (BadOutput, None, "ENOENT", None),
        "connection_refused_list": (Unreachable, None, "connection refused", None),
        "connection_refused_set": (Unreachable, None, "connection refused", None),
        "multi_host_comma_space": (BadOutput, None, "{}", None)
        if v25
        else (Unreachable, None, "connection refused", None),
        "multi_host_one_down": (Unreachable, None, "connection refused", None),
        "multi_host_repeated_flag": (BadOutput, None, "crashed: TypeError", None),
        "multi_host_space_separated": (Refused, 404, None, None),
        "secure_against_plain_http": (Unreachable, None, "TLS error", None),
        "set_drain_master_refused": (Refused, status, primary, None),
        "set_maintenance_master_refused": (Refused, status, primary, None),
        "set_maintenance_master_refused_quiet": (Refused, status, primary, None),
        "set_invalid_state": (Refused, status, BAD_STATE, None),
        "set_running_refused": (
            Refused,
            status,
            MONITORED_NEW if version.startswith("maxctrl-24.02") else MONITORED_OLD,
            None,
        ),
        "set_maintenance_skip_sync": (BadOutput, None, "does not support", None),
        "set_missing_state": (BadOutput, None, "does not support", None),
        "set_two_states": (BadOutput, None, "does not support", None),
        "unknown_command": (BadOutput, None, "does not support", None),
        "shutting_down_list": (Unreachable, None, "MaxScale is shutting down", None),
        "shutting_down_set": (Unreachable, None, "MaxScale is shutting down", None),
        "timeout_list": (NoAnswer, None, "timed out", None),  # unknown, not failed (MXS-6265)
        "timeout_set": (NoAnswer, None, "timed out", None),
        "stdin_batch": (BadOutput, None, "unexpected maxctrl output", None),  # 2.5 interactive prompt, rc 130
        "wrong_password_list": (AuthFailed, None, "Access denied", None),
        "wrong_password_set": (AuthFailed, None, "Access denied", None),
        "wrong_user_set": (AuthFailed, None, "Access denied", None),
        # real MaxScale 24.02.4
        "mc_clear_maint_unknown": (UnknownServer, None, None, "nosuch"),
        "mc_set_maint_unknown": (UnknownServer, None, None, "nosuch"),  # stale detail first, real one last
        "mc_list_servers_badpw": (AuthFailed, None, "Access denied", None),
        "mc_list_servers_refused": (Unreachable, None, "connection refused", None),
        "mc_list_servers_two_hosts_one_down": (Unreachable, None, "connection refused", None),
        "mc_set_maint_two_hosts_one_down": (Unreachable, None, "connection refused", None),
        "mc_list_servers_two_hosts": (Refused, 404, None, None),
        "mc_set_maint_mcs1": (Refused, 400, PRIMARY.format("primary"), None),
        "mc_set_maint_force_mcs1": (Refused, 400, PRIMARY.format("primary"), None),
        "mc_switchover_bad_target": (Refused, 400, "Argument 2, server not found: nosuch", None),
    }
    return table[case]


def failing_cases() -> list[tuple[str, str]]:
    out = []
    for v in [*VERSIONS, "real-24.02"]:
        for rc in sorted((GOLDEN / v).glob("*.rc")):
            if rc.read_text().strip() != "0":
                out.append((v, rc.name[:-3]))
    return out


def server_arg(version: str, case: str) -> str | None:
    """The server mcsctl would have named in the call (what `set|clear server NAME` got)."""
    if version == "real-24.02":
        return {"mc_clear_maint_unknown": "nosuch", "mc_set_maint_unknown": "nosuch"}.get(case)
    (c,) = [c for c in json.loads((GOLDEN / version / "cases.json").read_text())["cases"] if c["case"] == case]
    argv = c["argv"]
    if "api" in argv and argv[argv.index("api") + 2].startswith("servers/"):
        return argv[argv.index("api") + 2].split("/", 1)[1]
    if "server" in argv and argv[argv.index("server") - 1] in ("set", "clear"):
        rest = [a for a in argv[argv.index("server") + 1 :] if not a.startswith("-")]
        return rest[0] if rest else None
    return None


def test_every_release_line_has_failing_cases():
    versions = {v for v, _ in failing_cases()}
    assert versions == {*VERSIONS, "real-24.02"}
    assert len(failing_cases()) > 6 * 28


@pytest.mark.parametrize("version,case", failing_cases())
def test_golden_error_mapping(version, case):
    base = GOLDEN / version / case
    out = base.with_suffix(".stdout").read_text(encoding="utf-8")
    err = base.with_suffix(".stderr").read_text(encoding="utf-8")
    rc = int(base.with_suffix(".rc").read_text())
    cls, status, text, server = expected(version, case)

    exc = map_error(out, err, host="mx1", server=server_arg(version, case), user="admin", rc=rc, timeout=1.0)

    assert type(exc) is cls, f"{type(exc).__name__}: {exc}"
    assert exc.host == "mx1"
    assert "\n" not in exc.message
    if cls is Refused:
        assert exc.status == status
        assert exc.detail == text  # the LAST detail, verbatim (None when the body had none)
        assert exit_code_of(exc) == ExitCode.FAILED
    elif cls is UnknownServer:
        assert exc.server == server
        assert exit_code_of(exc) == ExitCode.FAILED
    else:
        assert text in exc.message
        assert exit_code_of(exc) == ExitCode.UNREACHABLE


@pytest.mark.parametrize("version", VERSIONS)
def test_error_stream_per_release_line(version):
    """22.08+ print errors on stderr, 2.5/6.4 on stdout: the mapper must find them either way."""
    base = GOLDEN / version / "set_maintenance_master_refused"
    out = base.with_suffix(".stdout").read_text()
    err = base.with_suffix(".stderr").read_text()
    assert bool(err) == (version not in OLD_403)
    exc = map_error(out, err, host="h")
    assert isinstance(exc, Refused) and exc.detail.startswith("The server is ")


def test_hints():
    perms = map_error(
        "",
        "Error: /home/a/.maxctrl.cnf exists, but can be accessed by group and world. "
        "Remove all rights from everyone else but owner\n",
        host="h",
    )
    assert type(perms) is Unreachable and "chmod 600" in perms.hint
    auth = map_error("", (GOLDEN / "maxctrl-24.02/wrong_password_set.stderr").read_text(), host="h", user="bob")
    assert type(auth) is AuthFailed and "'bob'" in auth.message and auth.hint
    arg = map_error("Unknown argument: quiet\n", "", host="h")
    assert type(arg) is BadOutput and "--backend rest" in arg.hint


@pytest.mark.parametrize(
    "text,cls",
    [
        ("", BadOutput),
        ("Error: getaddrinfo ENOTFOUND maxscale.example\n", Unreachable),
        ("Error: connect EHOSTUNREACH 192.0.2.1:8989\n", Unreachable),
        ("Error: self-signed certificate\n", Unreachable),
        ("Error: socket hang up\n", Unreachable),
        ("something odd\n", BadOutput),
        # a 500 with a body is MaxScale refusing, not unreadable output
        (
            "Error: Server at http://h:1 responded with 500 Internal Server Error to `GET servers`\n"
            '{\n    "errors": [\n        {\n            "detail": "boom"\n        }\n    ]\n}\n',
            Refused,
        ),
        # body cut short: the detail is still found
        (
            "Error: Server at h:1 responded with status code 403 to `PUT servers/a/set?state=drain`:{\n"
            '    "errors": [\n        {\n            "detail": "no \\"way\\""\n',
            Refused,
        ),
    ],
)
def test_other_messages(text, cls):
    exc = map_error("", text, host="h", rc=1)
    assert type(exc) is cls
    if cls is Refused and "no " in text:
        assert exc.detail == 'no "way"' and exc.status == 403


def test_unknown_server_name_comes_from_the_last_detail():
    text = (GOLDEN / "real-24.02/mc_set_maint_unknown.stderr").read_text()
    exc = map_error("", text, host="h", server=None)
    assert type(exc) is UnknownServer and exc.server == "nosuch"


def test_name_with_backtick_and_brace_in_resource():
    text = (
        "Error: Server at 127.0.0.1:8989 responded with status code 403 to "
        "`PUT servers/a`:{b/set?state=maintenance`:{\n"
        '    "errors": [\n        {\n            "detail": "nope"\n        }\n    ]\n}\n'
    )
    exc = map_error(text, "", host="h", server="a`:{b")
    assert type(exc) is Refused and exc.detail == "nope" and exc.status == 403


def test_node_warnings_on_stderr_do_not_hide_an_error_on_stdout():
    out = (GOLDEN / "maxctrl-6.4/set_maintenance_master_refused.stdout").read_text()
    err = (
        "(node:4242) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.\n"
        "(Use `node --trace-deprecation ...` to show where the warning was created)\n"
    )
    exc = map_error(out, err, host="h")
    assert type(exc) is Refused and exc.status == 403
