"""Every ``jupyter mo`` subcommand with hostile arguments: one line on stderr, exit 2 (or a documented
0), never a traceback. The subcommands come from the CLI's own parser: a new one is attacked too."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mo_jupyter.cli.main import build_parser, main

REPO = Path(__file__).resolve().parents[2]
HOSTILE = ["x" * 5000, "a" * 300, "é" * 200 + ".py", "a\x00b", "../../etc/passwd", "/etc/passwd", "link_etc",
           "loop/x.py", "file.txt/x.py", "link_out/x.py", "ünï😀", "-", " ", "9" * 40, "a/b/c/d", "owner/" + "n" * 300,
           "\udcff.py"]
LINE_BOUND = 1200


def leaf_commands(parser: argparse.ArgumentParser, prefix=()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    out = []
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [(prefix, parser)]
    for name, sub in subs[0].choices.items():
        out += leaf_commands(sub, (*prefix, name))
    return out


def argvs() -> list[list[str]]:
    """For each leaf command: each positional hostile (the others benign), each option that takes a
    value hostile (the positionals benign)."""
    out = []
    for words, parser in leaf_commands(build_parser()):
        positionals = [a for a in parser._actions if not a.option_strings and a.nargs != 0
                       and not isinstance(a, argparse._SubParsersAction)]
        options = [a for a in parser._actions if a.option_strings and a.nargs != 0 and a.dest != "help"
                   and not a.choices and not isinstance(a, (argparse._StoreTrueAction, argparse._StoreFalseAction,
                                                            argparse._StoreConstAction, argparse._HelpAction))]
        benign = ["nosuch" for a in positionals if a.nargs not in ("?", "*")]
        for i, action in enumerate(positionals):
            for value in HOSTILE:
                args = list(benign)
                if i < len(args):
                    args[i] = value
                else:
                    args.append(value)
                out.append([*words, *args])
        for option in options:
            for value in HOSTILE:
                out.append([*words, *benign, f"{option.option_strings[-1]}={value}"])
    for value in HOSTILE[:6]:  # the global options
        out.append([f"--root={value}", "job", "list"])
        out.append([f"--jobs-dir={value}", "job", "list"])
    return out


@pytest.fixture
def hostile_project(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "ok.py").write_text("print('ok')\n")
    (root / "file.txt").write_text("a file\n")
    (root / "nb.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    os.symlink("/etc/passwd", root / "link_etc")
    os.symlink(outside, root / "link_out")
    os.symlink("loop", root / "loop")
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        (tmp_path / name).mkdir()
        monkeypatch.setenv(name, str(tmp_path / name))
    monkeypatch.chdir(root)
    return root


def run_in_process(argv, capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    return code, capsys.readouterr().err


def test_every_subcommand_with_hostile_arguments_is_one_line_exit_2(hostile_project, capsys):
    commands = argvs()
    covered = {tuple(w) for w, _ in leaf_commands(build_parser())}
    assert len(covered) >= 25, covered  # job, dataset, module, service, handle, image, export, serve, deploy ...
    failures = []
    for argv in commands:
        code, err = run_in_process(argv, capsys)
        lines = err.strip().splitlines()
        ok = code in (0, 2) and "Traceback" not in err and all(len(line) <= LINE_BOUND for line in lines)
        if code == 2:
            ok = ok and len(lines) == 1 and lines[0].strip()
        if not ok:
            failures.append(f"{[a[:40] for a in argv]} -> exit {code}: {err[:300]!r}")
    assert not failures, f"{len(failures)} of {len(commands)}:\n" + "\n".join(failures[:40])


@pytest.mark.parametrize("argv", [
    ["job", "show", "x" * 5000],
    ["export", "link_etc"],
    ["job", "run", "a" * 300 + ".py"],
    ["dataset", "import", "file.txt/x.zip", "--name", "n" * 300],
    ["nosuch-noun"],
])
def test_a_real_jupyter_mo_prints_one_line_and_exits_2(hostile_project, argv):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", *argv], cwd=hostile_project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) <= LINE_BOUND and "Traceback" not in proc.stderr, proc.stderr[:2000]


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(hostile_project, capsys, monkeypatch):
    from mo_jupyter.cli import job_cmd

    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(job_cmd, "cmd_list", broken)
    parser_args = ["job", "list"]
    code, err = run_in_process(parser_args, capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "--debug" in err and "Traceback" not in err
    code, err = run_in_process(["--debug", *parser_args], capsys)
    assert code == 1 and "Traceback" in err and "KeyError" in err
