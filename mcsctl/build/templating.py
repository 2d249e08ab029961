"""The jinja2 environment every generated file is rendered with (templates are shell and roff, never HTML)."""

from __future__ import annotations

import jinja2

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


def template_env(**overrides: Any) -> jinja2.Environment:
    """The environment over mcsctl/build/templates/; `overrides` replace its options (e.g. comment markers)."""
    options: dict[str, Any] = dict(
        loader=jinja2.PackageLoader("mcsctl.build", "templates"),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    options.update(overrides)
    return jinja2.Environment(**options)
