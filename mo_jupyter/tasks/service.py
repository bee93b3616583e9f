"""The training tasks service (seed 003 §2.3, 模型训练任务): a catalog module's ``train(conf)`` on a
catalog dataset, run as an ordinary job in a folder of the task's own.

A task is a record (``.mo/tasks/<id>.json``: the module and version, the dataset, the split, the
user's parameters, the machine) and a folder (``<project>/tasks/<slug>/``). Saving makes a draft;
each start inserts the module and the dataset into the folder, writes ``task_conf.json`` and
``train.py``, and creates a job of ``train.py`` that carries the task (its conf, datasets and model
paths). Plain Python, blocking: the server calls it from a thread, the CLI directly."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import orjson

from .. import schemas
from ..catalog.cells import class_name, python_name
from ..catalog.modules import parse_ref
from ..atomic import write_atomic
from ..errors import BadRequest, Conflict, MoError, NotFound, cut
from ..jobs.records import ACTIVE
from ..paths import resolve_in_root
from . import params as P
from .runner import CONF_FILE, SCRIPT, conf_text, script_text
from .store import TaskStore

PURPOSES = ("image_classification", "object_detection", "semantic_segmentation", "text_classification", "tabular",
            "other")
VIEW_KEYS = ("id", "name", "description", "state", "folder", "purpose", "module", "dataset", "split", "params",
             "backend", "machine", "max_run_seconds", "created", "updated", "jobs")
START_MODEL_DIR = "start_model"


class TaskService:
    def __init__(self, root: Path | str, jobs, catalog):
        self.store = TaskStore(root)
        self.root = self.store.root
        self.jobs = jobs
        self.catalog = catalog

    # ---- the catalog, as tasks see it ----------------------------------------------------------
    def _module(self, ref: str):
        owner, name, version = parse_ref(ref)
        entry, v = self.catalog.modules.find(owner, name, version)
        return entry, v, P.training_of(v.spec, entry.id)

    def _dataset(self, ref: str):
        owner, name, version = parse_ref(ref)
        if version is not None:
            raise BadRequest(f"a dataset is named owner/name (it has one version), not '{cut(ref, 100)}'")
        entry = self.catalog.datasets.find(owner, name)
        if entry.meta.get("status") != "online":
            raise Conflict(f"dataset '{entry.id}' is offline; only online datasets can be trained on", reason="offline")
        return entry

    def _group(self, entry, v) -> str:
        if entry.owner == self.catalog.catalogs.owner:
            return "mine"
        return "preset" if v.root.kind == "builtin" else "public"

    def _algorithm(self, entry, v, training: dict) -> dict:
        spec = v.spec
        return {"id": entry.id, "owner": entry.owner, "name": entry.name, "version": v.version,
                "versions": self.catalog.modules.summary(entry, v)["versions"],
                "description": spec.get("description", ""), "group": self._group(entry, v),
                "purposes": P.purposes_of(spec), "formats": training["formats"], "split_param": training["split"],
                "data_param": training["data"], "model_params": training["model"],
                "start_model_param": training["start_model"]}

    def algorithms(self, purpose: str | None = None) -> list[dict]:
        """Catalog modules a task can train: with train() and a valid ``training`` key."""
        if purpose and purpose not in PURPOSES:
            raise BadRequest(f"'purpose' must be one of {', '.join(PURPOSES)}")
        out = []
        for item in self.catalog.modules.list("", 500)["items"]:
            if "train" not in item["actions"]:
                continue
            try:
                entry, v, training = self._module(item["id"])
            except MoError:  # no training key, or a wrong one: not offered
                continue
            if purpose and purpose not in P.purposes_of(v.spec):
                continue
            out.append(self._algorithm(entry, v, training))
        return out

    def form(self, module_ref: str) -> dict:
        """What the New training task form needs for a module: its parameters' schema and the
        datasets it can train on, with the splits each allows."""
        entry, v, training = self._module(module_ref)
        schema, order = P.params_schema(v.spec, training)
        purposes = P.purposes_of(v.spec)
        datasets = []
        for item in self.catalog.datasets.list("", 500, status="online")["items"]:
            if item.get("format") not in training["formats"]:
                continue
            datasets.append({"id": item["id"], "owner": item["owner"], "name": item["name"],
                             "version": item.get("version"), "purpose": item.get("purpose"),
                             "format": item["format"], "test_set": item.get("test_set"),
                             "description": item.get("description", ""),
                             "splits": P.split_kinds(v.spec, training, item)})
        datasets.sort(key=lambda d: (d["purpose"] not in purposes, d["id"]))
        return {"module": self._algorithm(entry, v, training), "params_schema": schema, "params_order": order,
                "datasets": datasets}

    # ---- checking a request ----------------------------------------------------------------------
    def _checked(self, body: dict) -> dict:
        """The task fields of a create (or a whole edited draft), every reference checked."""
        entry, v, training = self._module(body["module"])
        dataset = self._dataset(body["dataset"])
        fmt = dataset.meta.get("format")
        if fmt not in training["formats"]:
            raise BadRequest(f"module '{entry.id}' trains on datasets of format {', '.join(training['formats'])}; "
                             f"'{dataset.id}' is {fmt}")
        purposes = P.purposes_of(v.spec)
        purpose = body.get("purpose") or dataset.meta.get("purpose")
        if body.get("purpose") and purposes and purpose not in purposes:
            raise BadRequest(f"module '{entry.id}' trains for {', '.join(purposes)}, not {purpose}")
        split, _ = P.resolve_split(v.spec, training, dataset.meta, body.get("split"), dataset.id)
        given = dict(body.get("params") or {})
        if len(orjson.dumps(given)) > P.MAX_PARAMS_BYTES:
            raise BadRequest(f"params are larger than {P.MAX_PARAMS_BYTES // 1024} KiB; pass large inputs in a file")
        values = P.check_params(v.spec, training, given)
        start = training["start_model"]
        if start and values.get(start):
            if not isinstance(values[start], str):
                raise BadRequest(f"params/{start}: a path to a saved model is a string")
            resolve_in_root(self.root, values[start], must_exist=False)  # never outside the root
        backend = body.get("backend") or self.jobs.default_backend
        if backend not in self.jobs.backend_config:
            enabled = ", ".join(self.jobs.backend_config)
            raise BadRequest(f"backend '{cut(backend, 64)}' is not enabled (enabled: {enabled})")
        fields = {"name": body["name"].strip(), "description": body.get("description", ""), "purpose": purpose,
                  "module": {"id": entry.id, "version": v.version},
                  "dataset": {"id": dataset.id, "version": dataset.meta.get("version")},
                  "split": split, "params": given, "backend": backend, "machine": body.get("machine") or "cpu"}
        if body.get("max_run_seconds") is not None:
            fields["max_run_seconds"] = body["max_run_seconds"]
        return fields

    # ---- records and views -----------------------------------------------------------------------
    def _last_job(self, record: dict) -> dict | None:
        if not record.get("jobs"):
            return None
        try:
            return self.jobs.get(record["jobs"][-1])
        except NotFound:
            return {"id": record["jobs"][-1], "state": "deleted"}

    def view(self, record: dict) -> dict:
        out = {k: record[k] for k in VIEW_KEYS if k in record}
        out["last_job"] = self._last_job(record)
        return out

    def list(self) -> list[dict]:
        records = sorted(self.store.records(), key=lambda r: (r.get("created", 0), r["id"]), reverse=True)
        return [self.view(r) for r in records]

    def get(self, task_id: str) -> dict:
        return self.view(self.store.read(task_id))

    # ---- create, edit, delete --------------------------------------------------------------------
    def create(self, body: dict) -> dict:
        schemas.validate("task_request#create", body)
        fields = self._checked(body)
        with self.store.locked():
            project = self.store.project_of(body.get("folder"))
            task_id = self.store.claim_id()
            folder = None
            try:
                folder = self.store.make_folder(project, fields["name"], task_id)
                now = time.time()
                record = {"id": task_id, **fields, "state": "draft", "folder": folder, "created": now,
                          "updated": now, "jobs": []}
                self.store.write(record)
                if body.get("start"):
                    return self._start(record)
            except BaseException:  # no ghost: a task that was not made (or not started) leaves nothing
                if folder is not None:
                    shutil.rmtree(self.root / folder, ignore_errors=True)
                self.store.remove(task_id)
                raise
        return self.view(record)

    def update(self, task_id: str, body: dict) -> dict:
        schemas.validate("task_request#patch", body)
        with self.store.locked():
            record = self.store.read(task_id)
            if record["state"] != "draft":
                raise Conflict(f"task '{task_id}' has been started; only a draft can be edited "
                               "(start it again, or make a new task)")
            if "folder" in body:
                project = self.store.project_of(body["folder"])
                if project != self.store.project_of(os.path.dirname(os.path.dirname(record["folder"]))):
                    raise BadRequest("a task's folder is fixed when it is made; make a new task for another project")
            module = record["module"]
            same_module = "module" not in body or parse_ref(body["module"])[:2] == tuple(module["id"].split("/"))
            merged = {"name": record["name"], "description": record.get("description", ""),
                      "module": f"{module['id']}@{module['version']}",
                      "dataset": record["dataset"]["id"], "split": _as_asked(record["split"]),
                      "params": record["params"] if same_module else {}, "backend": record["backend"],
                      "machine": record["machine"], "max_run_seconds": record.get("max_run_seconds"),
                      **{k: v for k, v in body.items() if k not in ("folder", "start")}}
            if "dataset" in body and "split" not in body:
                merged["split"] = None  # the new dataset's default split
            fields = self._checked({k: v for k, v in merged.items() if v is not None})
            if "purpose" not in body:
                fields["purpose"] = record.get("purpose") or fields["purpose"]
            if "max_run_seconds" not in fields:
                record.pop("max_run_seconds", None)
            record.update(fields, updated=time.time())
            self.store.write(record)
            if body.get("start"):
                return self._start(record)
        return self.view(record)

    def delete(self, task_id: str, files: bool = False) -> None:
        with self.store.locked():
            record = self.store.read(task_id)
            last = self._last_job(record)
            if last and last["state"] in ACTIVE:
                raise Conflict(f"task '{task_id}' is {last['state']} (job {last['id']}); stop its job first")
            if files:
                self.store.remove_folder(record)
            self.store.remove(task_id)

    # ---- start -----------------------------------------------------------------------------------
    def start(self, task_id: str) -> dict:
        with self.store.locked():
            return self._start(self.store.read(task_id))

    def _start(self, record: dict) -> dict:
        """A new job of the task's train.py (the folder's files made afresh); the caller holds the lock."""
        last = self._last_job(record)
        if last and last["state"] in ACTIVE:
            raise Conflict(f"task '{record['id']}' is already {last['state']} (job {last['id']})")
        module = record["module"]
        entry, v, training = self._module(f"{module['id']}@{module['version']}")
        dataset = self._dataset(record["dataset"]["id"])
        split_param = training["split"]
        _, ratio = P.resolve_split(v.spec, training, dataset.meta, _as_asked(record["split"]), dataset.id)
        values = P.check_params(v.spec, training, record["params"])
        folder = self.store.folder(record, create=True)
        rel = folder.relative_to(self.root).as_posix()
        self.catalog.modules.insert(entry.owner, entry.name, v.version, rel, "train", replace=True)
        inserted = self.catalog.datasets.insert(dataset.owner, dataset.name, rel, replace=True)
        data_dir = self.root / inserted["target"]
        data_path = os.path.relpath(data_dir, folder)
        one_file = P.data_file(data_dir, dataset.meta["format"], dataset.id)
        if one_file:
            data_path = f"{data_path}/{one_file}"
        models = P.model_paths(v.spec, training)
        conf = {}
        for param in P.train_params(v.spec):
            name = param["name"]
            if name == training["data"]:
                conf[name] = data_path
            elif name == split_param:
                if ratio is not None:
                    conf[name] = ratio
            elif name in models:
                conf[name] = models[name]
            elif name in values:
                conf[name] = values[name]
        if training["start_model"] and conf.get(training["start_model"]):
            conf[training["start_model"]] = self._start_model(folder, conf[training["start_model"]])
        (folder / "results").mkdir(exist_ok=True)
        write_atomic(folder / CONF_FILE, conf_text(conf))
        write_atomic(folder / SCRIPT, script_text(record["id"], record["name"], entry.id, v.version, [dataset.id],
                                                  python_name(entry.name), class_name(entry.name)))
        request = {"path": f"{rel}/{SCRIPT}", "name": record["name"], "backend": record["backend"],
                   "machine": record["machine"],
                   "task": {"id": record["id"], "name": record["name"],
                            "module": {"id": entry.id, "version": v.version},
                            "datasets": [{"id": dataset.id, "version": str(dataset.meta.get("version", "")),
                                          "path": data_path}],
                            "conf": conf, "model_paths": list(models.values())}}
        if record.get("description"):
            request["description"] = record["description"]
        if record.get("max_run_seconds"):
            request["max_run_seconds"] = record["max_run_seconds"]
        job = self.jobs.create(request)
        record["jobs"] = [*record.get("jobs", []), job["id"]]
        record.update(state="started", updated=time.time(), dataset={"id": dataset.id,
                                                                     "version": dataset.meta.get("version")})
        self.store.write(record)
        return self.view(record)

    def _start_model(self, folder: Path, given: str) -> str:
        """A model to go on from, copied into the task folder (a docker job sees only that folder);
        ``given`` is relative to the project root, or else to the task folder."""
        try:
            path, rel = resolve_in_root(self.root, given)
        except NotFound:
            path, rel = resolve_in_root(self.root, os.path.join(os.path.relpath(folder, self.root), given))
        if not path.is_file():
            raise BadRequest(f"the model to start from, '{cut(rel, 200)}', is not a file")
        dest_dir = folder / START_MODEL_DIR
        if dest_dir.is_symlink() or (dest_dir.exists() and not dest_dir.is_dir()):
            raise Conflict(f"'{START_MODEL_DIR}' in the task folder is not a real folder")
        dest_dir.mkdir(exist_ok=True)
        if path.parent != dest_dir:
            shutil.copyfile(path, dest_dir / path.name)
        return f"{START_MODEL_DIR}/{path.name}"


def _as_asked(split: dict) -> dict:
    """A recorded split as a request gives it: the dataset's share is read afresh from the dataset."""
    return split if split.get("kind") == "ratio" else {"kind": split["kind"]}
