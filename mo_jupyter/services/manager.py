"""Services: deploy (snapshot a project folder's handler.py, app_spec.yml and chosen files, then
start replicas), list, scale (0 = stop; the port is kept, so the address stays), logs, delete.
Records live in ``<root>/.mo/services/<id>/``: service.json, app/ (the snapshot), output.log."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import orjson

from ..catalog.copying import swap_in
from ..containers import engine_errors
from ..errors import BadRequest, Conflict, MoError, NotFound, ServiceUnavailable, cut
from ..jobs.records import flocked
from ..paths import resolve_in_root
from ..requirements_scan import require_importable
from .apperror import TAIL_BYTES, app_error, log_deploy, read_tail, separator
from .base import ServiceBackend
from .local import LOG, LocalServiceBackend
from .snapshot import check_app, copy_snapshot, picked_files, trained_by
from .ports import free_port
from .record import (ID_RE, MAX_REPLICAS, RECORD, BrokenRecord, key_matches, new_key, read_record,
                     valid_port, write_record)

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
STARTING_GRACE = 60.0
STAGING = (".app-*", ".mo-old-*")  # a deploy's temporary folders, left by one that was interrupted
# The list looks at every service at once (an engine's answer, a /healthz probe of 0.5 s at most):
# one silent service never makes the others' views wait behind it.
VIEWS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="mo-service-view")


def default_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")[:63]
    return name or "app"


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5) as resp:
            return resp.status == 200
    except (OSError, http.client.HTTPException, ValueError):  # e.g. not HTTP on that port
        return False


class ServiceManager:
    def __init__(self, root: Path | str, backends: dict | None = None, jobs=None):
        self.root = Path(root).resolve()  # replicas run elsewhere: every path they get is absolute
        self.folder = self.root / ".mo" / "services"
        self.backends = backends or {"local": LocalServiceBackend()}
        self.jobs = jobs  # a JobService: which job wrote a deployed file (the model it serves)

    # ---- records ------------------------------------------------------------------------
    def _dir(self, service_id: str) -> Path:
        if not isinstance(service_id, str) or not ID_RE.match(service_id):
            raise NotFound(f"no service '{service_id}'")
        folder = self.folder / service_id
        if not (folder / RECORD).is_file():
            raise NotFound(f"no service '{service_id}'")
        return folder

    def _record(self, folder: Path) -> dict:
        return read_record(folder)

    def _save(self, folder: Path, record: dict) -> None:
        write_record(folder, record)

    def _backend(self, name: str):
        try:
            return self.backends[name]
        except KeyError:
            raise BadRequest(f"unknown service backend '{name}' (enabled: {', '.join(self.backends)})") from None

    @contextmanager
    def _changing(self):
        """One change (deploy, scale, delete) at a time per project, across threads and processes:
        each reads a record and replicas, then writes them, and ports are handed out uniquely."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with flocked(self.folder / ".lock"):
            yield

    def _new_port(self) -> int:
        """A free port that no service of the project has recorded (a stopped one keeps its port)."""
        taken = set()
        for p in self.folder.glob(f"*/{RECORD}"):
            try:
                taken.add(read_record(p.parent)["port"])
            except (OSError, MoError):
                continue
        for _ in range(100):
            port = free_port()
            if port not in taken:
                return port
        raise Conflict("no free port found for the service; try again")

    def _safe_view(self, folder: Path) -> dict | None:
        """A service's view for the list; a record that cannot be read or whose backend is no longer
        enabled shows as failed with the reason, instead of breaking the whole list."""
        try:
            return self._view(folder)
        except FileNotFoundError:  # deleted meanwhile
            return None
        except (MoError, OSError, ValueError, KeyError, TypeError) as exc:
            if isinstance(exc, BrokenRecord):
                reason = f"service.json cannot be used: {exc.message}; delete the service and deploy it again"
            elif isinstance(exc, MoError):
                reason = exc.message
            else:
                reason = f"unreadable record: {cut(exc, 200)}"
            return {"id": folder.name, "state": "failed", "reason": reason, "replicas": 0, "running_replicas": 0}

    def _view(self, folder: Path) -> dict:
        record = self._record(folder)
        if not record.get("key"):  # a record from before keys: it gets one now
            record = self._give_key(folder)
        backend = self._backend(record["backend"])
        alive, starting = backend.counts(folder)  # a swarm's tasks may be starting
        wanted = record["replicas"]
        state, reason = "running", None
        if wanted == 0:
            state = "stopped"
        elif alive < wanted:
            if alive + starting >= wanted:
                state = "starting"  # a swarm still placing, starting or restarting tasks
            else:
                why = backend.problem(folder)
                state, reason = "failed", f"{wanted - alive} of {wanted} replica(s) exited" + \
                    (f" ({why})" if why else "") + "; see the logs"
        elif not _healthy(record["port"]):
            started = backend.started_at(folder)
            state = "starting" if time.time() - started < STARTING_GRACE else "failed"
            reason = None if state == "starting" else "the app does not answer /healthz; see the logs"
        error = self._app_error(folder, backend) if state == "failed" else None
        if error:
            reason = f"{reason}: {error}"
        # never the key: a view is what anyone who may read the project sees (GET); the key goes out
        # only on the key route, which asks for write (see key())
        view = {**{k: v for k, v in record.items() if k != "key"}, "protected": bool(record.get("protected")),
                "state": state, "running_replicas": alive,
                "url": f"http://127.0.0.1:{record['port']}/", "proxy": f"mo/api/services/{record['id']}/proxy/"}
        if reason:
            view["reason"] = reason
        if error:
            view["error"] = error
        return view

    @staticmethod
    def _app_error(folder: Path, backend) -> str | None:
        """The failed app's own error, from the end of its log since the last deploy (apperror.py)."""
        try:
            whole = backend.logs(folder)  # an engine's log: that of the current deploy's container
        except (OSError, MoError, *engine_errors()):  # an engine that cannot be asked now: the reason stays
            return None
        data = whole[-TAIL_BYTES:] if whole is not None else read_tail(folder / LOG)
        return app_error(data, folder / "app")

    # ---- deploy ---------------------------------------------------------------------------
    def _clean_staging(self) -> None:
        """Remove what interrupted deploys left (called under the project's lock: no deploy runs)."""
        for pattern in STAGING:
            for stale in self.folder.glob(f"*/{pattern}"):
                if stale.is_dir() and not stale.is_symlink():
                    shutil.rmtree(stale, ignore_errors=True)

    def deploy(self, folder: str = "", name: str | None = None, version: str = "dev", files: list[str] = (),
               backend: str = "local", replicas: int = 1, machine: str = "cpu",
               protected: bool | None = None, model: dict | None = None) -> dict:
        """Snapshot and start an app. ``protected``: its replicas ask for the service's key
        (None: as the service was before, else not). ``model``: the model record it serves
        ({"name", "version"}, set by a deploy from the Models registry; kept in the record)."""
        if version not in ("dev", "prod"):
            raise BadRequest("'version' must be dev or prod")
        if isinstance(replicas, bool) or not isinstance(replicas, int) or not 0 <= replicas <= MAX_REPLICAS:
            raise BadRequest(f"'replicas' must be between 0 and {MAX_REPLICAS}")
        if protected is not None and not isinstance(protected, bool):
            raise BadRequest("'protected' must be true or false")
        src, rel = resolve_in_root(self.root, folder or ".")
        if not src.is_dir():
            raise BadRequest(f"'{rel}' is not a folder")
        name = name or default_name(src.name if rel not in ("", ".") else self.root.resolve().name)
        if not NAME_RE.match(name):
            raise BadRequest(f"'{cut(name, 100)}' is not a service name (lowercase letters, digits, - and _)")
        spec = check_app(self.root, src, rel)
        picked = picked_files(self.root, src, rel, files)
        be = self._backend(backend)
        be.check(machine)  # the machine type and its image, before anything changes
        if isinstance(be, LocalServiceBackend):  # replicas run on its Python: a missing framework is said now
            require_importable(src / "handler.py", self.root, be.python, label=(Path(rel) / "handler.py").as_posix(),
                               what="the local service backend")
        service_id = f"{name}-{version}"
        target = self.folder / service_id
        with self._changing():
            self._clean_staging()
            old = None
            if (target / RECORD).is_file() or (target / RECORD).is_symlink():
                try:
                    old = self._record(target)
                except BrokenRecord:
                    old = None  # a record that cannot be used: deployed anew (new port, new key)
            target.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".app-", dir=target))
            try:
                copy_snapshot(self.root, src, picked, staging)
                if old:  # only now: a refused or failed deploy leaves the running one as it was
                    self._backend(old["backend"]).stop(target)
                swap_in(staging, target / "app")
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            record = {"id": service_id, "name": name, "version": version, "backend": backend, "replicas": replicas,
                      "port": old["port"] if old else self._new_port(), "folder": rel if rel != "." else "",
                      "files": [str(inner) for _, inner in picked], "created": (old or {}).get("created") or time.time(),
                      "deployed": time.time(), "timeout": spec.get("timeout"), "spec": spec, "machine": machine,
                      "trained_by": trained_by(self.jobs, picked), "key": (old or {}).get("key") or new_key(),
                      "protected": bool((old or {}).get("protected")) if protected is None else protected}
            if model:
                record["model"] = {"name": str(model["name"]), "version": model["version"]}
            self._save(target, record)
            log_deploy(target / LOG, record)
            be.scale(target, record, replicas)
        return self._view(target)

    # ---- operate --------------------------------------------------------------------------
    def list(self) -> list[dict]:
        if not self.folder.is_dir():
            return []
        folders = [p for p in sorted(self.folder.iterdir()) if (p / RECORD).is_file()]
        return [v for v in VIEWS.map(self._safe_view, folders) if v is not None]

    def get(self, service_id: str) -> dict:
        try:
            return self._view(self._dir(service_id))
        except FileNotFoundError:  # deleted meanwhile
            raise NotFound(f"no service '{service_id}'") from None

    def scale(self, service_id: str, replicas: int) -> dict:
        if not isinstance(replicas, int) or isinstance(replicas, bool) or not 0 <= replicas <= MAX_REPLICAS:
            raise BadRequest(f"'replicas' must be a whole number between 0 and {MAX_REPLICAS}")
        with self._changing():
            folder = self._dir(service_id)
            record = self._record(folder)
            backend = self._backend(record["backend"])
            if replicas and not (folder / "app").is_dir():
                raise Conflict(f"service '{service_id}' has no deployed app; deploy it again")
            if replicas == 0 and record["replicas"]:
                record["last_replicas"] = record["replicas"]  # what a plain start brings back
            record["replicas"] = replicas
            self._save(folder, record)
            backend.scale(folder, record, replicas)
        return self._view(folder)

    def delete(self, service_id: str) -> None:
        """Stop and remove a service. One whose backend is no longer enabled is removed all the same
        (what it left running there cannot be reached from here)."""
        with self._changing():
            folder = self._dir(service_id)
            try:
                name = self._record(folder)["backend"]
            except BrokenRecord:  # its replicas are still found by the folder: stopped all the same
                try:
                    name = orjson.loads((folder / RECORD).read_bytes()).get("backend")
                except (OSError, ValueError, AttributeError):
                    name = None
            except OSError:
                name = None
            backend = self.backends.get(name) if isinstance(name, str) else None
            if backend is not None:
                backend.stop(folder)
            shutil.rmtree(folder, ignore_errors=True)

    def logs_from_engine(self, service_id: str) -> bool:
        """Whether the service's logs come from its backend (an engine call: slow work)."""
        try:
            backend = self.backends.get(self._record(self._dir(service_id)).get("backend"))
        except (OSError, MoError):
            return False
        return backend is not None and type(backend).logs is not ServiceBackend.logs

    def logs(self, service_id: str, offset: int = 0, limit: int = 1024 * 1024, tail: int | None = None) -> dict:
        """A slice of the service's output: from ``offset`` (at most ``limit`` bytes), or, with
        ``tail``, its last ``tail`` bytes (what a log view wants; a container's log starts over when
        it is recreated, and a swarm's interleaves its replicas, so offsets are only stable locally).
        ``size`` is the whole log's length."""
        folder = self._dir(service_id)
        record = self._record(folder)
        backend = self.backends.get(record.get("backend"))
        whole = backend.logs(folder) if backend is not None else None  # an engine keeps a container's
        if whole is not None:  # the current deploy's only: it starts with the deploy's line, as locally
            whole = separator(record).encode() + whole if record.get("deployed") else whole
            size = len(whole)
            if tail is not None:
                offset, limit = max(0, size - max(0, tail)), max(0, tail)
            data = whole[offset: offset + limit]
        else:
            try:
                with open(folder / LOG, "rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    if tail is not None:
                        offset, limit = max(0, size - max(0, tail)), max(0, tail)
                    f.seek(offset)
                    data = f.read(limit)
            except FileNotFoundError:
                size, data = 0, b""
        return {"offset": offset, "next_offset": offset + len(data), "size": size,
                "text": data.decode("utf-8", "replace")}

    # ---- access key ------------------------------------------------------------------------
    def _give_key(self, folder: Path) -> dict:
        with self._changing():
            record = self._record(folder)
            if not record.get("key"):
                record["key"] = new_key()
                self._save(folder, record)
        return record

    def key(self, service_id: str) -> dict:
        """The service's key: ``{id, key, protected}``. Only for callers who may change the service
        (the owner's shell, a request authorized to write): views never carry it."""
        folder = self._dir(service_id)
        record = self._record(folder)
        if not record.get("key"):
            record = self._give_key(folder)
        return {"id": record["id"], "key": record["key"], "protected": bool(record.get("protected"))}

    def set_key(self, service_id: str, protected: bool | None = None, rotate: bool = False) -> dict:
        """Ask for the key or not (``protected``), and/or make a new key (``rotate``); neither: only
        read it. Running replicas of a protected service start again with the new key (they read it
        at start). Returns the service's view with its ``key`` (the caller may write)."""
        if protected is not None and not isinstance(protected, bool):
            raise BadRequest("'protected' must be true or false")
        with self._changing():
            folder = self._dir(service_id)
            record = self._record(folder)
            before = (bool(record.get("protected")), record.get("key"))
            if protected is not None:
                record["protected"] = protected
            if rotate or not record.get("key"):
                record["key"] = new_key()
            after = (bool(record.get("protected")), record.get("key"))
            if after != before:
                self._save(folder, record)
            replicas_see_it = before[0] or after[0]  # only a protected service's replicas hold the key
            if record["replicas"] and after != before and replicas_see_it:
                backend = self._backend(record["backend"])
                backend.stop(folder)
                backend.scale(folder, record, record["replicas"])
        return {**self._view(folder), "key": record["key"]}

    # ---- the proxy's view ------------------------------------------------------------------
    def key_matches(self, service_id: str, given: str | None) -> bool:
        """Whether ``given`` is the key of the service (False for no such service)."""
        try:
            return key_matches(self._record(self._dir(service_id)), given)
        except (OSError, MoError):
            return False

    def target(self, service_id: str) -> dict:
        """Where the proxy may send a request for the service: its port, only while a live replica
        that its backend started holds that port (checked on each request: a stopped or crashed
        service's port may meanwhile belong to another program, another user's even). Also its
        ``key``/``protected`` and ``timeout``."""
        folder = self._dir(service_id)
        try:
            record = self._record(folder)
        except FileNotFoundError:
            raise NotFound(f"no service '{service_id}'") from None
        port = valid_port(record["port"])
        if not record["replicas"]:
            raise ServiceUnavailable(f"service '{service_id}' is not running (stopped): start it, then reload")
        backend = self._backend(record["backend"])
        if not backend.serves_on(folder, port):
            raise ServiceUnavailable(f"service '{service_id}' is not running: none of its replicas holds its "
                                     f"port {port} now (starting, restarting or failed; see its logs)")
        return {"port": port, "key": record.get("key"), "protected": bool(record.get("protected")),
                "timeout": record.get("timeout")}
