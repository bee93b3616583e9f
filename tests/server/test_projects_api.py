"""New projects from templates through the REST API, then the tutorial's path inside one: a job of
a script in the project folder writes that folder's results/, the wizard's scan names the file
relative to the notebook, and a deploy from the folder serves the model the job trained."""

from __future__ import annotations

import nbformat

from helpers import assert_user_error, await_until, run_app

HANDLE = '''import json

MODEL = json.load(open('results/model.json'))


def handle(conf):
    x = conf['x']  # value_type: float # description: a number # value_range: 0-100
    return {'y': x * MODEL['factor']}  # value_type: float
'''


async def test_templates_are_listed(api):
    r = await api.get("projects/templates")
    assert r.code == 200, r
    found = {t["name"]: t for t in r.json["templates"]}
    assert r.json["templates"][0]["name"] == "mnist" and {"iris", "text"} <= set(found)
    assert found["mnist"]["title"]["zh"] and found["mnist"]["open"] == "coding_here.ipynb"
    assert found["text"]["datasets"] == ["mo/text_zh_en"]
    assert_user_error(await api.get("projects/templates", params={"bogus": "1"}), 400, mentions="bogus")


async def test_create_a_project_and_the_refusals(api, root):
    r = await api.post("projects", {"template": "mnist", "path": "mnist-tutorial"})
    assert r.code == 201, r
    assert r.json["open"] == "mnist-tutorial/coding_here.ipynb" and r.json["path"] == "mnist-tutorial"
    assert r.json["datasets"] == ["mnist-tutorial/datasets/mo-mnist"]
    assert (root / "mnist-tutorial/deploy_mnist.ipynb").is_file()
    assert (root / "mnist-tutorial/datasets/mo-mnist/mnist.npz").is_file()
    assert_user_error(await api.post("projects", {"template": "mnist", "path": "mnist-tutorial"}), 409,
                      mentions="not empty")
    assert_user_error(await api.post("projects", {"template": "mnist", "path": "../out"}), 400)
    assert_user_error(await api.post("projects", {"template": "mnist", "path": ".hidden"}), 400)
    assert_user_error(await api.post("projects", {"template": "nope", "path": "x"}), 404, mentions="templates: ")
    assert_user_error(await api.post("projects", {"template": "mnist", "path": "x", "extra": 1}), 400)
    assert_user_error(await api.post("projects", {"path": "x"}), 400, mentions="template")
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == ["mnist-tutorial"]


async def test_a_job_and_a_deploy_inside_a_project_folder(api, root):
    assert (await api.post("projects", {"template": "iris", "path": "proj"})).code == 201
    (root / "proj/train.py").write_text(
        "import json, os\nos.makedirs('results', exist_ok=True)\n"
        "json.dump({'factor': 3}, open('results/model.json', 'w'))\n")
    job = await api.create({"path": "proj/train.py"})
    assert job["path"] == "proj/train.py"
    done = await api.wait_state(job["id"])
    assert done["state"] == "completed", done
    assert (root / "proj/results/model.json").is_file() and not (root / "results").exists()

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(HANDLE)]
    nbformat.write(nb, str(root / "proj/app.ipynb"))
    scan = await api.post("handle/scan", {"path": "proj/app.ipynb"})
    assert scan.code == 200, scan
    assert scan.json["files"] == ["proj/results/model.json"]  # read relative to the notebook's folder
    made = await api.post("handle/generate", {"notebook": "proj/app.ipynb"})
    assert made.code == 200 and made.json["folder"] == "proj", made
    assert (root / "proj/handler.py").is_file()
    r = await api.post("services", {"folder": "proj", "name": "projapp", "version": "dev",
                                    "files": ["results/model.json"]})
    assert r.code == 201, r
    sid = r.json["id"]
    try:
        async def running():
            view = await api.get(f"services/{sid}")
            return view.json if view.json.get("state") == "running" else None

        view = await await_until(running, 60, message=f"{sid} running")
        assert run_app(r.json["port"], 5) == {"output": {"y": 15}}
        assert [t["job"] for t in view.get("trained_by", r.json.get("trained_by", []))] == [job["id"]]
    finally:
        await api.delete(f"services/{sid}")
