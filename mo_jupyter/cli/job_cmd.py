"""``jupyter mo job run|rerun|list|show|logs|metrics|stop|plot|compare|delete``"""

from __future__ import annotations

import csv
import os
import signal
import sys
import time
from pathlib import Path

import orjson

from ..errors import BadRequest, NotFound
from ..jobs.records import ACTIVE, list_job_ids
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..jobs.service import JobService
from .config import job_service


def add_parser(nouns) -> None:
    job = nouns.add_parser("job", help="run and inspect training jobs")
    verbs = job.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("run", help="run a .py or .ipynb as a job; prints its id")
    p.add_argument("path")
    p.add_argument("--name")
    p.add_argument("--machine", default="cpu", help="cpu (default) or gpu")
    p.add_argument("--backend")
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--description", metavar="TEXT", help="what the job is for (shown with it)")
    p.add_argument("--max-run-time", type=int, metavar="SECONDS",
                   help="stop the job (reason 'time limit') when it has run this long")
    p.add_argument("--no-recognize", action="store_true",
                   help="chart only Mo's JSON metric lines, not what frameworks print or TensorBoard files")
    p.add_argument("--wait", action="store_true", help="wait for the end; exit with the job's exit code")
    p.add_argument("--follow", action="store_true", help="print the output as it comes (implies --wait)")
    p.add_argument("args", nargs="*", help="arguments for the script, after --")
    p.set_defaults(func=cmd_run)

    p = verbs.add_parser("rerun", help="run a job again (same file, args, env, machine...); prints the new id")
    p.add_argument("id")
    p.add_argument("--wait", action="store_true", help="wait for the end; exit with the job's exit code")
    p.set_defaults(func=cmd_rerun)

    verbs.add_parser("list", help="the project's jobs, newest first").set_defaults(func=cmd_list)
    for name, func, helptext in (
        ("show", cmd_show, "one job's record"),
        ("stop", cmd_stop, "stop a job (queued or running)"),
        ("delete", cmd_delete, "delete a finished job and its output"),
    ):
        p = verbs.add_parser(name, help=helptext)
        p.add_argument("id")
        p.set_defaults(func=func)
    p = verbs.add_parser("logs", help="a job's output")
    p.add_argument("id")
    p.add_argument("--follow", "-f", action="store_true")
    p.set_defaults(func=cmd_logs)
    p = verbs.add_parser("metrics", help="a job's metrics")
    p.add_argument("id")
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.set_defaults(func=cmd_metrics)
    p = verbs.add_parser("plot", help="a PNG chart of a job's metrics, one panel per metric")
    p.add_argument("id")
    p.add_argument("--out", required=True)
    p.add_argument("--x", choices=("time", "step", "epoch"), default="time")
    p.set_defaults(func=cmd_plot)
    p = verbs.add_parser("compare", help="compare jobs: their parameters against each metric's last and best value")
    p.add_argument("ids", nargs="+", metavar="ID", help="two or more job ids (or unique prefixes)")
    p.add_argument("--out", metavar="FILE", help="write compare.csv (the table) or compare.png (the charts)")
    p.add_argument("--x", choices=("auto", "time", "step", "epoch"), default="auto",
                   help="the charts' x axis (auto: step or epoch when every point has it, as in JupyterLab)")
    p.add_argument("--json", action="store_true", help="the table as JSON")
    p.set_defaults(func=cmd_compare)


def project_relative(path: str, root) -> str:
    """A path as typed: relative to the current directory if it exists there, else to the root."""
    if os.path.isabs(path) or os.path.exists(path):
        return os.path.relpath(os.path.abspath(path), os.path.realpath(root))
    return path


def service(args) -> JobService:
    return job_service(args)


def resolve_id(svc: JobService, given: str) -> str:
    """An id, or a unique prefix of one."""
    ids = list_job_ids(svc.jobs_dir)
    if given in ids:
        return given
    matches = [i for i in ids if i.startswith(given)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no job '{given}'")
    raise BadRequest(f"'{given}' matches {len(matches)} jobs; give more of the id")


def exit_code_of(record: dict) -> int:
    code = record.get("exit_code")
    if record["state"] == "completed":
        return 0
    if code is None:
        return 1
    return 128 - code if code < 0 else (code or 1)


def _fmt_duration(record: dict) -> str:
    start = record.get("started")
    if not start:
        return "-"
    seconds = (record.get("ended") or time.time()) - start
    return f"{seconds:.1f}s" if seconds < 60 else f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def _fmt_bytes(n) -> str:
    if not n:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def follow_output(svc: JobService, job_id: str, out=sys.stdout.buffer) -> dict:
    offset = 0
    while True:
        chunk = svc.read_log(job_id, offset)
        if chunk["text"]:
            out.write(chunk["text"].encode())
            out.flush()
        if chunk["next_offset"] == offset and chunk["complete"]:
            return svc.get(job_id)
        if chunk["next_offset"] == offset:
            time.sleep(0.1)
        offset = chunk["next_offset"]


def wait_with_progress(svc: JobService, job_id: str) -> dict:
    tty = sys.stderr.isatty()
    last_state = None
    while True:
        record = svc.get(job_id)
        state = record["state"]
        if tty:
            print(f"\r{state} {_fmt_duration(record)}   ", end="", file=sys.stderr, flush=True)
        elif state != last_state:
            print(f"{job_id}: {state}", file=sys.stderr, flush=True)
        last_state = state
        if state not in ACTIVE:
            if tty:
                print(file=sys.stderr)
            return record
        time.sleep(0.05)  # a status read is cheap; the user waits for the end, not for the poll


def ending(record: dict) -> str:
    """How a job that did not complete ended, in one line: ``ID: failed: KeyError: 'test'
    (failing.py:6); exited with code 1``."""
    line = f"{record['id']}: {record['state']}"
    reason, code = record.get("reason"), record.get("exit_code")
    if reason:
        line += f": {reason}"
    if code is not None and code > 0 and (not reason or f"code {code}" not in reason):
        line += f"{';' if reason else ':'} exited with code {code}"
    return line


def cmd_run(args) -> int:
    svc = service(args)
    env = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep:
            raise BadRequest(f"--env takes KEY=VALUE, got '{item[:40]}'")
        env[key] = value
    script_args = args.args
    rel = project_relative(args.path, svc.root)
    request = {"path": rel, "args": script_args, "env": env, "machine": args.machine}
    if args.name:
        request["name"] = args.name
    if args.backend:
        request["backend"] = args.backend
    if args.description is not None:
        request["description"] = args.description
    if args.max_run_time is not None:
        request["max_run_seconds"] = args.max_run_time
    if args.no_recognize:
        request["recognize"] = False
    record = svc.create(request)
    print(record["id"], flush=True)
    if not (args.wait or args.follow):
        return 0
    return _await_end(svc, record, args.follow)


def cmd_rerun(args) -> int:
    svc = service(args)
    record = svc.rerun(resolve_id(svc, args.id))
    print(record["id"], flush=True)
    return _await_end(svc, record, False) if args.wait else 0


def _await_end(svc: JobService, record: dict, follow: bool) -> int:
    def stop_on_signal(signum, frame):  # Ctrl-C while waiting stops the job, then reports it
        svc.stop(record["id"])
        print(f"\nstopping {record['id']}...", file=sys.stderr, flush=True)

    signal.signal(signal.SIGINT, stop_on_signal)
    final = follow_output(svc, record["id"]) if follow else wait_with_progress(svc, record["id"])
    if final["state"] != "completed":
        print(ending(final), file=sys.stderr)
    return exit_code_of(final)


def cmd_list(args) -> int:
    jobs = service(args).list()
    if not jobs:
        print("no jobs yet (start one with 'jupyter mo job run SCRIPT.py')")
        return 0
    print(f"{'ID':24} {'STATE':10} {'TIME':>8}  {'NAME':20} PATH")
    for j in jobs:
        print(f"{j['id']:24} {j['state']:10} {_fmt_duration(j):>8}  {j.get('name', '')[:20]:20} {j.get('path', '')}")
    return 0


def cmd_show(args) -> int:
    svc = service(args)
    record = svc.get(resolve_id(svc, args.id))
    width = max(len(k) for k in record)
    for key, value in record.items():
        if key in ("peak_memory", "memory"):
            value = _fmt_bytes(value)
        elif key in ("created", "started", "ended") and value:
            value = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value))
        elif isinstance(value, (list, dict)):
            value = orjson.dumps(value).decode()
        print(f"{key:{width}}  {'-' if value is None else value}")
    return 0


def cmd_stop(args) -> int:
    svc = service(args)
    job_id = resolve_id(svc, args.id)
    record = svc.stop(job_id)
    if record["state"] in ACTIVE:
        record = svc.wait(job_id, timeout=svc.grace_seconds + 10)
    print(f"{job_id}: {record['state']}")
    return 0


def cmd_delete(args) -> int:
    svc = service(args)
    job_id = resolve_id(svc, args.id)
    svc.delete(job_id)
    print(f"deleted {job_id}")
    return 0


def cmd_logs(args) -> int:
    svc = service(args)
    job_id = resolve_id(svc, args.id)
    if args.follow:
        follow_output(svc, job_id)
        return 0
    offset = 0
    while True:
        chunk = svc.read_log(job_id, offset)
        sys.stdout.write(chunk["text"])
        if chunk["next_offset"] == offset:
            return 0
        offset = chunk["next_offset"]


def cmd_metrics(args) -> int:
    svc = service(args)
    metrics = svc.metrics(resolve_id(svc, args.id))
    if args.format == "json":
        sys.stdout.write(orjson.dumps({"metrics": metrics}, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    writer = csv.writer(sys.stdout)
    writer.writerow(["metric", "value", "step", "epoch", "time"])
    for m in metrics:
        value = m.get("nonfinite", m.get("value"))
        if isinstance(value, (list, dict, bool)) or value is None:
            value = orjson.dumps(value).decode()
        writer.writerow([m["metric"], value, m.get("step", ""), m.get("epoch", ""), m["time"]])
    return 0


def cmd_plot(args) -> int:
    from ..jobs.plot import plot_metrics

    svc = service(args)
    job_id = resolve_id(svc, args.id)
    record = svc.get(job_id)
    panels = plot_metrics(svc.metrics(job_id), Path(args.out), args.x, title=f"{record['name']} ({job_id})")
    print(f"wrote {args.out} ({panels} panel{'s' if panels != 1 else ''})")
    return 0


def cmd_compare(args) -> int:
    from ..jobs import compare, plot

    ids = list(dict.fromkeys(args.ids))
    if len(ids) < 2:
        raise BadRequest("compare needs two or more different jobs")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".png"):
        raise BadRequest(f"--out takes a .csv or a .png file, got '{args.out}'")
    svc = service(args)
    jobs = [svc.get(resolve_id(svc, given)) for given in ids]
    metrics = {job["id"]: svc.metrics(job["id"]) for job in jobs}
    table = compare.compare_table(jobs, metrics)
    if out is not None and out.suffix.lower() == ".png":
        runs = [(f"{job.get('name') or job['id']} ({job['id']})", metrics[job["id"]]) for job in jobs]
        x_axis = plot.auto_x_axis(list(metrics.values())) if args.x == "auto" else args.x
        panels = plot.plot_compare(runs, out, x_axis, title=f"{len(jobs)} jobs")
        print(f"wrote {args.out} ({panels} panel{'s' if panels != 1 else ''}, x axis {x_axis})",
              file=sys.stderr if args.json else sys.stdout)
    elif out is not None:
        with open(out, "w", newline="", encoding="utf-8") as f:
            compare.write_csv(table, f)
        print(f"wrote {args.out} ({len(jobs)} jobs, {len(table['columns'])} columns)",
              file=sys.stderr if args.json else sys.stdout)
    if args.json:
        sys.stdout.write(orjson.dumps(compare.json_safe(table), option=orjson.OPT_INDENT_2).decode() + "\n")
    elif out is None:
        sys.stdout.write(compare.text_table(table))
    return 0
