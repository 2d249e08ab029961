"""`python -m mcsctl.build [--root DIR] [--check]`: rewrite (or check) the generated files."""

import sys

from .generate import main

sys.exit(main())
