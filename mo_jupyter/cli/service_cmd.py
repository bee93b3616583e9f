"""``jupyter mo service list|start|stop|scale|key|logs|delete`` and ``jupyter mo deploy``: deployed
apps, managed from a shell on the same records the Services API uses."""

from __future__ import annotations

import sys
import time

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..services.manager import ServiceManager
from .catalog_args import emit_json, table
from .config import service_manager
from .job_cmd import project_relative


def add_parser(nouns) -> None:
    p = nouns.add_parser("deploy", help="deploy handler.py + app_spec.yml of a folder as a service")
    p.add_argument("folder", nargs="?", default="", help="the folder holding them (default: the root)")
    p.add_argument("--name", help="the service name (default: the folder's)")
    p.add_argument("--version", choices=("dev", "prod"), default="dev")
    p.add_argument("--file", action="append", default=[], dest="files", metavar="PATH",
                   help="a file or folder to deploy with the app (repeatable), e.g. results/my_model.keras")
    p.add_argument("--backend", default="local",
                   help="local (default), docker or swarm: the ones the server's config enables")
    p.add_argument("--replicas", type=int, default=1)
    p.add_argument("--machine", default="cpu", help="the machine type on docker or swarm (default cpu)")
    guard = p.add_mutually_exclusive_group()
    guard.add_argument("--protect", dest="protected", action="store_true", default=None,
                       help="the app asks for the service's key (header X-Mo-Key) on /api/run, /api/spec, /openapi.json")
    guard.add_argument("--unprotect", dest="protected", action="store_false",
                       help="the app answers without the key (default for a new service; a redeploy keeps the setting)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_deploy)

    svc = nouns.add_parser("service", help="list, start, stop, scale, read logs of, delete deployed apps")
    verbs = svc.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("list", help="the project's services")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    for verb, func, helptext in (("start", cmd_start, "start a stopped service (1 replica unless --replicas)"),
                                 ("stop", cmd_stop, "stop a service (0 replicas; its address is kept)"),
                                 ("delete", cmd_delete, "stop and remove a service")):
        p = verbs.add_parser(verb, help=helptext)
        p.add_argument("id", help="NAME-dev or NAME-prod")
        if verb == "start":
            p.add_argument("--replicas", type=int, help="default: as many as before the stop (else 1)")
        p.set_defaults(func=func)
    p = verbs.add_parser("scale", help="set the number of replicas")
    p.add_argument("id")
    p.add_argument("replicas", type=int)
    p.set_defaults(func=cmd_scale)
    p = verbs.add_parser("key", help="show a service's access key; ask for it or not; make a new one")
    p.add_argument("id")
    guard = p.add_mutually_exclusive_group()
    guard.add_argument("--protect", dest="protected", action="store_true", default=None,
                       help="the app asks for the key (its replicas restart)")
    guard.add_argument("--unprotect", dest="protected", action="store_false", help="the app answers without it")
    p.add_argument("--rotate", action="store_true", help="a new key: the old one stops working")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_key)
    p = verbs.add_parser("logs", help="a service's output")
    p.add_argument("id")
    p.add_argument("--tail", type=int, metavar="BYTES", help="only the last BYTES bytes")
    p.set_defaults(func=cmd_logs)


def _show(view: dict) -> None:
    extra = f" ({view['reason']})" if view.get("reason") else ""
    print(f"{view['id']}: {view['state']}{extra}, {view['running_replicas']}/{view['replicas']} replica(s), "
          f"{view['backend']}, {view['url']}" + (" (key required)" if view.get("protected") else ""))
    for t in view.get("trained_by") or []:
        print(f"  {t['file']}: written by job {t['name']} ({t['job']})")


def _wait_started(mgr: ServiceManager, view: dict, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while view["state"] == "starting" and time.monotonic() < deadline:
        time.sleep(0.2)
        view = mgr.get(view["id"])
    return view


def cmd_deploy(args) -> int:
    mgr = service_manager(args)
    folder = project_relative(args.folder, args.root) if args.folder else ""
    view = mgr.deploy(folder, args.name, args.version, args.files, args.backend, args.replicas, args.machine,
                      args.protected)
    view = _wait_started(mgr, view)
    if args.json:
        emit_json(view)
    else:
        _show(view)
    return 0 if view["state"] in ("running", "stopped") else 1


def cmd_list(args) -> int:
    views = service_manager(args).list()
    if args.json:
        emit_json(views)
        return 0
    table([[v["id"], v["state"], f"{v['running_replicas']}/{v['replicas']}", v["backend"], v["url"]] for v in views],
          ["SERVICE", "STATE", "REPLICAS", "BACKEND", "URL"])
    return 0


def _scale(args, replicas: int) -> int:
    mgr = service_manager(args)
    view = _wait_started(mgr, mgr.scale(args.id, replicas))
    _show(view)
    return 0 if view["state"] in ("running", "stopped") else 1


def cmd_start(args) -> int:
    if args.replicas is None:  # a running service stays as it is; a stopped one gets its count back
        view = service_manager(args).get(args.id)
        args.replicas = view["replicas"] or view.get("last_replicas") or 1
    return _scale(args, args.replicas)


def cmd_stop(args) -> int:
    return _scale(args, 0)


def cmd_scale(args) -> int:
    return _scale(args, args.replicas)


def cmd_delete(args) -> int:
    service_manager(args).delete(args.id)
    print(f"deleted {args.id}")
    return 0


def cmd_key(args) -> int:
    mgr = service_manager(args)
    if args.protected is None and not args.rotate:
        view = mgr.get(args.id)
    else:
        view = _wait_started(mgr, mgr.set_key(args.id, args.protected, args.rotate))
    view = {**view, **mgr.key(args.id)}  # the owner's shell: views never carry the key
    if args.json:
        emit_json({k: view.get(k) for k in ("id", "key", "protected", "state")})
        return 0
    asked = "asked for" if view.get("protected") else "not asked for (--protect to ask for it)"
    print(f"{view['id']}: key {view.get('key')} ({asked}); send it as the header X-Mo-Key")
    return 0


def cmd_logs(args) -> int:
    mgr = service_manager(args)
    if args.tail is not None:
        sys.stdout.write(mgr.logs(args.id, tail=args.tail)["text"])
        return 0
    offset = 0
    while True:  # the whole log, a MiB at a time
        part = mgr.logs(args.id, offset=offset)
        sys.stdout.write(part["text"])
        if part["next_offset"] >= part["size"] or part["next_offset"] == offset:
            return 0
        offset = part["next_offset"]
