"""What `jupyter mo module` and `jupyter mo dataset` share: which catalogs, who you are, printing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson
from jupyter_core.paths import jupyter_data_dir

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a command needs the catalog
    from ..catalog.service import CatalogService

ENV_CATALOGS = "MO_CATALOGS"


def add_catalog_options(parser) -> None:
    parser.add_argument("--catalog", action="append", metavar="DIR",
                        help=f"a catalog folder, repeatable; the first writable one is yours "
                             f"(default: ${ENV_CATALOGS}, ':'-separated, else the Jupyter data dir's)")
    parser.add_argument("--owner", help="your owner name in the catalogs (default: the OS user name)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def service(args) -> CatalogService:
    from ..catalog.service import CatalogService

    paths = args.catalog or [p for p in os.environ.get(ENV_CATALOGS, "").split(os.pathsep) if p] \
        or [str(Path(jupyter_data_dir()) / "mo_jupyter" / "catalog")]
    return CatalogService(args.root, paths, owner=args.owner, rescan_seconds=float("inf"))


def emit_json(data) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def table(rows: list[list[str]], header: list[str]) -> None:
    rows = [header, *rows]
    widths = [min(max(len(r[i]) for r in rows), 60) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell[:60].ljust(w) for cell, w in zip(row, widths)).rstrip())


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
