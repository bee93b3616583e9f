"""A missing framework through the REST API: a job or a deploy on the local backend whose code imports
a module the server's Python cannot import is answered 422 with one short sentence that names the
module and what to do, before a job folder or a service is made."""

from __future__ import annotations

import venv

import nbformat
import pytest

from helpers import assert_user_error, job_dirs, write

MISSING = "not_a_real_module_xyz"
HANDLE = f"import {MISSING}\n\n\ndef handle(conf):\n    return {{'y': 1}}  # value_type: int\n"


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> str:
    """A Python with nothing installed but numpy's name, so keras is missing there whatever this
    environment holds (the test environment may have mo_jupyter[examples])."""
    env = tmp_path_factory.mktemp("bare-venv")
    venv.create(env, with_pip=False, symlinks=True)
    site = next((env / "lib").glob("python3*/site-packages"))
    (site / "numpy.py").write_text("")
    return str(env / "bin" / "python")


@pytest.fixture
def mo_config(bare_python) -> dict:
    return {"job_python": bare_python}


@pytest.fixture(autouse=True)
def no_pythonpath(api, monkeypatch):
    """pytest-jupyter's set-up puts this environment's site-packages on PYTHONPATH, which the bare
    python would inherit; a real server has none."""
    monkeypatch.delenv("PYTHONPATH", raising=False)


async def test_a_job_that_imports_a_missing_module_is_refused_with_422(api, root, jobs_dir):
    write(root, "train.py", f"import numpy\nimport keras\nimport {MISSING}\nprint('never')\n")
    message = assert_user_error(await api.post("jobs", {"path": "train.py"}), 422, mentions=MISSING)
    assert message.startswith("train.py needs keras, ") and "mo_jupyter[examples]" in message
    assert "docker backend" in message and len(message) < 400
    assert job_dirs(jobs_dir) == []


async def test_a_notebook_job_with_a_missing_import_is_refused_and_a_good_one_runs(api, root, jobs_dir):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"%matplotlib inline\nimport {MISSING}")])
    nbformat.write(nb, str(root / "bad.ipynb"))
    assert_user_error(await api.post("jobs", {"path": "bad.ipynb"}), 422, mentions=f"bad.ipynb needs {MISSING}")
    write(root, "ok.py", f"import json\ntry:\n    import {MISSING}\nexcept ImportError:\n    pass\nprint('ok')\n")
    job = await api.create({"path": "ok.py"})
    assert (await api.wait_state(job["id"]))["state"] == "completed"


async def test_a_deploy_whose_handler_imports_a_missing_module_is_refused_with_422(api, root):
    (root / "handler.py").write_text(HANDLE)
    (root / "app_spec.yml").write_text("input: {}\noutput:\n  y: {value_type: int}\n")
    message = assert_user_error(await api.post("services", {"name": "app"}), 422, mentions=MISSING)
    assert message.startswith(f"handler.py needs {MISSING}") and len(message) < 400
    assert not (root / ".mo" / "services").exists()
    assert (await api.get("services")).json["services"] == []
