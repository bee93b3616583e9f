"""POST mo/api/export: a notebook becomes a .py beside it that runs."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from helpers import assert_user_error, write


def magic_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A title\n\nSome *markdown* with `code` and a % sign."),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport json\nvalue = 41"),
        nbformat.v4.new_code_cell("!echo hi"),
        nbformat.v4.new_code_cell("%%bash\necho from-bash\nfor i in 1 2; do echo loop-$i; done"),
        nbformat.v4.new_code_cell("%pip --version"),
        nbformat.v4.new_code_cell("files = !ls\nprint('files', len(files) > 0)"),
        nbformat.v4.new_code_cell("print(json.dumps({'metric': 'acc', 'value': value + 1}))"),
    ]
    return nb


def run_py(root, rel):
    return subprocess.run([sys.executable, rel], cwd=root, capture_output=True, text=True, timeout=120)


async def test_export_writes_a_runnable_py(api, root):
    nbformat.write(magic_notebook(), str(root / "analysis.ipynb"))
    r = await api.post("export", {"path": "analysis.ipynb"})
    assert r.code == 200, r
    assert r.json == {"path": "analysis.py"}
    assert (root / "analysis.py").is_file()
    done = run_py(root, "analysis.py")
    assert done.returncode == 0, done.stderr + "\n" + (root / "analysis.py").read_text()
    out = done.stdout.splitlines()
    assert "hi" in out and "from-bash" in out and "loop-1" in out and "loop-2" in out
    assert "files True" in out
    assert any(line.startswith("pip ") for line in out), out
    assert '{"metric": "acc", "value": 42}' in out
    assert out.index("hi") < out.index("from-bash") < out.index('{"metric": "acc", "value": 42}')


async def test_an_exported_notebook_runs_as_a_job(api, root):
    nbformat.write(magic_notebook(), str(root / "nb.ipynb"))
    assert (await api.post("export", {"path": "nb.ipynb"})).json == {"path": "nb.py"}
    done = await api.wait_state((await api.create({"path": "nb.py"}))["id"], timeout=60)
    assert done["state"] == "completed", await api.full_log(done["id"])
    metrics = (await api.get(f"jobs/{done['id']}/metrics")).json["metrics"]
    assert [(m["metric"], m["value"]) for m in metrics] == [("acc", 42)]


async def test_a_raw_cell_does_not_break_the_exported_py(api, root):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("print('before')"),
        nbformat.v4.new_raw_cell("raw text that is not code"),
        nbformat.v4.new_code_cell("print('after')"),
    ]
    nbformat.write(nb, str(root / "raw.ipynb"))
    assert (await api.post("export", {"path": "raw.ipynb"})).json == {"path": "raw.py"}
    done = run_py(root, "raw.py")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "before\nafter\n"


async def test_export_in_a_subfolder_and_to_a_chosen_name(api, root):
    (root / "sub").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('sub ok')")]
    nbformat.write(nb, str(root / "sub" / "n.ipynb"))
    assert (await api.post("export", {"path": "sub/n.ipynb"})).json == {"path": "sub/n.py"}
    assert run_py(root, "sub/n.py").stdout == "sub ok\n"
    r = await api.post("export", {"path": "sub/n.ipynb", "out": "other.py"})
    assert r.code == 200 and r.json == {"path": "other.py"}
    assert run_py(root, "other.py").stdout == "sub ok\n"


async def test_an_existing_py_is_kept_unless_overwrite(api, root):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('new')")]
    nbformat.write(nb, str(root / "x.ipynb"))
    write(root, "x.py", "print('mine')\n")
    message = assert_user_error(await api.post("export", {"path": "x.ipynb"}), 409)
    assert "x.py" in message
    assert (root / "x.py").read_text() == "print('mine')\n"
    assert_user_error(await api.post("export", {"path": "x.ipynb", "overwrite": False}), 409)
    r = await api.post("export", {"path": "x.ipynb", "overwrite": True})
    assert r.code == 200 and r.json == {"path": "x.py"}
    assert run_py(root, "x.py").stdout == "new\n"


@pytest.mark.parametrize("body,codes", [
    ({"path": "missing.ipynb"}, (404,)),
    ({"path": "script.py"}, (400,)),
    ({"path": "broken.ipynb"}, (400,)),
    ({"path": "good.ipynb", "out": "good.txt"}, (400,)),
    ({"path": "good.ipynb", "bogus": True}, (400,)),
    ({"path": "good.ipynb", "overwrite": "yes"}, (400,)),
    ({"path": ""}, (400,)),
    ({}, (400,)),
    ({"path": "../root_dir2/n.ipynb"}, (400, 403, 404)),
    ({"path": "ROOT2/n.ipynb"}, (400, 403, 404)),
    ({"path": "good.ipynb", "out": "../root_dir2/out.py"}, (400, 403)),
    ({"path": "link.ipynb"}, (400, 403, 404)),
])
async def test_bad_exports_are_refused(api, root, body, codes):
    sibling = root.parent / (root.name + "2")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(1)")]
    for folder in (root, sibling):
        folder.mkdir(exist_ok=True)
        nbformat.write(nb, str(folder / ("good.ipynb" if folder == root else "n.ipynb")))
    (root / "link.ipynb").symlink_to(sibling / "n.ipynb")
    write(root, "script.py", "print(1)\n")
    write(root, "broken.ipynb", "{this is not a notebook")
    body = {k: (v.replace("ROOT2", str(sibling)) if isinstance(v, str) else v) for k, v in body.items()}
    before = sorted(p.name for p in root.iterdir()), sorted(p.name for p in sibling.iterdir())
    assert_user_error(await api.post("export", body), *codes)
    assert (sorted(p.name for p in root.iterdir()), sorted(p.name for p in sibling.iterdir())) == before


@pytest.mark.parametrize("raw", [b"nope", b"[]", b"null"])
async def test_export_bodies_that_are_not_objects(api, raw):
    assert_user_error(await api.call("POST", "export", raw=raw), 400)
