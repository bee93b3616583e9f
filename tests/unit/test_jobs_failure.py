"""A failed job's reason names its error: the parser on real tracebacks, and real jobs."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import orjson
from nbformat.v4 import new_code_cell, new_notebook

from mo_jupyter.jobs.failure import MAX_CHARS, TAIL_BYTES, explain, failure_error, tail_lines
from mo_jupyter.jobs.records import EVENTS

from .jobhelpers import make_service, script

REPO = Path(__file__).resolve().parents[2]

FAILING = 'import json\n\nconfig = {"train": 1}\n\ndef main():\n    return config["test"]\n\n\nmain()\n'


def run(root, name, body, *args):
    """Run a real program in ``root``; its output as the parser gets it (lines by stream)."""
    (root / name).write_text(body)
    done = subprocess.run([*args] or [sys.executable, name], cwd=root, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    return {"stdout": done.stdout.splitlines(), "stderr": done.stderr.splitlines()}


def test_the_failing_script_fails_on_line_6():
    assert FAILING.splitlines()[5] == '    return config["test"]'


def test_last_exception_line_and_the_users_frame(tmp_path):
    out = run(tmp_path, "failing.py", FAILING)
    assert explain(out, [str(tmp_path)]) == "KeyError: 'test' (failing.py:6)"
    # without the project root the absolute path is never shown
    assert explain(out, []) == "KeyError: 'test'"


def test_chained_exceptions_give_the_last_one(tmp_path):
    out = run(tmp_path, "chained.py", "def load(d):\n    return d['test']\ntry:\n    load({})\n"
              "except KeyError as e:\n    raise ValueError('bad config') from e\n")
    assert explain(out, [str(tmp_path)]) == "ValueError: bad config (chained.py:6)"


def test_a_syntax_error_with_its_caret_lines(tmp_path):
    out = run(tmp_path, "syn.py", "x = 1\ndef f(:\n    pass\n")
    assert any(line.strip() == "^" for line in out["stderr"])  # the caret lines are there
    assert explain(out, [str(tmp_path)]) == "SyntaxError: invalid syntax (syn.py:2)"


def test_a_syntax_error_in_an_imported_module(tmp_path):
    (tmp_path / "helper.py").write_text("def f(:\n")
    out = run(tmp_path, "main.py", "import helper\n")
    assert explain(out, [str(tmp_path)]) == "SyntaxError: invalid syntax (helper.py:1)"


def test_keyboard_interrupt(tmp_path):
    out = run(tmp_path, "kb.py", "import time\nraise KeyboardInterrupt\n")
    assert explain(out, [str(tmp_path)]) == "KeyboardInterrupt (kb.py:2)"


def test_a_frame_in_an_installed_package_is_not_the_users(tmp_path):
    lib = tmp_path / ".venv" / "lib" / "site-packages"
    lib.mkdir(parents=True)
    (lib / "somelib.py").write_text("def get(d):\n    return d['x']\n")
    body = f"import sys\nsys.path.insert(0, {str(lib)!r})\nimport somelib\n\nsomelib.get({{}})\n"
    out = run(tmp_path, "use.py", body)
    assert explain(out, [str(tmp_path)]) == "KeyError: 'x' (use.py:5)"


def test_a_program_that_is_not_python(tmp_path):
    out = run(tmp_path, "s.sh", "echo working\necho 'cp: cannot stat data.csv: No such file' >&2\n\nexit 2\n",
              "sh", "s.sh")
    assert explain(out, [str(tmp_path)]) == "cp: cannot stat data.csv: No such file"


def test_sys_exit_with_a_message(tmp_path):
    out = run(tmp_path, "e.py", "import sys\nprint('done?')\nsys.exit('no data in datasets/x')\n")
    assert explain(out, [str(tmp_path)]) == "no data in datasets/x"


def test_nothing_on_stderr_says_nothing(tmp_path):
    out = run(tmp_path, "q.py", "import sys\nprint('about to fail')\nsys.exit(3)\n")
    assert explain(out, [str(tmp_path)]) is None


def test_a_traceback_on_stdout_and_one_on_stderr(tmp_path):
    body = ("import sys, traceback\ntry:\n    1 / 0\nexcept Exception:\n    traceback.print_exc(file=sys.stdout)\n"
            "sys.stdout.flush()\nprint('warning: slow disk', file=sys.stderr)\n")
    # only stdout holds a traceback: it beats stderr's last line
    out = run(tmp_path, "o.py", body + "sys.exit(1)\n")
    assert explain(out, [str(tmp_path)]) == "ZeroDivisionError: division by zero (o.py:3)"
    # a traceback on stderr beats the one on stdout
    out = run(tmp_path, "e.py", body + "{}['k']\n")
    assert explain(out, [str(tmp_path)]) == "KeyError: 'k' (e.py:8)"


def test_a_huge_last_line_is_cut(tmp_path):
    out = run(tmp_path, "big.py", "raise ValueError('x' * 100000)\n")
    reason = explain(out, [str(tmp_path)])
    assert reason.endswith("… (big.py:1)") and reason.startswith("ValueError: xxx")
    assert len(reason) == MAX_CHARS + len(" (big.py:1)")
    out = run(tmp_path, "big.sh", "printf '%0100000d\\n' 0 >&2; exit 1\n", "sh", "big.sh")
    assert len(explain(out)) == MAX_CHARS


def test_colours_and_control_characters_are_removed():
    out = {"stderr": ["\x1b[31mError:\x1b[0m model\x07 missing"]}
    assert explain(out) == "Error: model  missing"


def test_only_the_tail_of_the_events_is_read(tmp_path):
    lines = [orjson.dumps({"type": "log", "stream": "stderr", "line": f"line {i}", "seq": i}) for i in range(20000)]
    (tmp_path / EVENTS).write_bytes(b"\n".join(lines) + b"\n")
    got = tail_lines(tmp_path)["stderr"]
    assert got[-1] == "line 19999" and len(got) < 20000
    assert sum(len(line) for line in lines[-len(got):]) <= TAIL_BYTES
    assert failure_error(tmp_path) == "line 19999"
    assert failure_error(tmp_path / "missing") is None


# ---- real jobs --------------------------------------------------------------------------------

def test_a_failed_jobs_reason_names_its_error(tmp_path):
    svc = make_service(tmp_path)
    script(tmp_path, "failing.py", FAILING)
    done = svc.wait(svc.create({"path": "failing.py"})["id"], timeout=30)
    assert done["state"] == "failed" and done["exit_code"] == 1
    assert done["reason"] == "KeyError: 'test' (failing.py:6)"


def test_a_failed_notebook_jobs_reason_names_the_cell(tmp_path):
    svc = make_service(tmp_path)
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("y = {}\n\nprint(y['test'])")])
    nbformat.write(nb, str(tmp_path / "nb.ipynb"))
    done = svc.wait(svc.create({"path": "nb.ipynb"})["id"], timeout=60)
    assert done["state"] == "failed" and done["exit_code"] == 1
    assert done["reason"] == "KeyError: 'test' (cell 2, line 3)"


def test_the_cli_prints_the_error_and_the_exit_code(tmp_path):
    script(tmp_path, "failing.py", FAILING)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cli = [sys.executable, "-m", "mo_jupyter.cli.main", "job"]
    run = subprocess.run([*cli, "run", "failing.py", "--wait"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    job_id = run.stdout.strip()
    assert run.returncode == 1
    assert f"{job_id}: failed: KeyError: 'test' (failing.py:6); exited with code 1" in run.stderr
    show = subprocess.run([*cli, "show", job_id], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60).stdout
    assert "reason       KeyError: 'test' (failing.py:6)" in show and "exit_code    1" in show
