"""``jupyter mo task create | start | list | show | delete``: training tasks (a catalog module's
train() on a dataset, as a job) with the same fields as the New training task form and REST."""

from __future__ import annotations

import os
import re
import time

import orjson

from ..errors import BadRequest, NotFound, cut
from .catalog_args import ENV_CATALOGS, emit_json, table
from .config import extension_app

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def add_parser(nouns) -> None:
    task = nouns.add_parser("task", help="training tasks: a catalog module's train() on a dataset, as a job")
    verbs = task.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("create", help="save a training task (a draft; --start runs it); prints its id")
    p.add_argument("name")
    p.add_argument("--module", required=True, metavar="OWNER/NAME[@VERSION]", help="a catalog module with train()")
    p.add_argument("--dataset", required=True, metavar="OWNER/NAME", help="an online catalog dataset")
    p.add_argument("--split", metavar="dataset|independent|RATIO",
                   help="the dataset's own train share, its independent test set, or a train share "
                        "0 < RATIO <= 1 (default: the first the module and dataset allow)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a train() parameter, typed by the module's spec (repeatable; lists as JSON: [1,2])")
    p.add_argument("--backend")
    p.add_argument("--machine")
    p.add_argument("--max-run-time", metavar="TIME", help="stop the job after this long: 90, 90s, 30m, 2h, 1d")
    p.add_argument("--description", metavar="TEXT")
    p.add_argument("--folder", metavar="DIR", help="a folder of the project; the task's folder is made in its "
                                                   "project folder as tasks/<name> (default: the root)")
    p.add_argument("--purpose")
    p.add_argument("--start", action="store_true", help="start it at once")
    p.add_argument("--wait", action="store_true", help="with --start: wait for the job; exit with its exit code")
    p.add_argument("--json", action="store_true", help="print the task as JSON")
    _catalog_options(p)
    p.set_defaults(func=cmd_create)

    p = verbs.add_parser("start", help="start a task (a new job of its train.py); prints the job id")
    p.add_argument("id")
    p.add_argument("--wait", action="store_true", help="wait for the job; exit with its exit code")
    p.add_argument("--json", action="store_true", help="print the task as JSON")
    _catalog_options(p)
    p.set_defaults(func=cmd_start)

    p = verbs.add_parser("list", help="the project's training tasks, newest first")
    p.add_argument("--json", action="store_true", help="print JSON")
    _catalog_options(p)
    p.set_defaults(func=cmd_list)

    p = verbs.add_parser("show", help="one task")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print JSON")
    _catalog_options(p)
    p.set_defaults(func=cmd_show)

    p = verbs.add_parser("delete", help="delete a task's record (its folder stays unless --files)")
    p.add_argument("id")
    p.add_argument("--files", action="store_true", help="delete the task's folder too")
    _catalog_options(p)
    p.set_defaults(func=cmd_delete)


def _catalog_options(p) -> None:
    p.add_argument("--catalog", action="append", metavar="DIR",
                   help=f"a catalog folder, repeatable (default: ${ENV_CATALOGS}, else the server's configured ones)")
    p.add_argument("--owner", help="your owner name in the catalogs (default: the server's, else the OS user name)")


def service(args):
    """The tasks service on the server's configuration: its job backends and, unless --catalog or
    $MO_CATALOGS says otherwise, its catalogs."""
    from ..catalog.service import CatalogService
    from ..tasks import TaskService

    app = extension_app(args)
    jobs = app.make_job_service()
    paths = args.catalog or [p for p in os.environ.get(ENV_CATALOGS, "").split(os.pathsep) if p]
    if paths:
        catalog = CatalogService(args.root, paths, owner=args.owner, rescan_seconds=float("inf"))
    else:
        if args.owner:
            app.catalog_owner = args.owner
        app.catalog_rescan_seconds = float("inf")
        catalog = app.make_catalog_service()
    return TaskService(jobs.root, jobs, catalog)


def parse_duration(text: str) -> int:
    found = re.fullmatch(r"\s*(\d{1,9})\s*([smhd]?)\s*", text or "")
    if not found:
        raise BadRequest(f"--max-run-time takes a time like 90, 90s, 30m, 2h or 1d, got '{cut(text, 40)}'")
    return int(found.group(1)) * UNITS[found.group(2) or "s"]


def parse_split(text: str | None) -> dict | None:
    if text is None:
        return None
    if text in ("dataset", "independent"):
        return {"kind": text}
    try:
        return {"kind": "ratio", "ratio": float(text)}
    except ValueError:
        raise BadRequest(f"--split takes dataset, independent or a ratio like 0.8, got '{cut(text, 40)}'") from None


def _typed(value: str, schema: dict, key: str):
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return value.lower() in ("true", "1", "yes")
        if kind == "array":
            return orjson.loads(value)
    except (ValueError, orjson.JSONDecodeError):
        raise BadRequest(f"--param {key}: '{cut(value, 40)}' is not a{'n' if kind in ('integer', 'array') else ''} "
                         f"{kind}") from None
    return value


def parse_params(items: list[str], schema: dict) -> dict:
    """``KEY=VALUE`` items typed by the module's params schema (unknown keys are left as text: the
    service names them)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise BadRequest(f"--param takes KEY=VALUE, got '{cut(item, 40)}'")
        out[key] = _typed(value, schema.get("properties", {}).get(key, {}), key)
    return out


def resolve_id(svc, given: str) -> str:
    """A task id, or a unique prefix of one (of its part after 'task-' too)."""
    ids = svc.store.ids()
    if given in ids:
        return given
    matches = [i for i in ids if i.startswith(given) or i.startswith(f"task-{given}")]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no task '{cut(given, 80)}'")
    raise BadRequest(f"'{cut(given, 80)}' matches {len(matches)} tasks; give more of the id")


def _await(svc, view: dict) -> int:
    from .job_cmd import _await_end

    job = view["last_job"]
    return _await_end(svc.jobs, job, False)


def _print_view(view: dict) -> None:
    split = view["split"]
    job = view.get("last_job") or {}
    rows = [("id", view["id"]), ("name", view["name"]), ("state", view["state"]), ("folder", view["folder"]),
            ("module", f"{view['module']['id']} {view['module']['version']}"),
            ("dataset", f"{view['dataset']['id']} {view['dataset'].get('version') or ''}".rstrip()),
            ("split", split["kind"] + (f" {split['ratio']}" if "ratio" in split else "")),
            ("params", orjson.dumps(view.get("params", {})).decode()),
            ("machine", f"{view['backend']} / {view['machine']}"
             + (f", at most {view['max_run_seconds']} s" if view.get("max_run_seconds") else "")),
            ("description", view.get("description") or "-"),
            ("created", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(view["created"]))),
            ("jobs", ", ".join(view.get("jobs", [])) or "-"),
            ("last job", f"{job['id']} {job['state']}" if job else "-")]
    for key, value in rows:
        print(f"{key:12} {value}")


def cmd_create(args) -> int:
    svc = service(args)
    schema = svc.form(args.module)["params_schema"]
    body = {"name": args.name, "module": args.module, "dataset": args.dataset,
            "params": parse_params(args.param, schema)}
    for key, value in (("split", parse_split(args.split)), ("backend", args.backend), ("machine", args.machine),
                       ("description", args.description), ("purpose", args.purpose),
                       ("max_run_seconds", parse_duration(args.max_run_time) if args.max_run_time else None)):
        if value is not None:
            body[key] = value
    if args.folder is not None:
        from .job_cmd import project_relative

        body["folder"] = project_relative(args.folder, svc.root)
    if args.wait and not args.start:
        raise BadRequest("--wait goes with --start")
    view = svc.create({**body, "start": bool(args.start)})
    return _after(svc, view, args)


def _after(svc, view: dict, args) -> int:
    if args.json:
        emit_json(view)
    elif view.get("last_job"):
        print(f"{view['id']} {view['folder']} job {view['last_job']['id']}", flush=True)
    else:
        print(f"{view['id']} {view['folder']}", flush=True)
    return _await(svc, view) if getattr(args, "wait", False) and view.get("last_job") else 0


def cmd_start(args) -> int:
    svc = service(args)
    return _after(svc, svc.start(resolve_id(svc, args.id)), args)


def cmd_list(args) -> int:
    tasks = service(args).list()
    if args.json:
        emit_json({"tasks": tasks})
        return 0
    if not tasks:
        print("no training tasks yet (make one with 'jupyter mo task create NAME --module OWNER/NAME "
              "--dataset OWNER/NAME')")
        return 0
    table([[t["id"], t["state"], (t.get("last_job") or {}).get("state", "-"), t["name"], t["module"]["id"],
            t["dataset"]["id"], t["folder"]] for t in tasks],
          ["ID", "STATE", "LAST JOB", "NAME", "MODULE", "DATASET", "FOLDER"])
    return 0


def cmd_show(args) -> int:
    svc = service(args)
    view = svc.get(resolve_id(svc, args.id))
    if args.json:
        emit_json(view)
    else:
        _print_view(view)
    return 0


def cmd_delete(args) -> int:
    svc = service(args)
    task_id = resolve_id(svc, args.id)
    svc.delete(task_id, files=args.files)
    print(f"deleted {task_id}" + (" and its folder" if args.files else ""))
    return 0
