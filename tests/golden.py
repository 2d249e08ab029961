"""Where the golden captures live: ../shared/golden beside the checkout (as on CI), or $MCSCTL_GOLDEN.

Missing goldens are an error, never a silent skip: the parser and stand-in tests are only worth
something when they compare against the real captures.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def _find() -> Path:
    candidates = [Path(os.environ["MCSCTL_GOLDEN"])] if os.environ.get("MCSCTL_GOLDEN") else []
    candidates += [_REPO.parent / "shared" / "golden", Path("/work/shared/golden")]
    for path in candidates:
        if (path / "real-24.02").is_dir():
            return path
    raise RuntimeError(
        "golden captures not found (looked in " + ", ".join(map(str, candidates)) + "); set MCSCTL_GOLDEN"
    )


GOLDEN = _find()
