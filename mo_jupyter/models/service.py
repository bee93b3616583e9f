"""The models service: register (by hand, or from a job that ended ``completed``), list and search,
read, delete, zip. Plain Python, blocking: the server calls it from a thread, the CLI directly.

Auto-registration is a *reconcile pass* (``reconcile``), run before every list and once when the
server builds the service: every job that has ended and has no mark under ``<models>/.jobs/`` is
looked at once; a completed one registers what it wrote (its task's ``model_paths``, else the files
under ``<cwd>/results/`` modified while it ran) as a new version, and the mark (with what was
registered, or why nothing was) makes it happen once per job, whoever runs the pass (a server, the
CLI, a second server: the pass holds the models folder's lock). So a job that ended while no server
ran is registered too, and the job's own end is never delayed by a copy."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import orjson

from .. import schemas
from ..atomic import write_atomic
from ..errors import BadRequest, Conflict, MoError, NotFound, cut
from ..jobs.records import ACTIVE, ID_RE, list_job_ids
from ..loaders import load_json_file
from .files import Limits, Source, build_zip, copy_files, locate, sources
from .lineage import empty_lineage, job_lineage, module_name, scrub
from .records import LOCK, Store, check_name, check_record, detect_framework, lock_fd, make_name, parse_version
from .series import read_series, write_series
from .usage import services_by_model

log = logging.getLogger("mo_jupyter.models")

SEEN = ".jobs"  # <models>/.jobs/<job id>.json: the job was looked at (what it registered, or why not)
STAGING = ".staging-"
PASS_WAIT = 2.0  # seconds a pass waits for another one to end before it leaves the work to it
CLOCK_SLACK = 1.0  # seconds after a job's end that a file's mtime may fall in (coarse clocks)


class ModelService:
    def __init__(self, root: Path | str, jobs=None, folder: str = ".mo/models", limits: Limits = Limits()):
        self.root = Path(os.path.realpath(root))
        self.store = Store(Path(folder) if os.path.isabs(folder) else self.root / folder)
        self.jobs = jobs  # a JobService of the same project (None: no auto-registration)
        self.limits = limits

    @property
    def folder(self) -> Path:
        return self.store.folder

    # ---- read ---------------------------------------------------------------------------------
    def list(self, q: str = "", reconcile: bool = True) -> dict:
        """``{"models": [{"name", "versions": [record...]}]}``, versions newest first, the most
        recently registered model first; ``q``: every word in the name, description, framework,
        module or job name."""
        if reconcile:
            self.reconcile()
        words = [w.lower() for w in (q or "").split()][:20]
        using = services_by_model(self.root)
        groups: dict[str, list[dict]] = {}
        for record in self.store.iter_records():
            if words and not _matches(record, words):
                continue
            groups.setdefault(record["name"], []).append(self._view(record, using))
        models = [{"name": name, "versions": versions} for name, versions in groups.items()]
        models.sort(key=lambda m: max(v["created"] for v in m["versions"]), reverse=True)
        return {"models": models}

    def get(self, name: str, version) -> dict:
        return self._view(self._read(name, version), services_by_model(self.root))

    def _read(self, name: str, version) -> dict:
        version = parse_version(version)
        try:
            check_name(name)
        except BadRequest:
            raise NotFound(f"no model '{cut(name, 100)}'") from None
        try:
            return self.store.read(name, version)
        except NotFound:
            raise
        except (MoError, OSError) as exc:  # a hostile or broken record: not a model we can serve
            log.warning("mo_jupyter: model record %s:%s unreadable: %s", cut(name, 100), version, cut(exc, 300))
            raise NotFound(f"model '{cut(name, 100)}:{version}' has an unreadable record") from None

    def _view(self, record: dict, using: dict) -> dict:
        """The record as answered: ``services`` from the services' records, and ``lineage.job.deleted``
        once the job that wrote it is gone (its recorded facts stay)."""
        view = {**record, "services": using.get(record["id"], [])}
        files_dir = self.store.files_dir(record["name"], record["version"])
        if files_dir.is_relative_to(self.root):  # where a task finds it to go on from (transfer training)
            view["files_dir"] = files_dir.relative_to(self.root).as_posix()
        job = record["lineage"].get("job")
        if isinstance(job, dict) and self.jobs is not None:
            exists = ID_RE.match(job["id"]) and (Path(self.jobs.jobs_dir) / job["id"] / "spec.json").is_file()
            view["lineage"] = {**record["lineage"], "job": {**job, "deleted": not exists}}
        return view

    def metrics(self, name: str, version) -> list[dict]:
        """The metric series of the job that wrote the version, as GET mo/api/jobs/<id>/metrics
        answered it when the model was registered ([] for a model registered by hand)."""
        record = self._read(name, version)
        return read_series(self.store.name_dir(record["name"]) / str(record["version"]))

    def zip(self, name: str, version) -> tuple[str, object]:
        """(a download name, an open temporary file of the zip of the version's files)."""
        record = self._read(name, version)
        files_dir = self.store.files_dir(record["name"], record["version"])
        try:
            return f"{record['name']}-{record['version']}.zip", build_zip(files_dir, record["files"])
        except FileNotFoundError:
            raise Conflict(f"the files of model {record['id']} are missing; delete this version") from None

    # ---- change -------------------------------------------------------------------------------
    def delete(self, name: str, version) -> None:
        record = self._read(name, version)
        services = services_by_model(self.root).get(record["id"], [])
        if services:
            raise Conflict(f"model {record['id']} is served by {', '.join(services)}: delete "
                           f"{'that service' if len(services) == 1 else 'those services'} first",
                           reason="in use")
        with self._name_lock(record["name"]):
            path = self.store.record_path(record["name"], record["version"])
            path.unlink(missing_ok=True)  # first: without its record, the version is gone at once
            shutil.rmtree(path.parent / str(record["version"]), ignore_errors=True)

    def register_path(self, path: str, name: Optional[str] = None, description: str = "") -> dict:
        """A file or folder of the project (not a link, not outside the root) as a new version."""
        request = {"path": path, **({"name": name} if name else {}),
                   **({"description": description} if description else {})}
        schemas.validate("model_request", request)
        items = sources(self.root, path, self.limits)
        target, _ = locate(self.root, path)
        name = name or make_name(target.stem if target.is_file() else target.name)
        record = self._register(name, items, "manual", empty_lineage(), description)
        return self._view(record, services_by_model(self.root))

    def _register(self, name: str, items: list[Source], source: str, lineage: dict, description: str,
                  series: Optional[list] = None) -> dict:
        check_name(name)
        folder = self.store.name_dir(name)
        self._real_folder(folder)
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=folder))
        try:
            entries = copy_files(items, staging / "files", self.limits)
            if series:
                write_series(staging, series)
            with self._name_lock(name):
                version = self.store.last_version(name) + 1
                record = scrub({
                    "name": name, "version": version, "id": f"{name}:{version}",
                    "framework": detect_framework(e["path"] for e in entries),
                    "files": entries, "size": sum(e["size"] for e in entries), "created": time.time(),
                    "source": source, "lineage": lineage, "services": [], "description": description or "",
                })
                check_record(record, name, version)  # before anything takes its place
                self.store.set_last_version(name, version)  # first: a crash never gives it out twice
                os.rename(staging, folder / str(version))
                self.store.write(record)
            return record
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def _real_folder(self, folder: Path) -> None:
        """Make ``folder`` (the models folder, a name's folder) unless it is there; refuse a link."""
        for each in (self.folder, folder):
            if each.is_symlink():
                raise Conflict(f"'{cut(each.name, 100)}' in the models folder is a link; remove it")
            each.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _name_lock(self, name: str) -> Iterator[None]:
        folder = self.store.name_dir(name)
        self._real_folder(folder)
        fd = lock_fd(folder / LOCK)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # ---- auto-registration --------------------------------------------------------------------
    def reconcile(self) -> list[str]:
        """Register what every ended, unseen job wrote; the ids of the new versions. Never raises
        for one job's trouble (it is logged and marked), nor when the models folder is unusable."""
        if self.jobs is None:
            return []
        try:
            ids = list_job_ids(self.jobs.jobs_dir)
            seen_dir = self.folder / SEEN
            todo = [i for i in ids if not os.path.lexists(seen_dir / f"{i}.json")]
            if not todo:
                return []
            self._real_folder(seen_dir)
            fd = lock_fd(self.folder / LOCK)
        except (OSError, MoError) as exc:
            log.warning("mo_jupyter: models not reconciled with jobs: %s", cut(exc, 300))
            return []
        added: list[str] = []
        try:
            if not _lock_within(fd, PASS_WAIT):  # one pass at a time, across servers and the CLI
                return []  # another pass is at work (copying a large model): it registers what is new
            registered = _Registered(self.store)
            for job_id in todo:
                if os.path.lexists(seen_dir / f"{job_id}.json"):
                    continue  # another pass did it meanwhile
                outcome = self._consider(job_id, registered)
                if outcome is not None:
                    added.extend(outcome.get("models", []))
                    write_atomic(seen_dir / f"{job_id}.json", orjson.dumps(outcome))
        except (OSError, MoError) as exc:
            log.warning("mo_jupyter: models not reconciled with jobs: %s", cut(exc, 300))
        finally:
            os.close(fd)
        return added

    def _consider(self, job_id: str, registered: "_Registered") -> Optional[dict]:
        """What one job gives: None while it has not ended (looked at again later), else its mark."""
        try:
            view = self.jobs.get(job_id)
        except MoError:
            return None  # deleted meanwhile
        state = view.get("state")
        if state in ACTIVE:
            return None
        if state != "completed":
            return {"state": state, "models": []}
        if registered.has(job_id):
            return {"state": state, "models": [], "note": "registered before"}
        try:
            record = self.register_job(job_id, view)
        except Exception as exc:  # one job's trouble (a file gone, a disk full, a bug) never stops the pass
            log.warning("mo_jupyter: the model of job %s was not registered: %s", job_id,
                        cut(getattr(exc, "message", exc), 300), exc_info=not isinstance(exc, (MoError, OSError)))
            return {"state": state, "models": [], "error": cut(getattr(exc, "message", exc), 300)}
        return {"state": state, "models": [record["id"]] if record else []}

    def register_job(self, job_id: str, view: Optional[dict] = None) -> Optional[dict]:
        """A new version of what job ``job_id`` wrote, with its lineage; None when it wrote none."""
        if not isinstance(job_id, str) or not ID_RE.match(job_id):
            raise NotFound(f"no job '{cut(job_id, 100)}'")
        view = view or self.jobs.get(job_id)
        cwd = self._job_cwd(job_id)
        if cwd is None:
            return None
        items = self._job_files(view, cwd)
        if not items:
            return None
        name = module_name(view)
        if name is None:
            primary = next((i for i in items if detect_framework([i.inner]) == detect_framework(
                [x.inner for x in items])), items[0])
            name = Path(primary.inner).stem
        try:
            metrics = self.jobs.metrics(job_id)
        except MoError:
            metrics = []
        lineage = job_lineage(self.root, view, metrics, cwd)
        description = view.get("description") if isinstance(view.get("description"), str) else ""
        return self._register(make_name(name), items, "job", lineage, cut(description, 2000), metrics)

    def _job_cwd(self, job_id: str) -> Optional[Path]:
        """The job's working directory (a real folder inside the root), from its spec."""
        try:
            cwd = self.jobs.job_dir(job_id).spec().get("cwd")
        except (OSError, ValueError, MoError):
            return None
        if not isinstance(cwd, str):
            return None
        try:
            path, _ = locate(self.root, cwd, "the job's folder") if cwd != str(self.root) else (self.root, ".")
        except MoError:
            return None
        return path if path.is_dir() else None

    def _job_files(self, view: dict, cwd: Path) -> list[Source]:
        task = view.get("task") if isinstance(view.get("task"), dict) else None
        paths = task.get("model_paths") if task else None
        items: list[Source] = []
        used: set[str] = set()
        if isinstance(paths, list) and paths:
            for given in paths[:50]:
                if not isinstance(given, str):
                    continue
                try:
                    found = sources(self.root, str(cwd / given), self.limits)
                except MoError as exc:
                    log.info("mo_jupyter: model file %s of job %s skipped: %s", cut(given, 200), view.get("id"),
                             exc.message)
                    continue
                for item in found:
                    inner = item.inner if item.inner not in used else os.path.relpath(item.path, cwd)
                    used.add(inner)
                    items.append(Source(item.path, Path(inner).as_posix(), item.rel))
            return items
        started, ended = view.get("started"), view.get("ended")
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in (started, ended)):
            return []
        results = cwd / "results"
        try:
            found = sources(self.root, str(results), self.limits)
        except MoError:
            return []
        out = []
        for item in found:
            try:
                mtime = item.path.lstat().st_mtime
            except OSError:
                continue
            if _written_during(mtime, started, ended):
                inner = item.path.relative_to(results).as_posix()
                out.append(Source(item.path, inner, item.rel))
        return out


class _Registered:
    """The job ids of the models' lineages, read (all records) only when first asked: the check that
    keeps a job from being registered twice when its mark was lost."""

    def __init__(self, store: Store):
        self.store, self.ids = store, None

    def has(self, job_id: str) -> bool:
        if self.ids is None:
            self.ids = {r["lineage"]["job"]["id"] for r in self.store.iter_records()
                        if isinstance(r["lineage"].get("job"), dict)}
        return job_id in self.ids


def _lock_within(fd: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def _written_during(mtime: float, started: float, ended: float) -> bool:
    """Whether a file modified at ``mtime`` was written by a job that ran from ``started`` to
    ``ended`` (the job's process starts after ``started`` is set: a file of the job before it is
    older). A file system that keeps whole seconds (mtime integral) is compared by whole seconds."""
    if mtime > ended + CLOCK_SLACK:
        return False
    return mtime >= started or (mtime.is_integer() and mtime >= int(started))


def _matches(record: dict, words: list[str]) -> bool:
    lineage = record.get("lineage") or {}
    module = lineage.get("module") or {}
    job = lineage.get("job") or {}
    task = lineage.get("task") or {}
    text = " ".join(str(v) for v in (record["name"], record.get("description", ""), record["framework"],
                                       module.get("id", ""), job.get("name", ""), task.get("name", ""))).lower()
    return all(w in text for w in words)


def load_mark(folder: Path, job_id: str) -> Optional[dict]:
    """The reconcile mark of a job (what it registered), or None."""
    try:
        data = load_json_file(Path(folder) / SEEN / f"{job_id}.json", max_bytes=64 * 1024, max_depth=8)
    except MoError:
        return None
    return data if isinstance(data, dict) else None
