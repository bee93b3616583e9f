"""A failed deploy through the REST API: the service's view names the app's own error (the
exception line and its place in the deployed files, no absolute path, no mo_jupyter frame) and
its logs, which start with the deploy's dated line, hold the traceback."""

from __future__ import annotations

import re

import pytest

from helpers import await_until

HANDLER = "import json\n\nraise RuntimeError('model file missing')\n\n\ndef handle(conf):\n    return {'y': 1}\n"
SPEC = "input: {}\noutput:\n  y: {value_type: int}\n"


@pytest.fixture
def mo_config():
    return {"backends": {"local": {"restarts": 0}}}  # give up at the first exit: a short test


async def test_a_failed_deploy_names_the_apps_error(api, root):
    (root / "handler.py").write_text(HANDLER)
    (root / "app_spec.yml").write_text(SPEC)
    r = await api.post("services", {"name": "broken", "version": "dev"})
    assert r.code == 201, r
    sid = r.json["id"]

    async def failed():
        view = (await api.get(f"services/{sid}")).json
        return view if view.get("state") == "failed" else None

    view = await await_until(failed, 30, message=f"{sid} failed")
    assert view["error"] == "RuntimeError: model file missing (handler.py:3)", view
    assert view["reason"].endswith(": RuntimeError: model file missing (handler.py:3)")
    listed = {v["id"]: v for v in (await api.get("services")).json["services"]}
    assert listed[sid]["error"] == view["error"]
    logs = (await api.get(f"services/{sid}/logs")).json["text"]
    assert re.match(rf"\n===== {sid} deployed at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d ", logs), logs[:200]
    assert "RuntimeError: model file missing" in logs
    assert str(root) not in view["reason"]
