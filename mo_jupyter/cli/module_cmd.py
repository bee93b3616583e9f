"""``jupyter mo module list|show|insert|publish|new|edit|offline|online|permission|withdraw``"""

from __future__ import annotations

import json

from ..catalog.roots import parse_ref
from ..errors import BadRequest, cut
from ..paths import resolve_in_root
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
    p = verbs.add_parser("new", help="scaffold a module (module_spec.yml, main.py, README.md) ready to publish")
    p.add_argument("name", help="a Python identifier, e.g. my_classifier (its class: MyClassifier)")
    p.add_argument("--into", default=".", help="the folder it is made in (default: the root)")
    p.add_argument("--description", default="")
    p.add_argument("--category", choices=("model", "toolkit"))
    p.add_argument("--tag", action="append", dest="tags", help="repeatable")
    p.add_argument("--action", action="append", dest="actions", choices=("predict", "train", "run"),
                   help="repeatable (default: predict)")
    p.add_argument("--input", action="append", dest="inputs", metavar="ACTION:NAME:TYPE[=DEFAULT]",
                   help="a parameter, repeatable, e.g. predict:text:str=hello or train:epochs:int=10")
    p.add_argument("--output", action="append", dest="outputs", metavar="ACTION:NAME:TYPE",
                   help="a result, repeatable, e.g. predict:label:str")
    p.set_defaults(func=cmd_new)
    p = verbs.add_parser("edit", help="change a published version's description, tags, category or README")
    p.add_argument("ref", help="OWNER/NAME@VERSION (without @VERSION: every version)")
    p.add_argument("--description")
    p.add_argument("--tag", action="append", dest="tags", help="repeatable; replaces the tags")
    p.add_argument("--category", choices=("model", "toolkit"))
    p.add_argument("--readme", help="a file whose text becomes README.md")
    p.set_defaults(func=cmd_edit)
    for verb, helptext in (("offline", "hide a module (or one version) from the others"),
                           ("online", "show it to the others again")):
        p = verbs.add_parser(verb, help=helptext)
        p.add_argument("ref", help="OWNER/NAME[@VERSION] (without @VERSION: every version)")
        p.set_defaults(func=cmd_status, status=verb)
    p = verbs.add_parser("permission", help="make a module (or one version) private or public")
    p.add_argument("ref", help="OWNER/NAME[@VERSION] (without @VERSION: every version)")
    p.add_argument("permission", choices=("private", "public"))
    p.set_defaults(func=cmd_permission)
    p = verbs.add_parser("withdraw", help="remove a published version (the last one removes the module)")
    p.add_argument("ref", help="OWNER/NAME@VERSION")
    p.set_defaults(func=cmd_withdraw)
    for sub in verbs.choices.values():
        add_catalog_options(sub)


def cmd_list(args) -> int:
    found = service(args).modules.list(args.query, args.limit)
    if args.json:
        emit_json(found)
    else:
        table([[m["id"], m["version"], ",".join(m["actions"]),
                m["catalog"] + (" (offline)" if m.get("status") == "offline" else ""), m["description"]]
               for m in found["items"]], ["MODULE", "VERSION", "ACTIONS", "CATALOG", "DESCRIPTION"])
        print(f"{found['total']} module(s)")
    return 0


def cmd_show(args) -> int:
    detail = service(args).modules.get(*parse_ref(args.ref))
    if args.json:
        emit_json(detail)
        return 0
    print(f"{detail['id']} {detail['version']}  ({detail['catalog']}, {detail['permission']}, {detail['status']})")
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


def _param(text: str, with_default: bool) -> tuple[str, dict]:
    action, _, rest = text.partition(":")
    name, _, rest = rest.partition(":")
    kind, eq, default = rest.partition("=")
    if not action or not name or not kind or (eq and not with_default):
        form = "ACTION:NAME:TYPE[=DEFAULT]" if with_default else "ACTION:NAME:TYPE"
        raise BadRequest(f"'{cut(text, 100)}' is not {form}")
    param: dict = {"name": name, "value_type": kind}
    if eq:
        if kind in ("str", "datetime", "img", "video", "audio", "file"):
            param["default_value"] = default
        else:
            try:
                param["default_value"] = json.loads(default)  # 3, 0.5, true, [1, 2]
            except ValueError:
                raise BadRequest(f"the default of '{cut(name, 100)}' is not a {cut(kind, 20)}: "
                                 f"{cut(repr(default), 80)}") from None
    return action, param


def cmd_new(args) -> int:
    form: dict = {"name": args.name, "folder": project_relative(args.into, args.root),
                  "description": args.description, "actions": args.actions or ["predict"],
                  "inputs": {}, "outputs": {}}
    if args.category:
        form["category"] = args.category
    if args.tags:
        form["tags"] = args.tags
    for side, texts in (("inputs", args.inputs), ("outputs", args.outputs)):
        for text in texts or []:
            action, param = _param(text, side == "inputs")
            form[side].setdefault(action, []).append(param)
    done = service(args).modules.new(form)
    if args.json:
        emit_json(done)
    else:
        print(f"made {done['path']}/ (class {done['class_name']}): {', '.join(done['files'])}")
        print(f"fill in main.py, then: jupyter mo module publish {done['path']}")
    return 0


def _changed(args, detail: dict, what: str) -> int:
    if args.json:
        emit_json(detail)
    else:
        print(f"{detail['id']} {detail['version']}: {what} (status {detail['status']}, {detail['permission']})")
    return 0


def cmd_edit(args) -> int:
    changes: dict = {k: getattr(args, k) for k in ("description", "category") if getattr(args, k) is not None}
    if args.tags is not None:
        changes["tags"] = args.tags
    if args.readme is not None:
        file, _ = resolve_in_root(args.root, project_relative(args.readme, args.root))
        if not file.is_file() or file.stat().st_size > 1024 * 1024:
            raise BadRequest(f"'{cut(args.readme, 200)}' is not a file of at most 1 MiB")
        changes["readme"] = file.read_text(encoding="utf-8", errors="replace")
    if not changes:
        raise BadRequest("nothing to change: give --description, --tag, --category or --readme")
    return _changed(args, service(args).modules.update(*parse_ref(args.ref), changes), "edited")


def cmd_status(args) -> int:
    detail = service(args).modules.update(*parse_ref(args.ref), {"status": args.status})
    return _changed(args, detail, args.status)


def cmd_permission(args) -> int:
    detail = service(args).modules.update(*parse_ref(args.ref), {"permission": args.permission})
    return _changed(args, detail, args.permission)


def cmd_withdraw(args) -> int:
    owner, name, version = parse_ref(args.ref)
    done = service(args).modules.withdraw(owner, name, version or "")
    if args.json:
        emit_json(done)
    else:
        left = ", ".join(done["versions"])
        print(f"withdrew {done['id']} {done['withdrawn']}; " +
              (f"versions left: {left}" if left else "no version left: the module is gone"))
    return 0
