"""Notebook -> .py: markdown becomes comments, magics become runnable Python, the file runs."""

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mo_jupyter.errors import BadRequest, Conflict, NotFound
from mo_jupyter.export import export_notebook
from mo_jupyter.magics import convert_source


def write_nb(path, cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_exported_notebook_with_magics_runs(tmp_path):
    write_nb(tmp_path / "train.ipynb", [
        new_markdown_cell("# Training\nThis trains **nothing**."),
        new_code_cell("%matplotlib inline\nimport os\n!echo shell-ran > marker.txt\nx = 2"),
        new_code_cell("%%bash\necho bash-cell-ran >> marker.txt"),
        new_code_cell("files = !ls\nprint('listed', len(files) > 0)"),
        new_code_cell("%env MO_TEST=42\nprint('env', os.environ['MO_TEST'])"),
        new_code_cell("%%time\ny = x * 21\nprint('answer', y)"),
        new_code_cell("%load_ext autoreload\n%autoreload 2\nos?"),
        new_code_cell("%%html\n<b>not python</b>"),
        new_code_cell('print(\'{"metric": "acc", "value": 0.5}\')'),
    ])
    assert export_notebook(tmp_path, "train.ipynb") == "train.py"
    text = (tmp_path / "train.py").read_text()
    assert "# Training" in text and "# This trains **nothing**." in text
    assert "get_ipython" not in text
    assert "# [mo export]" in text and "<b>not python</b>" in text
    run = subprocess.run([sys.executable, "train.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "marker.txt").read_text() == "shell-ran\nbash-cell-ran\n"
    for expected in ("listed True", "env 42", "answer 42", '{"metric": "acc", "value": 0.5}'):
        assert expected in run.stdout


def test_plain_notebook_needs_no_extra_imports(tmp_path):
    write_nb(tmp_path / "a.ipynb", [new_code_cell("print(1)")])
    export_notebook(tmp_path, "a.ipynb")
    assert "added by mo_jupyter" not in (tmp_path / "a.py").read_text()


def test_existing_py_is_not_overwritten_without_asking(tmp_path):
    write_nb(tmp_path / "a.ipynb", [new_code_cell("print(1)")])
    (tmp_path / "a.py").write_text("# my edits\n")
    with pytest.raises(Conflict):
        export_notebook(tmp_path, "a.ipynb")
    assert (tmp_path / "a.py").read_text() == "# my edits\n"
    export_notebook(tmp_path, "a.ipynb", overwrite=True)
    assert "print(1)" in (tmp_path / "a.py").read_text()


def test_custom_output_and_refusals(tmp_path):
    write_nb(tmp_path / "a.ipynb", [new_code_cell("print(1)")])
    assert export_notebook(tmp_path, "a.ipynb", out="b.py") == "b.py"
    (tmp_path / "x.txt").write_text("{}")
    with pytest.raises(BadRequest):
        export_notebook(tmp_path, "x.txt")
    (tmp_path / "bad.ipynb").write_text("not json")
    with pytest.raises(BadRequest, match="not a readable notebook"):
        export_notebook(tmp_path, "bad.ipynb")
    with pytest.raises(BadRequest):
        export_notebook(tmp_path, "a.ipynb", out="../elsewhere.py")
    with pytest.raises(BadRequest):
        export_notebook(tmp_path, "a.ipynb", out="b.txt")


def test_export_where_no_file_can_be_written_is_a_clear_error(tmp_path):
    write_nb(tmp_path / "a.ipynb", [new_code_cell("print(1)")])
    with pytest.raises(NotFound, match="no folder 'missing/deeper'"):
        export_notebook(tmp_path, "a.ipynb", out="missing/deeper/a.py")
    (tmp_path / "file.txt").write_text("a file")
    with pytest.raises(NotFound, match="no folder 'file.txt'"):
        export_notebook(tmp_path, "a.ipynb", out="file.txt/a.py")
    (tmp_path / "folder.py").mkdir()
    with pytest.raises(Conflict, match="is a folder"):
        export_notebook(tmp_path, "a.ipynb", out="folder.py", overwrite=True)
    with pytest.raises(BadRequest, match="too long"):
        export_notebook(tmp_path, "a.ipynb", out="n" * 300 + ".py")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ipynb", "file.txt", "folder.py"]


@pytest.mark.parametrize("source,expected", [
    ("!pip install numpy", "subprocess.run('pip install numpy', shell=True, check=False)"),
    ("%pip install -q numpy", "subprocess.run([sys.executable, '-m', 'pip'] + ['install', '-q', 'numpy'], check=False)"),
    ("%cd data", "os.chdir('data')"),
    ("    !ls", "    subprocess.run('ls', shell=True, check=False)"),
    ("a = 1 != 2", "a = 1 != 2"),
    ("x = 3 % 2", "x = 3 % 2"),
    ("!7zx ./datasets/a/b.zip", "subprocess.run('7zx ./datasets/a/b.zip', shell=True, check=False)"),
])
def test_line_conversions(source, expected):
    assert convert_source(source)[0] == expected


def test_converted_code_compiles_for_every_magic_kind():
    for src in ["%timeit x = 1", "%run other.py --flag", "%who", "%unknown_magic foo", "%%writefile f.txt\nhello",
                "%%script python3\nprint(1)", "%%capture\nprint(2)", "%%sh\necho 1", "%env", "%env A B"]:
        code, changed = convert_source(src)
        compile(code, "<test>", "exec")
        assert changed, src
