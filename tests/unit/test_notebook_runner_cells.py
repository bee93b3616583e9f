"""A notebook job names its cells as the notebook shows them (issue 10 §3: "cell numbers in messages
match the cell cards"): markdown and empty code cells count, from 1, so a failure's ``cell 4, line 2``
is the notebook's 4th cell, the wizard's "Cell 4"."""

from __future__ import annotations

import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mo_jupyter.jobs.failure import explain
from mo_jupyter.jobs.notebook_runner import main


def run(tmp_path, capsys, monkeypatch, cells):
    monkeypatch.setattr(sys, "argv", list(sys.argv))  # the runner sets the notebook's own argv
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=cells), str(path))
    code = main([str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err.splitlines()


def test_a_failure_names_the_notebooks_own_cell_number(tmp_path, capsys, monkeypatch):
    code, out, err = run(tmp_path, capsys, monkeypatch, [
        new_markdown_cell("# A notebook that fails"),
        new_code_cell("settings = {'epochs': 1}\nprint('settings', settings)"),
        new_code_cell("   \n"),
        new_code_cell("print('training')\nrate = settings['rate']"),
    ])
    assert code == 1
    assert out.splitlines() == ["settings {'epochs': 1}", "training"]
    # progress lines count the notebook's cells; the skipped ones are not run
    assert [line for line in err if line.startswith("[mo] cell")] == \
        ["[mo] cell 2/4", "[mo] cell 4/4", "[mo] cell 4 failed"]
    assert '  File "<cell 4>", line 2, in <module>' in err
    assert explain({"stderr": err}) == "KeyError: 'rate' (cell 4, line 2)"


def test_only_code_cells_with_code_run(tmp_path, capsys, monkeypatch):
    code, out, err = run(tmp_path, capsys, monkeypatch, [
        new_code_cell("print('one')"),
        new_markdown_cell("print('not code')"),
        new_code_cell(""),
        new_code_cell("print('four')"),
    ])
    assert code == 0
    assert out.splitlines() == ["one", "four"]
    assert [line for line in err if line.startswith("[mo] cell")] == ["[mo] cell 1/4", "[mo] cell 4/4"]
