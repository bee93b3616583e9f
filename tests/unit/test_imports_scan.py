"""A missing framework is said before a job or a deploy starts: the static scan of what a script, a
notebook or a handler imports (parsed, never run), what the local Python can import (in-process for
the server's own interpreter, asked once for another), and the 422 that JobService.create and
ServiceManager.deploy answer on the local backends before anything is written."""

from __future__ import annotations

import os
import sys
import textwrap
import venv

import nbformat
import orjson
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mo_jupyter.errors import MoError, Unavailable
from mo_jupyter.requirements_scan import (
    cell_source, imported_names, install_hint, missing_modules, notebook_imports, required_modules,
)
from mo_jupyter.services.manager import ServiceManager

from .apphelpers import app_project
from .jobhelpers import make_service, script, wait_until

MISSING = "not_a_real_module_xyz"


def names(src: str) -> set[str]:
    return imported_names(textwrap.dedent(src))


# ---- the scanner --------------------------------------------------------------------------------
def test_plain_from_dotted_and_nested_imports_are_needed():
    assert names("""
        import os, numpy as np
        import tensorflow.keras.layers
        from sklearn.svm import SVC
        class Model:
            def fit(self):
                import keras
                if True:
                    from torch import nn
        def later():
            with open('x') as f:
                import cv2
    """) == {"os", "numpy", "tensorflow", "sklearn", "keras", "torch", "cv2"}


@pytest.mark.parametrize("caught", ["ImportError", "ModuleNotFoundError", "Exception", "(ValueError, ImportError)",
                                    "builtins.ImportError", ""])
def test_imports_guarded_by_an_except_that_catches_import_errors_are_optional(caught):
    assert names(f"""
        try:
            import ujson as json
        except {caught}:
            import simplejson as json
        else:
            import needed_after
        import pandas
    """) == {"pandas", "needed_after"}


def test_a_try_that_does_not_catch_import_errors_still_needs_its_imports():
    assert names("""
        try:
            import torch
        except KeyError:
            pass
        finally:
            import atexit
    """) == {"torch", "atexit"}


def test_relative_and_type_checking_imports_are_not_needed():
    assert names("""
        from . import sibling
        from .models import Net
        from .. import parent
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            import pandas
        else:
            import polars
    """) == {"typing", "polars"}


def test_a_source_that_does_not_parse_needs_nothing():
    assert imported_names("import keras\nthis is not python(\n") == set()
    assert imported_names(b"import keras\x00") == set()


def test_notebook_cells_skip_magics_shell_lines_and_other_cell_magics():
    nb = new_notebook(cells=[
        new_code_cell("%matplotlib inline\n!pip install foo\nimport numpy as np\nnp.mean?"),
        new_code_cell("%%time\nimport pandas"),
        new_code_cell("%%bash\nimport not_python"),
        new_code_cell("for i in range(2):\n    !echo {i}\n    import seaborn"),
        new_code_cell("import keras\nthis does not parse("),  # only this cell is skipped
        new_markdown_cell("import markdown_only"),
        new_code_cell(["from sklearn ", "import svm\n"]),
    ])
    assert notebook_imports(nbformat.writes(nb).encode()) == {"numpy", "pandas", "seaborn", "sklearn"}
    assert notebook_imports(b"not json") == set()
    assert notebook_imports(b"[1, 2]") == set()
    assert cell_source("  %time x = 1") == "  pass"


def test_required_modules_leave_out_the_stdlib_and_the_projects_own_modules(tmp_path):
    (tmp_path / "modules" / "iris").mkdir(parents=True)
    (tmp_path / "utils.py").write_text("")
    sub = tmp_path / "train"
    sub.mkdir()
    (sub / "helper.py").write_text("")
    (sub / "main.py").write_text("from __future__ import annotations\nimport os, json, sys, helper, utils, numpy\n"
                                 f"from modules.iris import main\nimport {MISSING}\nimport __main__\n")
    assert required_modules(sub / "main.py", tmp_path) == [MISSING, "numpy"]


# ---- what an interpreter can import -------------------------------------------------------------
def test_the_servers_own_python_answers_in_process():
    assert missing_modules(["numpy", "json", MISSING, "mo_jupyter"]) == [MISSING]
    assert missing_modules([]) == []


@pytest.fixture
def other_python(tmp_path):
    """Another interpreter path (the same Python behind a script): asked through a subprocess."""
    path = tmp_path / "bin" / "python"
    path.parent.mkdir()
    path.write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
    path.chmod(0o755)
    return str(path)


def test_another_python_is_asked_and_the_jobs_pythonpath_counts(tmp_path, other_python):
    assert missing_modules(["numpy", MISSING, "extra_mod_abc"], other_python) == ["extra_mod_abc", MISSING]
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "extra_mod_abc.py").write_text("raise SystemExit('never imported')\n")
    assert missing_modules(["extra_mod_abc", MISSING], other_python, {"PYTHONPATH": str(extra)}) == [MISSING]


@pytest.fixture
def bare_python(tmp_path) -> str:
    """A virtual environment whose python is a link to this very binary, with one package installed
    (installed_pkg_abc) and nothing else: keras is missing there, whatever is installed here."""
    env = tmp_path / "bare-venv"
    venv.create(env, with_pip=False, symlinks=True)
    site = next((env / "lib").glob("python3*/site-packages"))
    (site / "installed_pkg_abc").mkdir()
    (site / "installed_pkg_abc" / "__init__.py").write_text("")
    return str(env / "bin" / "python")


def test_a_virtual_environment_of_this_python_is_asked_not_answered_in_process(bare_python):
    assert os.path.samefile(bare_python, sys.executable)
    assert missing_modules(["json", "installed_pkg_abc", "mo_jupyter", MISSING], bare_python) == ["mo_jupyter", MISSING]


def test_an_interpreter_that_cannot_answer_refuses_nothing(tmp_path):
    assert missing_modules([MISSING], str(tmp_path / "no-such-python")) == []


def test_the_hint_names_pip_packages_and_the_examples_extra():
    assert install_hint(["sklearn", "cv2", "PIL", "yaml"]) == "pip install scikit-learn opencv-python pillow pyyaml"
    assert 'mo_jupyter[examples]' in install_hint(["keras", "tensorflow"])
    assert "pip install keras" not in install_hint(["keras"])


# ---- jobs ---------------------------------------------------------------------------------------
def test_a_job_importing_a_missing_module_is_refused_before_anything_is_created(tmp_path, bare_python):
    svc = make_service(tmp_path, python=bare_python)  # keras is missing there, whatever is installed here
    script(tmp_path, "train.py", f"import installed_pkg_abc\nimport keras\nimport {MISSING}\n")
    with pytest.raises(Unavailable) as err:
        svc.create({"path": "train.py"})
    assert err.value.status == 422
    message = err.value.message
    assert message.startswith("train.py needs ") and MISSING in message and "keras" in message
    assert "installed_pkg_abc" not in message.split("which")[0]
    assert "local backend's Python cannot import" in message and "mo_jupyter[examples]" in message
    assert "docker backend" in message
    assert not svc.jobs_dir.exists() or not any(svc.jobs_dir.iterdir())


def test_a_notebook_job_is_checked_too(tmp_path):
    svc = make_service(tmp_path)
    nbformat.write(new_notebook(cells=[new_code_cell(f"%time x = 1\nimport {MISSING}")]), tmp_path / "nb.ipynb")
    with pytest.raises(Unavailable, match=f"nb.ipynb needs {MISSING}"):
        svc.create({"path": "nb.ipynb"})


def test_a_job_with_installed_optional_and_local_imports_runs(tmp_path):
    svc = make_service(tmp_path)
    script(tmp_path, "helper.py", "VALUE = 3\n")
    script(tmp_path, "train.py", "import numpy, helper\n"
           f"try:\n    import {MISSING}\nexcept ImportError:\n    pass\n"
           "print(numpy.int64(helper.VALUE) * 2)\n")
    job = svc.create({"path": "train.py"})
    done = wait_until(lambda: (r := svc.get(job["id"]))["state"] not in ("queued", "running") and r, 60,
                      message="the job to end")
    assert done["state"] == "completed", done
    assert svc.read_log(job["id"])["text"].strip() == "6"


def test_a_job_for_another_job_python_asks_that_python(tmp_path, other_python):
    svc = make_service(tmp_path, python=other_python)
    script(tmp_path, "train.py", f"import {MISSING}\n")
    with pytest.raises(Unavailable, match=MISSING):
        svc.build_spec({"path": "train.py"})
    extra = tmp_path / "vendor"
    extra.mkdir()
    (extra / f"{MISSING}.py").write_text("")
    assert svc.build_spec({"path": "train.py", "env": {"PYTHONPATH": str(extra)}})["path"] == "train.py"


def test_docker_jobs_are_not_checked_here(tmp_path):
    """The image decides what a docker job can import: no refusal from this Python's packages."""
    svc = make_service(tmp_path, backends={"local": {}, "docker": {}})
    script(tmp_path, "train.py", f"import {MISSING}\n")
    try:
        assert svc.build_spec({"path": "train.py", "backend": "docker"})["backend"] == "docker"
    except MoError as exc:  # no engine on this machine: refused for that, never for the import
        assert MISSING not in exc.message


# ---- deploys ------------------------------------------------------------------------------------
def test_a_deploy_whose_handler_imports_a_missing_module_is_refused_before_anything_is_copied(tmp_path):
    root = app_project(tmp_path, f"import {MISSING}\nimport cv2\n\n"
                       "def handle(conf):\n    return {'y': 1}  # value_type: int\n")
    with pytest.raises(Unavailable) as err:
        ServiceManager(root).deploy("", "app", "dev", [], "local", 1)
    assert err.value.status == 422
    assert err.value.message.startswith("handler.py needs ")
    assert "opencv-python" in err.value.message and "local service backend" in err.value.message
    assert not (root / ".mo" / "services").exists()


def test_a_deploy_whose_handler_imports_what_is_there_is_made(tmp_path):
    root = app_project(tmp_path, "import numpy\nimport helpers\n\n"
                       "def handle(conf):\n    return {'y': 1}  # value_type: int\n")
    (root / "helpers.py").write_text("")
    view = ServiceManager(root).deploy("", "app", "dev", ["helpers.py"], "local", 0)
    assert view["state"] == "stopped"
    assert (root / ".mo/services/app-dev/app/handler.py").is_file()
    assert orjson.loads((root / ".mo/services/app-dev/service.json").read_bytes())["files"] == ["helpers.py"]
    assert os.path.isdir(root / ".mo/services/app-dev/app")
