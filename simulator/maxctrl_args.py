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
    values: dict[str, object] = field(default_factory=dict)  # explicitly given options
    counts: dict[str, int] = field(default_factory=dict)  # how often each was given
    positional: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # unknown option names, yargs-style

    def given(self, name: str) -> bool:
        return name in self.values


def _camel(name: str) -> str:
    return re.sub(r"-([a-z])", lambda m: m.group(1).upper(), name)


def _bool(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text)


def parse(argv: list[str], legacy: bool = False) -> Parsed:
    """Split argv into options and positionals the way yargs-parser does (for our option set)."""
    return _Parser(argv, legacy).run()


class _Parser:
    """One yargs-style parse of argv; `run()` returns the Parsed result."""

    def __init__(self, argv: list[str], legacy: bool) -> None:
        self.argv = argv
        self.known = {k: v for k, v in GLOBAL_OPTIONS.items() if not (legacy and k in LEGACY_MISSING)}
        self.short = {v[1]: k for k, v in self.known.items() if v[1]}
        self.camel = {_camel(k): k for k in self.known}
        self.out = Parsed()

    def canonical(self, name: str) -> str | None:
        if name in self.known:
            return name
        if name in self.short:
            return self.short[name]
        return self.camel.get(name)

    def put(self, name: str, value: object) -> None:
        out = self.out
        out.counts[name] = out.counts.get(name, 0) + 1
        if name in out.values and self.known.get(name, ("",))[0] == "string":
            prev = out.values[name]
            out.values[name] = (prev if isinstance(prev, list) else [prev]) + [value]
        else:
            out.values[name] = value

    def unknown(self, name: str) -> None:
        for n in (name, _camel(name)):
            if n not in self.out.unknown:
                self.out.unknown.append(n)

    def take_value(self, name: str, i: int, inline: str | None) -> int:
        """Store option `name`; return how many following args were consumed."""
        argv = self.argv
        kind = self.known[name][0]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if kind == "boolean":
            if inline is not None:
                b = _bool(inline)
                self.put(name, inline if b is None else b)
                return 0
            if nxt is not None and _bool(nxt) is not None:
                self.put(name, _bool(nxt))
                return 1
            self.put(name, True)
            return 0
        if inline is not None:
            self.put(name, inline)
            return 0
        if nxt is not None and (not nxt.startswith("-") or _NUMBER.match(nxt)):
            self.put(name, nxt)
            return 1
        if name in REQUIRES_ARG:
            raise ArgError(f"Not enough arguments following: {self.known[name][1] or name}")
        self.put(name, "")
        return 0

    def run(self) -> Parsed:
        argv = self.argv
        i = 0
        while i < len(argv):
            arg = argv[i]
            if arg == "--":
                self.out.positional.extend(argv[i + 1 :])
                break
            if arg.startswith("--") and len(arg) > 2:
                i += self.long_option(i, arg[2:])
            elif arg.startswith("-") and len(arg) > 1 and not _NUMBER.match(arg):
                i += self.short_options(i, arg[1:])
            else:
                self.out.positional.append(arg)
            i += 1
        return self.out

    def long_option(self, i: int, body: str) -> int:
        """--name, --name=value, --no-name; return how many following args were consumed."""
        argv, known, canonical = self.argv, self.known, self.canonical
        name, eq, inline = body.partition("=")
        inline_val = inline if eq else None
        negated = canonical(name[3:]) if name.startswith("no-") else None
        if negated and known[negated][0] == "boolean" and not eq:
            self.put(negated, False)
            return 0
        option = canonical(name)
        if option:
            return self.take_value(option, i, inline_val)
        self.unknown(name)
        if not eq and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            return 1  # yargs gives an unknown option the next word as its value
        return 0

    def short_options(self, i: int, letters: str) -> int:
        """-abc, -t1000, -h=HOST; return how many following args were consumed."""
        argv = self.argv
        j = 0
        while j < len(letters):
            ch = letters[j]
            rest = letters[j + 1 :]
            last = j == len(letters) - 1
            name = self.canonical(ch)
            if rest.startswith("="):
                if name:
                    self.take_value(name, i, rest[1:])
                else:
                    self.unknown(ch)
                return 0
            if not last and name and self.known[name][0] == "string":
                # -t1000, -hHOST: the rest of the word is the value
                self.take_value(name, i, rest)
                return 0
            if last:
                if name:
                    return self.take_value(name, i, None)
                self.unknown(ch)
                return 1 if i + 1 < len(argv) and not argv[i + 1].startswith("-") else 0
            if name:
                self.put(name, True)
            else:
                self.unknown(ch)
            j += 1
        return 0


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
