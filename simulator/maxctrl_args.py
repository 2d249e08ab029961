"""A yargs-like command line parser with maxctrl's options and its exact complaint texts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# canonical name -> (type, short alias)
GLOBAL_OPTIONS: dict[str, tuple[str, str | None]] = {
    "config": ("string", "c"),
    "user": ("string", "u"),
    "password": ("string", "p"),
    "hosts": ("string", "h"),
    "timeout": ("string", "t"),
    "quiet": ("boolean", "q"),
    "tsv": ("boolean", None),
    "skip-sync": ("boolean", None),
    "secure": ("boolean", "s"),
    "tls-key": ("string", None),
    "tls-passphrase": ("string", None),
    "tls-cert": ("string", None),
    "tls-ca-cert": ("string", None),
    "tls-verify-server-cert": ("boolean", "n"),
    "version": ("boolean", None),
    "help": ("boolean", None),
    # command options; check_command() rejects them where the command has no such option
    "force": ("boolean", None),
    "sum": ("boolean", None),
}
LEGACY_MISSING = {"config", "skip-sync"}  # 2.5 has neither
REQUIRES_ARG = {"user", "password", "hosts"}
DEFAULTS = {
    "config": "~/.maxctrl.cnf",
    "user": "admin",
    "password": "mariadb",
    "hosts": "127.0.0.1:8989",
    "timeout": "10000",
    "quiet": False,
    "tsv": False,
    "skip-sync": False,
    "secure": False,
    "tls-verify-server-cert": True,
    "force": False,
    "sum": False,
}

_NUMBER = re.compile(r"^-?\d+(\.\d*)?(e-?\d+)?$")


class ArgError(Exception):
    """A yargs validation failure: printed as is (no "Error: " prefix), rc 1."""


@dataclass
class Parsed:
    values: dict[str, object] = field(default_factory=dict)    # explicitly given options
    counts: dict[str, int] = field(default_factory=dict)       # how often each was given
    positional: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)            # unknown option names, yargs-style

    def given(self, name: str) -> bool:
        return name in self.values


def _camel(name: str) -> str:
    return re.sub(r"-([a-z])", lambda m: m.group(1).upper(), name)


def _bool(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text)


def parse(argv: list[str], legacy: bool = False) -> Parsed:
    """Split argv into options and positionals the way yargs-parser does (for our option set)."""
    known = {k: v for k, v in GLOBAL_OPTIONS.items() if not (legacy and k in LEGACY_MISSING)}
    short = {v[1]: k for k, v in known.items() if v[1]}
    camel = {_camel(k): k for k in known}
    out = Parsed()

    def canonical(name: str) -> str | None:
        if name in known:
            return name
        if name in short:
            return short[name]
        return camel.get(name)

    def put(name: str, value: object) -> None:
        out.counts[name] = out.counts.get(name, 0) + 1
        if name in out.values and known.get(name, ("",))[0] == "string":
            prev = out.values[name]
            out.values[name] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            out.values[name] = value

    def unknown(name: str) -> None:
        for n in (name, _camel(name)):
            if n not in out.unknown:
                out.unknown.append(n)

    def take_value(name: str, i: int, inline: str | None) -> int:
        """Store option `name`; return how many following args were consumed."""
        kind = known[name][0]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if kind == "boolean":
            if inline is not None:
                b = _bool(inline)
                put(name, inline if b is None else b)
                return 0
            if nxt is not None and _bool(nxt) is not None:
                put(name, _bool(nxt))
                return 1
            put(name, True)
            return 0
        if inline is not None:
            put(name, inline)
            return 0
        if nxt is not None and (not nxt.startswith("-") or _NUMBER.match(nxt)):
            put(name, nxt)
            return 1
        if name in REQUIRES_ARG:
            raise ArgError(f"Not enough arguments following: {known[name][1] or name}")
        put(name, "")
        return 0

    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out.positional.extend(argv[i + 1 :])
            break
        if arg.startswith("--") and len(arg) > 2:
            body = arg[2:]
            name, eq, inline = body.partition("=")
            inline_val = inline if eq else None
            if name.startswith("no-") and canonical(name[3:]) and known[canonical(name[3:])][0] == "boolean" and not eq:
                put(canonical(name[3:]), False)
            elif canonical(name):
                i += take_value(canonical(name), i, inline_val)
            else:
                unknown(name)
                if not eq and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                    i += 1  # yargs gives an unknown option the next word as its value
        elif arg.startswith("-") and len(arg) > 1 and not _NUMBER.match(arg):
            letters = arg[1:]
            j = 0
            while j < len(letters):
                ch = letters[j]
                rest = letters[j + 1 :]
                last = j == len(letters) - 1
                name = canonical(ch)
                if rest.startswith("="):
                    if name:
                        take_value(name, i, rest[1:])
                    else:
                        unknown(ch)
                    break
                if not last and name and known[name][0] == "string":
                    # -t1000, -hHOST: the rest of the word is the value
                    take_value(name, i, rest)
                    break
                if last:
                    if name:
                        i += take_value(name, i, None)
                    else:
                        unknown(ch)
                        if i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                            i += 1
                else:
                    if name:
                        put(name, True)
                    else:
                        unknown(ch)
                j += 1
        else:
            out.positional.append(arg)
        i += 1
    return out


def unknown_message(names: list[str]) -> str:
    if len(names) == 1:
        return f"Unknown argument: {names[0]}"
    return "Unknown arguments: " + ", ".join(names)


def not_enough(got: int, need: int) -> str:
    return f"Not enough non-option arguments: got {got}, need at least {need}"


def parse_timeout(raw: object) -> int:
    """maxctrl's -t coercion: leading digits, optional ms/s/m/h suffix (h multiplies by 24: a real bug)."""
    text = str(raw)
    m = re.search(r"[^\d]", text)
    digits = text if m is None else text[: m.start()]
    if not digits:
        raise ArgError(f"'{text}' is not a valid duration.")
    duration = int(digits)
    if m is not None:
        suffix = text[m.start() :]
        factors = {"h": 24 * 60 * 1000, "m": 60 * 1000, "s": 1000, "ms": 1}
        if suffix not in factors:
            raise ArgError(f"'{suffix}' in '{text}' is not a valid duration suffix.")
        duration *= factors[suffix]
    return duration
