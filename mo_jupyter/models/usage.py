"""Which services serve which model: a service's record (``<root>/.mo/services/<id>/service.json``,
see mo_jupyter/services/record.py) names the model it was deployed from as ``model: {name, version}``
(at its top level, or in its ``spec``). Records are read as the services part reads them (bounded,
checked, never through a link); one that cannot be read is left out."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import MoError
from ..services.record import RECORD, read_record


def model_of(record: dict):
    """``name:version`` of the model a service record names, or None."""
    for holder in (record, record.get("spec") if isinstance(record.get("spec"), dict) else {}):
        model = holder.get("model")
        if isinstance(model, dict) and isinstance(model.get("name"), str):
            version = model.get("version")
            if isinstance(version, int) and not isinstance(version, bool):
                return f"{model['name']}:{version}"
            if isinstance(version, str) and version.isdigit():
                return f"{model['name']}:{int(version)}"
    return None


def services_by_model(root: Path) -> dict[str, list[str]]:
    """``{"name:version": [service id, ...]}`` over the project's services."""
    folder = Path(root) / ".mo" / "services"
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}
    out: dict[str, list[str]] = {}
    for name in names:
        if not os.path.isfile(folder / name / RECORD):
            continue
        try:
            record = read_record(folder / name)
        except (OSError, MoError, ValueError):
            continue
        ref = model_of(record)
        if ref:
            out.setdefault(ref, []).append(record["id"])
    return out
