"""A docker job of a file inside a project folder (made from a template): the container's
/workspace is that folder, so the job reads the project's datasets/ and writes its results/."""

from __future__ import annotations

from mo_jupyter.catalog.service import CatalogService
from mo_jupyter.jobs.service import JobService
from mo_jupyter.projects import ProjectService


def test_a_docker_job_runs_in_its_project_folder(project, docker_client, machines, tmp_path):
    ProjectService(project, CatalogService(project, [str(tmp_path / "catalog")])).create("iris", "flowers")
    (project / "flowers/count.py").write_text(
        "import os\n"
        "rows = open('datasets/mo-iris/iris.csv').read().splitlines()\n"
        "open('results/rows.txt', 'w').write(str(len(rows) - 1))\n"
        "print('cwd', os.getcwd())\n")
    svc = JobService(project, backends={"docker": {"machines": machines}}, default_backend="docker")
    job = svc.create({"path": "flowers/count.py"})
    assert job["path"] == "flowers/count.py"
    done = svc.wait(job["id"], timeout=90)
    assert done["state"] == "completed", done
    assert "cwd /workspace" in svc.read_log(job["id"])["text"]
    assert (project / "flowers/results/rows.txt").read_text() == "150"
    assert not (project / "results").exists()
