"""The global options of mcsctl as the app's Typer callback (hosts, credentials, backend, timeouts, journal, ...),
built from the one table of them (global_options.GLOBAL), and the callback that turns them into the State
every command uses."""

import inspect
from typing import Annotated, Any

import typer

from . import __version__
from .cli_app import app
from .cli_frame import State
from .global_options import GLOBAL, flags_from
from .options import typer_option


def _version(value: bool) -> None:
    if value:
        print(f"mcsctl {__version__}")
        raise typer.Exit()


VersionOpt = Annotated[
    bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
]


def main(ctx: typer.Context, **given: Any) -> None:
    """The callback: every global option (by its table name) -> the State (flags and the config path)."""
    source = ctx.get_parameter_source("notify")
    from_env = source is not None and source.name == "ENVIRONMENT"
    ctx.obj = State(flags_from(given, notify_from_env=from_env), given.get("config"))


def _signature() -> inspect.Signature:
    """main's parameters for Typer: ctx, each option of GLOBAL in order, then --version."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)]
    params += [
        inspect.Parameter(s.name, keyword, default=s.default, annotation=typer_option(s)) for s in GLOBAL.values()
    ]
    params.append(inspect.Parameter("version", keyword, default=None, annotation=VersionOpt))
    return inspect.Signature(params, return_annotation=None)


main.__signature__ = _signature()  # type: ignore[attr-defined]
main.__annotations__ = {p.name: p.annotation for p in main.__signature__.parameters.values()}  # type: ignore[attr-defined]
main.__annotations__["return"] = None
app.callback()(main)
