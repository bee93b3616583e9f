"""``jupyter mo module list|show|insert|publish``"""

from __future__ import annotations

from ..catalog.modules import parse_ref
from .catalog_args import add_catalog_options, emit_json, service, table
from .job_cmd import project_relative


def add_parser(nouns) -> None:
    module = nouns.add_parser("module", help="search, show, insert and publish modules")
    verbs = module.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("list", help="modules matching a search")
    p.add_argument("query", nargs="?", default="")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_list)
    p = verbs.add_parser("show", help="a module's details (OWNER/NAME[@VERSION])")
    p.add_argument("ref")
    p.set_defaults(func=cmd_show)
    p = verbs.add_parser("insert", help="copy a module into the project; prints the cell to run")
    p.add_argument("ref", help="OWNER/NAME[@VERSION]")
    p.add_argument("--into", default=".", help="the notebook or folder it goes next to (default: the root)")
    p.add_argument("--action", choices=("predict", "train", "run"), default="predict")
    p.add_argument("--replace", action="store_true", help="replace another version already there")
    p.set_defaults(func=cmd_insert)
    p = verbs.add_parser("publish", help="publish a project folder as a new module version")
    p.add_argument("folder")
    p.add_argument("--permission", choices=("private", "public"), default="private")
    p.set_defaults(func=cmd_publish)
    for sub in verbs.choices.values():
        add_catalog_options(sub)


def cmd_list(args) -> int:
    found = service(args).modules.list(args.query, args.limit)
    if args.json:
        emit_json(found)
    else:
        table([[m["id"], m["version"], ",".join(m["actions"]), m["catalog"], m["description"]]
               for m in found["items"]], ["MODULE", "VERSION", "ACTIONS", "CATALOG", "DESCRIPTION"])
        print(f"{found['total']} module(s)")
    return 0


def cmd_show(args) -> int:
    detail = service(args).modules.get(*parse_ref(args.ref))
    if args.json:
        emit_json(detail)
        return 0
    print(f"{detail['id']} {detail['version']}  ({detail['catalog']}, {detail['permission']})")
    print(f"versions: {', '.join(detail['versions'])}")
    print(detail["description"])
    for side in ("input", "output"):
        for part, params in detail["spec"].get(side, {}).items():
            print(f"\n{side}.{part}:")
            table([[p["name"], p["value_type"], repr(p.get("default_value", "")), str(p.get("value_range", "")),
                    "yes" if p.get("optional") else "", p.get("description", "")] for p in params],
                  ["NAME", "TYPE", "DEFAULT", "RANGE", "OPTIONAL", "DESCRIPTION"])
    return 0


def cmd_insert(args) -> int:
    owner, name, version = parse_ref(args.ref)
    into = project_relative(args.into, args.root)
    done = service(args).modules.insert(owner, name, version, into, args.action, args.replace)
    if args.json:
        emit_json(done)
    else:
        print(f"# {'copied to' if done['copied'] else 'already in'} {done['target']}")
        print(done["cell"])
    return 0


def cmd_publish(args) -> int:
    folder = project_relative(args.folder, args.root)
    detail = service(args).modules.publish(folder, args.permission)
    if args.json:
        emit_json(detail)
    else:
        print(f"published {detail['id']} {detail['version']} ({detail['permission']}) in catalog '{detail['catalog']}'")
    return 0
