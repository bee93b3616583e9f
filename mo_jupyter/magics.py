"""IPython magics and ``!shell`` lines turned into plain, runnable Python (or commented out with a
note), so that an exported notebook runs as a job. Pure text work: no code is executed here.
"""

from __future__ import annotations

import re
import shlex

NOTE = "# [mo export]"
IMPORTS = "import os, subprocess, sys  # added by mo_jupyter: used by converted magics"

# Magics that only make sense in an interactive kernel: dropped with a note.
_NOTEBOOK_ONLY = {
    "matplotlib", "load_ext", "reload_ext", "unload_ext", "autoreload", "aimport", "config",
    "precision", "pylab", "pprint", "xmode", "colors", "notebook", "qtconsole", "gui", "who",
    "whos", "who_ls", "history", "hist", "lsmagic", "magic", "automagic", "autocall", "clear",
    "reset", "load", "pdb", "debug", "pinfo", "pinfo2", "psearch", "page", "tb", "store",
}
# Cell magics whose body is plain Python run as is.
_PASSTHROUGH_CELL = {"time", "timeit", "capture", "prun", "debug", "python", "python3"}
_SHELL_CELL = {"bash", "sh", "script", "system"}
_ASSIGN_SHELL = re.compile(r"^([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*!(.*)$")
_ASSIGN_MAGIC = re.compile(r"^([A-Za-z_][\w.]*)\s*=\s*%(\w+)(.*)$")


def _shell(cmd: str) -> str:
    return f"subprocess.run({cmd.strip()!r}, shell=True, check=False)"


def _line_magic(name: str, arg: str) -> str:
    arg = arg.strip()
    if name in ("pip", "conda", "mamba"):
        tool = "[sys.executable, '-m', 'pip']" if name == "pip" else repr([name])
        return f"subprocess.run({tool} + {shlex.split(arg)!r}, check=False)"
    if name == "cd":
        return f"os.chdir({arg or '~'!r})" if arg != "-" else f"{NOTE} %cd - (no previous directory in a job)"
    if name in ("env", "set_env"):
        m = re.match(r"^([A-Za-z_]\w*)\s*[= ]\s*(.*)$", arg)
        if m:
            return f"os.environ[{m.group(1)!r}] = {m.group(2).strip()!r}"
        return "print(dict(os.environ))" if not arg else f"print(os.environ.get({arg!r}))"
    if name in ("time", "timeit", "prun"):
        return arg.split("--", 1)[-1] if arg else ""
    if name == "run":
        parts = shlex.split(arg)
        parts = [p for p in parts if not p.startswith("-")] if parts else []
        return f"subprocess.run([sys.executable] + {parts!r}, check=True)"
    if name in ("sx", "system"):
        return _shell(arg)
    if name in ("ls", "pwd", "mkdir", "rm", "cp", "mv", "cat", "rmdir", "less", "man"):
        return _shell(f"{name} {arg}")
    if name in _NOTEBOOK_ONLY:
        return f"{NOTE} not needed outside a notebook: %{name} {arg}".rstrip()
    return f"{NOTE} magic not supported in a job, commented out: %{name} {arg}".rstrip()


def _convert_line(line: str) -> tuple[str, bool]:
    """One source line -> (python line, whether it was a magic)."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if stripped.startswith("!!"):
        return indent + _shell(stripped[2:]), True
    if stripped.startswith("!"):
        return indent + _shell(stripped[1:]), True
    m = _ASSIGN_SHELL.match(stripped)
    if m and not stripped.startswith(("!=",)) and "==" not in stripped.split("!")[0]:
        cmd = m.group(2).strip()
        return indent + (
            f"{m.group(1)} = subprocess.run({cmd!r}, shell=True, capture_output=True, text=True)"
            ".stdout.splitlines()"
        ), True
    m = _ASSIGN_MAGIC.match(stripped)
    if m:
        return indent + f"{NOTE} magic not supported in a job, commented out: {stripped}", True
    if stripped.startswith("%") and not stripped.startswith("%%"):
        name, _, arg = stripped[1:].partition(" ")
        return indent + _line_magic(name, arg), True
    if re.match(r"^[\w.]+\?{1,2}$|^\?{1,2}[\w.]+$", stripped):
        return indent + f"{NOTE} help syntax, commented out: {stripped}", True
    return line, False


def convert_source(source: str) -> tuple[str, bool]:
    """A code cell's source -> (runnable Python, whether any magic was converted)."""
    if source.lstrip().startswith("%%"):
        head, _, body = source.lstrip().partition("\n")
        name, _, arg = head[2:].partition(" ")
        arg = arg.strip()
        if name in _SHELL_CELL:
            shell = "/bin/bash" if name != "sh" else "/bin/sh"
            if name == "script":
                shell = arg.split()[0] if arg else "/bin/sh"
                shell = shell if shell.startswith("/") else f"/usr/bin/env {shell}"
                return f"subprocess.run([{shell.split()[0]!r}] + {shell.split()[1:]!r}, input={body!r}, text=True, check=False)", True
            return f"subprocess.run({body!r}, shell=True, executable={shell!r}, check=False)", True
        if name == "writefile":
            target = shlex.split(arg)[-1] if arg else "out.txt"
            mode = "a" if arg.startswith("-a") else "w"
            return f"with open({target!r}, {mode!r}) as _f:\n    _f.write({body!r})", True
        if name in _PASSTHROUGH_CELL:
            converted, _ = convert_source(body)
            return f"{NOTE} %%{name} dropped\n{converted}", True
        commented = "\n".join(f"# {line}" for line in source.splitlines())
        return f"{NOTE} cell magic %%{name} not supported in a job, cell commented out:\n{commented}", True
    out, changed = [], False
    for line in source.splitlines():
        new, was_magic = _convert_line(line)
        out.append(new)
        changed = changed or was_magic
    return "\n".join(out), changed
