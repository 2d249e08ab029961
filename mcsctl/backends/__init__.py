"""Backends: everything that talks to MaxScale. `make_backends` builds one per MaxScale host."""

from __future__ import annotations

from collections.abc import Callable

from .base import Backend, Connection

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from ..settings import Settings


def choose_backend(kind: str, maxctrl: str | None) -> str:
    """`auto` means maxctrl when the admin has one (on PATH, or named by --maxctrl / $MCSCTL_MAXCTRL, which
    Typer resolves into `maxctrl`), else the REST API."""
    if kind != "auto":
        return kind
    import shutil  # here: it imports bz2 and lzma, a cost `--backend rest` need not pay

    if maxctrl or shutil.which("maxctrl"):
        return "maxctrl"
    return "rest"


def start_reads(backends: list[Backend], monitors: bool = False) -> None:
    """With the maxctrl backend, start each MaxScale's `list servers` call now, all in parallel, and with
    `monitors` the first MaxScale's `api get monitors` too (ColumnStore reads that one's): the calls that
    follow take them over (issue 17). Nothing with REST, whose requests cost well under a millisecond."""
    for i, backend in enumerate(backends):
        start = getattr(backend, "start_reads", None)
        if start is not None:
            start(monitors and i == 0)


def make_backends(settings: Settings, trace: Callable[[str], None] | None = None) -> list[Backend]:
    """One backend per MaxScale host of `settings`, all of the kind `choose_backend` picks."""
    kind = choose_backend(settings.backend, settings.maxctrl)
    conns = [
        Connection(
            host=h,
            user=settings.user,
            password=settings.password,
            timeout=settings.timeout,
            secure=settings.secure,
            tls_ca_cert=settings.tls_ca_cert,
            tls_verify=settings.tls_verify_server_cert,
        )
        for h in settings.hosts
    ]
    if kind == "maxctrl":
        from .maxctrl import MaxctrlBackend

        return [MaxctrlBackend(c, maxctrl=settings.maxctrl, trace=trace) for c in conns]
    from .rest import RestBackend

    return [RestBackend(c, trace=trace) for c in conns]
