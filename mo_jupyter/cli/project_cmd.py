"""``jupyter mo project templates | new DIR --template NAME``"""

from __future__ import annotations

import os
from pathlib import Path

from .catalog_args import add_catalog_options, emit_json, service, table


def add_parser(nouns) -> None:
    pr = nouns.add_parser("project", help="new project folders from the tutorial templates")
    verbs = pr.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("templates", help="the project templates")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_templates)
    p = verbs.add_parser("new", help="make a project folder from a template (its datasets and modules inserted)")
    p.add_argument("dir", help="a new or empty folder, relative to the current directory; outside the root, "
                               "its parent folder serves as the root")
    p.add_argument("--template", default="mnist", help="the template's name (default: mnist)")
    add_catalog_options(p)
    p.set_defaults(func=cmd_new)


def cmd_templates(args) -> int:
    from ..projects import templates

    found = templates()
    if args.json:
        emit_json(found)
        return 0
    table([[t["name"], t["title"]["en"], t["folder"], ", ".join(t["datasets"] + t["modules"])] for t in found],
          ["NAME", "TITLE", "FOLDER", "INSERTS"])
    return 0


def cmd_new(args) -> int:
    from ..projects import ProjectService

    target = Path(os.path.abspath(args.dir))
    root = Path(os.path.realpath(args.root))
    real = Path(os.path.realpath(target))
    if real != root:
        real.parent.mkdir(parents=True, exist_ok=True)  # like mkdir -p
    if not real.is_relative_to(root):  # e.g. ~/mo-demo from a checkout: made in its parent folder
        root = real.parent
    args.root = str(root)
    made = ProjectService(root, service(args)).create(args.template, os.path.relpath(real, root))
    if args.json:
        emit_json({**made, "root": str(root)})
        return 0
    folder = root if made["path"] == "." else root / made["path"]
    print(f"project {made['template']}: {folder}")
    for kind in ("datasets", "modules"):
        for rel in made[kind]:
            print(f"  inserted {rel}")
    print(f"open {made['open']}")
    return 0
