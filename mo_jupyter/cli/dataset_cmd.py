"""``jupyter mo dataset list|show|insert|create|import|edit|online|offline|delete|extract``"""

from __future__ import annotations

from pathlib import Path

from ..catalog.roots import parse_ref
from ..errors import BadRequest, NotFound, cut
from .catalog_args import add_catalog_options, emit_json, human_size, service, table
from .job_cmd import project_relative

META_FLAGS = ("description", "purpose", "label_type", "format", "test_set", "permission", "license", "source", "version")


def _add_meta(p) -> None:
    p.add_argument("--description")
    p.add_argument("--tag", action="append", dest="tags", help="repeatable")
    p.add_argument("--purpose", help="image_classification, object_detection, semantic_segmentation, "
                                     "text_classification, tabular or other")
    p.add_argument("--label-type", dest="label_type")
    p.add_argument("--format", help="dir, json, single_text, brat_ann, npz or csv")
    p.add_argument("--test-set", dest="test_set", help="the train share, e.g. 0.9, or 'independent'")
    p.add_argument("--permission", help="private or public")
    p.add_argument("--license")
    p.add_argument("--source")
    p.add_argument("--version")


def _meta(args) -> dict:
    meta = {k: getattr(args, k) for k in META_FLAGS if getattr(args, k, None) is not None}
    if args.tags:
        meta["tags"] = args.tags
    if "test_set" in meta and meta["test_set"] != "independent":
        try:
            meta["test_set"] = float(meta["test_set"])
        except ValueError:
            raise BadRequest(f"--test-set must be a ratio like 0.9 or 'independent', got {cut(repr(meta['test_set']), 60)}") from None
    return meta


def add_parser(nouns) -> None:
    ds = nouns.add_parser("dataset", help="search, manage and insert datasets")
    verbs = ds.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("list", help="datasets matching a search")
    p.add_argument("query", nargs="?", default="")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--status", choices=("online", "offline"))
    p.set_defaults(func=cmd_list)
    for verb, func, helptext in (("show", cmd_show, "a dataset's details and format check"),
                                 ("online", cmd_online, "put a dataset online (after the format check)"),
                                 ("offline", cmd_offline, "take a dataset offline"),
                                 ("delete", cmd_delete, "delete one of your datasets")):
        p = verbs.add_parser(verb, help=helptext)
        p.add_argument("ref", help="OWNER/NAME")
        p.set_defaults(func=func)
    p = verbs.add_parser("insert", help="link an online dataset into the project; prints the cell")
    p.add_argument("ref", help="OWNER/NAME")
    p.add_argument("--into", default=".", help="the notebook or folder it goes next to (default: the root)")
    p.set_defaults(func=cmd_insert)
    p = verbs.add_parser("create", help="a new (offline) dataset in your catalog")
    p.add_argument("ref", help="OWNER/NAME or NAME")
    _add_meta(p)
    p.set_defaults(func=cmd_create)
    p = verbs.add_parser("edit", help="change a dataset's metadata")
    p.add_argument("ref", help="OWNER/NAME")
    _add_meta(p)
    p.set_defaults(func=cmd_edit)
    p = verbs.add_parser("import", help="extract an archive into a dataset (created if new)")
    p.add_argument("archive")
    p.add_argument("--name", required=True, help="OWNER/NAME or NAME")
    p.add_argument("--part", choices=("train", "test"), default="train")
    p.add_argument("--online", action="store_true", help="then put it online")
    _add_meta(p)
    p.set_defaults(func=cmd_import)
    p = verbs.add_parser("extract", help="extract an archive in the project safely")
    p.add_argument("archive")
    p.add_argument("--dest", help="the folder (default: the archive's name without extension)")
    p.set_defaults(func=cmd_extract)
    for sub in verbs.choices.values():
        add_catalog_options(sub)


def _ref(svc, ref: str) -> tuple[str, str]:
    if "/" not in ref:
        ref = f"{svc.catalogs.owner}/{ref}"
    owner, name, _ = parse_ref(ref)
    return owner, name


def _show(args, detail: dict) -> int:
    if args.json:
        emit_json(detail)
        return 0
    print(f"{detail['id']} {detail['version']}  [{detail['status']}, {detail['permission']}, catalog {detail['catalog']}]")
    for key in ("description", "purpose", "label_type", "format", "test_set", "license", "source"):
        if detail.get(key) not in (None, ""):
            print(f"  {key}: {detail[key]}")
    print(f"  files: {detail['file_count']} ({human_size(detail['size'])})")
    check = detail.get("check")
    if check:
        print("  format check: ok" if check["ok"] else "  format check:\n" + "\n".join(f"    - {p}" for p in check["problems"]))
    return 0


def cmd_list(args) -> int:
    found = service(args).datasets.list(args.query, args.limit, args.status)
    if args.json:
        emit_json(found)
        return 0
    table([[d["id"], d["version"], d["status"], d["format"], d["purpose"], human_size(d["size"]), d.get("description", "")]
           for d in found["items"]], ["DATASET", "VERSION", "STATUS", "FORMAT", "PURPOSE", "SIZE", "DESCRIPTION"])
    print(f"{found['total']} dataset(s)")
    return 0


def cmd_show(args) -> int:
    svc = service(args)
    return _show(args, svc.datasets.get(*_ref(svc, args.ref)))


def cmd_create(args) -> int:
    svc = service(args)
    owner, name = _ref(svc, args.ref)
    return _show(args, svc.datasets.create({"owner": owner, "name": name, **_meta(args)}))


def cmd_edit(args) -> int:
    svc = service(args)
    return _show(args, svc.datasets.update(*_ref(svc, args.ref), _meta(args)))


def _set_status(args, status: str) -> int:
    svc = service(args)
    return _show(args, svc.datasets.update(*_ref(svc, args.ref), {"status": status}))


def cmd_online(args) -> int:
    return _set_status(args, "online")


def cmd_offline(args) -> int:
    return _set_status(args, "offline")


def cmd_delete(args) -> int:
    svc = service(args)
    owner, name = _ref(svc, args.ref)
    svc.datasets.delete(owner, name)
    print(f"deleted {owner}/{name}")
    return 0


def cmd_import(args) -> int:
    svc = service(args)
    owner, name = _ref(svc, args.name)
    archive = Path(args.archive).resolve()
    if not archive.is_file():
        raise NotFound(f"no such archive: {cut(args.archive, 200)}")
    try:
        svc.datasets.find(owner, name)
        if _meta(args):
            svc.datasets.update(owner, name, _meta(args))
    except NotFound:
        svc.datasets.create({"owner": owner, "name": name, **_meta(args)})
    detail = svc.datasets.import_archive(owner, name, archive, args.part)
    if args.online:
        detail = svc.datasets.update(owner, name, {"status": "online"})
    return _show(args, detail)


def cmd_insert(args) -> int:
    svc = service(args)
    into = project_relative(args.into, args.root)
    done = svc.datasets.insert(*_ref(svc, args.ref), into)
    if args.json:
        emit_json(done)
    else:
        print(f"# {done['target']} ({done['mode']})")
        print(done["cell"])
    return 0


def cmd_extract(args) -> int:
    svc = service(args)
    archive = project_relative(args.archive, args.root)
    done = svc.datasets.extract(archive, args.dest)
    if args.json:
        emit_json(done)
    else:
        print(f"extracted {done['files']} file(s), {done['bytes']} bytes into {done['dest']}")
    return 0
