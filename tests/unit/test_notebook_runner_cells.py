"""A notebook job names its cells as the notebook shows them (issue 10 §3: "cell numbers in messages
match the cell cards"): markdown and empty code cells count, from 1, so a failure's ``cell 4, line 2``
is the notebook's 4th cell, the wizard's "Cell 4"."""

from __future__ import annotations

import sys

import nbformat
import pytest
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


@pytest.mark.parametrize(("cells", "code", "out", "progress", "cell_frames", "explained"), [
    pytest.param(
        [
            new_markdown_cell("# A notebook that fails"),
            new_code_cell("settings = {'epochs': 1}\nprint('settings', settings)"),
            new_code_cell("   \n"),
            new_code_cell("print('training')\nrate = settings['rate']"),
        ],
        1, ["settings {'epochs': 1}", "training"],
        # progress lines count the notebook's cells; the skipped ones are not run
        ["[mo] cell 2/4", "[mo] cell 4/4", "[mo] cell 4 failed"],
        ['  File "<cell 4>", line 2, in <module>'], "KeyError: 'rate' (cell 4, line 2)",
        id="a failure names the notebook's own cell number",
    ),
    pytest.param(
        [
            new_code_cell("print('one')"),
            new_markdown_cell("print('not code')"),
            new_code_cell(""),
            new_code_cell("print('four')"),
        ],
        0, ["one", "four"], ["[mo] cell 1/4", "[mo] cell 4/4"], [], None,
        id="only code cells with code run",
    ),
])
def test_cells_are_counted_as_the_notebook_shows_them(
    tmp_path, capsys, monkeypatch, cells, code, out, progress, cell_frames, explained
):
    got_code, got_out, err = run(tmp_path, capsys, monkeypatch, cells)
    assert got_code == code
    assert got_out.splitlines() == out
    assert [line for line in err if line.startswith("[mo] cell")] == progress
    assert [line for line in err if line.startswith('  File "<cell')] == cell_frames
    assert (explain({"stderr": err}) if got_code else None) == explained
