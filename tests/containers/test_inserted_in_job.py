"""What insertion puts in a project runs as a docker job in the base image (Python + numpy), with
mo_jupyter made unimportable: the copied module predicts, and the hard-linked dataset is readable
inside the container, which mounts only the project."""

from __future__ import annotations

from mo_jupyter.catalog.service import CatalogService
from mo_jupyter.jobs.service import JobService


def test_inserted_module_and_dataset_run_in_a_container(project, tmp_path, docker_client, machines):
    catalog = CatalogService(project, [str(tmp_path / "catalog")], owner="alice")
    (project / "coding_here.ipynb").write_text("{}")
    iris = catalog.modules.insert("mo", "iris_classifier", None, "coding_here.ipynb", "predict")
    text = catalog.datasets.insert("mo", "text_zh_en", "coding_here.ipynb")
    assert text["mode"] in ("link", "copy")
    (project / "job.py").write_text(
        # the backend mounts mo_jupyter for notebook jobs: block it, the cells must not need it
        "import sys\nsys.modules['mo_jupyter'] = None\n"
        "try:\n    import mo_jupyter\n    print('mo_jupyter importable')\nexcept ImportError:\n"
        "    print('no mo_jupyter here')\n"
        + iris["cell"] + "\nprint('prediction', result['species'])\n" + text["cell"] + "\n")
    jobs = JobService(project, backends={"docker": {"machines": machines}}, default_backend="docker")
    job = jobs.create({"path": "job.py"})
    done = jobs.wait(job["id"], timeout=90)
    log = jobs.read_log(job["id"])["text"]
    assert done["state"] == "completed", log
    assert "no mo_jupyter here" in log
    assert "prediction setosa" in log
    assert "120 samples in 4 classes" in log
