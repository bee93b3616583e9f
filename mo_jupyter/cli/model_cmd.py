"""``jupyter mo model list | show | register | delete | download | deploy | publish``"""

from __future__ import annotations

import os
import shutil
import time

from ..errors import BadRequest, NotFound, cut
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models.service import ModelService
from .catalog_args import add_catalog_options, emit_json, human_size, table
from .catalog_args import service as catalog_service
from .config import job_service, service_manager
from .job_cmd import project_relative


def add_parser(nouns) -> None:
    model = nouns.add_parser("model", help="model records: what jobs trained, with their lineage")
    verbs = model.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("list", help="the models and their versions, newest first")
    p.add_argument("--search", "-q", default="", metavar="WORDS", help="only models whose name, description, "
                   "framework, module or job name holds every word")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = verbs.add_parser("show", help="one version's record and lineage (the newest when no version is given)")
    p.add_argument("ref", metavar="NAME[:VERSION]")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = verbs.add_parser("register", help="a file or folder of the project as a new version of a model")
    p.add_argument("path")
    p.add_argument("--name", help="the model's name (default: the file's stem)")
    p.add_argument("--description", default="", metavar="TEXT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_register)

    p = verbs.add_parser("delete", help="delete one version (refused while a service serves it)")
    p.add_argument("ref", metavar="NAME:VERSION")
    p.set_defaults(func=cmd_delete)

    p = verbs.add_parser("download", help="the version's files as one zip")
    p.add_argument("ref", metavar="NAME:VERSION")
    p.add_argument("--out", metavar="FILE.zip", help="default: NAME-VERSION.zip in the current directory")
    p.set_defaults(func=cmd_download)

    p = verbs.add_parser("deploy", help="serve a version with its module's predict() (a model trained from a "
                                         "catalog module; no handle to write)")
    p.add_argument("ref", metavar="NAME:VERSION")
    p.add_argument("--name", help="the service's name (default: NAME-vVERSION)")
    p.add_argument("--backend", default="local")
    p.add_argument("--machine", default="cpu")
    add_catalog_options(p)
    p.set_defaults(func=cmd_deploy)

    p = verbs.add_parser("publish", help="the next version of my module of that name, carrying these weights "
                                          "(发布到共享中心)")
    p.add_argument("ref", metavar="NAME:VERSION")
    p.add_argument("--public", action="store_true", help="others may see and insert it (default: private)")
    add_catalog_options(p)
    p.set_defaults(func=cmd_publish)


def service(args) -> ModelService:
    from ..models.service import ModelService

    jobs = job_service(args)
    return ModelService(jobs.root, jobs)


def _versioned(svc: ModelService, ref: str, need_version: bool) -> tuple[str, int]:
    from ..models.records import parse_ref

    name, version = parse_ref(ref)
    if version is None:
        if need_version:
            raise BadRequest(f"give the version too: {name}:VERSION")
        versions = svc.store.versions(name)
        if not versions:
            raise NotFound(f"no model '{cut(name, 100)}'")
        version = versions[0]
    return name, version


def _when(t) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t)) if isinstance(t, (int, float)) else "-"


def cmd_list(args) -> int:
    models = service(args).list(args.search)["models"]
    if args.json:
        emit_json(models)
        return 0
    rows = []
    for model in models:
        for v in model["versions"]:
            job = (v["lineage"].get("job") or {}).get("id") or "-"
            rows.append([v["id"], v["framework"], human_size(v["size"]), _when(v["created"]), v["source"], job,
                         ", ".join(v["services"]) or "-"])
    table(rows, ["MODEL", "FRAMEWORK", "SIZE", "CREATED", "SOURCE", "JOB", "SERVICES"])
    return 0


def _show(record: dict) -> None:
    lineage = record["lineage"]
    print(f"{record['id']}  {record['framework']}  {human_size(record['size'])}  created {_when(record['created'])}"
          f"  ({record['source']})")
    if record.get("description"):
        print(f"  {record['description']}")
    job = lineage.get("job")
    if job:
        print(f"job:      {job['id']} {job.get('name') or ''} ({job.get('state') or '?'}, {job.get('backend') or '?'}"
              f"/{job.get('machine') or '?'})")
        print(f"code:     {job.get('path') or '-'}  sha256 {job.get('code_sha256') or '-'}")
        if job.get("args"):
            print(f"args:     {' '.join(job['args'])}")
        if job.get("env_keys"):
            print(f"env:      {', '.join(job['env_keys'])} (values not kept)")
    if lineage.get("task"):
        print(f"task:     {lineage['task']['id']} {lineage['task'].get('name') or ''}")
    if lineage.get("module"):
        print(f"module:   {lineage['module']['id']} {lineage['module'].get('version') or ''}")
    for ds in lineage.get("datasets") or []:
        print(f"dataset:  {ds['id']} {ds.get('version') or ''}")
    for name, m in (lineage.get("metrics") or {}).items():
        print(f"metric:   {name}: last {m.get('last')}, best {m.get('best')} ({m.get('steps')} values)")
    for f in record["files"]:
        print(f"file:     {f['path']}  {human_size(f['size'])}  sha256 {f['sha256']}")
    if record.get("services"):
        print(f"services: {', '.join(record['services'])}")


def cmd_show(args) -> int:
    svc = service(args)
    svc.reconcile()
    record = svc.get(*_versioned(svc, args.ref, False))
    emit_json(record) if args.json else _show(record)
    return 0


def cmd_register(args) -> int:
    svc = service(args)
    record = svc.register_path(project_relative(args.path, svc.root), args.name, args.description)
    if args.json:
        emit_json(record)
    else:
        print(record["id"])
    return 0


def cmd_delete(args) -> int:
    svc = service(args)
    name, version = _versioned(svc, args.ref, True)
    svc.delete(name, version)
    print(f"deleted {name}:{version}")
    return 0


def cmd_download(args) -> int:
    svc = service(args)
    name, version = _versioned(svc, args.ref, True)
    filename, archive = svc.zip(name, version)
    out = args.out or filename
    tmp = f"{out}.part"
    try:
        with archive, open(tmp, "wb") as f:
            shutil.copyfileobj(archive, f, 1024 * 1024)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(out)
    return 0


def cmd_deploy(args) -> int:
    from ..models import actions
    from .service_cmd import _show as show_service, _wait_started

    svc = service(args)
    mgr = service_manager(args)
    name, version = _versioned(svc, args.ref, True)
    view = actions.deploy(svc, catalog_service(args), mgr, name, version, args.name, args.backend, args.machine)
    view = _wait_started(mgr, view)
    emit_json(view) if args.json else show_service(view)
    return 0 if view["state"] in ("running", "stopped") else 1


def cmd_publish(args) -> int:
    from ..models import actions

    svc = service(args)
    name, version = _versioned(svc, args.ref, True)
    module = actions.publish(svc, catalog_service(args), name, version, "public" if args.public else "private")
    emit_json(module) if args.json else print(f"published {module['id']} {module['version']}")
    return 0
