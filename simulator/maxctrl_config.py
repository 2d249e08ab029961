"""maxctrl's defaults file (`-c FILE` or ~/.maxctrl.cnf, 6.0+) with the real checks and messages."""

from __future__ import annotations

import configparser
import os
import stat

from simulator.maxctrl_args import ArgError

DEFAULT_NAME = "~/.maxctrl.cnf"


def resolve(raw: str) -> tuple[str, bool]:
    """(absolute path, is_default). yargs resolves against the cwd; maxctrl maps "CWD/~/" to HOME."""
    home = os.path.expanduser("~")
    path = os.path.join(os.getcwd(), raw) if not raw.startswith("/") else raw
    prefix = (os.getcwd() + "/~/").replace("//", "/")
    if path.startswith(prefix):
        path = home + "/" + path[len(prefix) :]
    return path, path == home + "/.maxctrl.cnf"


def load(raw: str | None) -> dict[str, str]:
    """The [maxctrl] section as option -> value. Raises ArgError with maxctrl's text."""
    path, is_default = resolve(raw if raw is not None else DEFAULT_NAME)
    if not path.endswith(".cnf"):
        raise ArgError(f"Error: {path} does not have a '.cnf' suffix")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if is_default:
            return {}
        raise ArgError(f"ENOENT: no such file or directory, stat '{path}'") from None
    except OSError as exc:
        if is_default:
            return {}
        raise ArgError(f"{_code(exc)}: {exc.strerror.lower()}, stat '{path}'") from None
    if stat.S_IMODE(st.st_mode) & 0o037:
        raise ArgError(
            f"Error: {path} exists, but can be accessed by group and world. "
            "Remove all rights from everyone else but owner"
        )
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive option names
    try:
        with open(path, encoding="utf-8") as fh:
            parser.read_file(fh)
    except configparser.Error as exc:
        raise ArgError(f"Error: {path}: {exc}") from None
    except OSError as exc:
        raise ArgError(f"{_code(exc)}: {exc.strerror.lower()}, open '{path}'") from None
    if not parser.has_section("maxctrl"):
        raise ArgError(f"Error: {path} does not have a [maxctrl] section")
    return {k: _unquote(v) for k, v in parser.items("maxctrl")}


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _code(exc: OSError) -> str:
    import errno

    return errno.errorcode.get(exc.errno or 0, "EIO")
