"""``python -m mo_jupyter.serve [--root R] DIR [options]``: `jupyter mo serve` without the rest of the
CLI, for containers that carry only the app server's few dependencies (see cli.py)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
