"""The body of ``handle(conf)``: its ``conf[...]`` reads and comments become inputs, the keys of
its returned dicts become outputs (``ast`` + ``tokenize`` only; see parse.py for the rules)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Any

from .. import schemas
from ..errors import BadRequest, cut
from ..loaders import VALUE_LIMITS, load_yaml_text
from .spec import TYPE_SCHEMA, parse_range, validate

TYPES = tuple(TYPE_SCHEMA)
_TYPE_ALIASES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "image": "img",
                 "list[int]": "[int]", "list[str]": "[str]", "list[float]": "[float]"}
_FIELD = re.compile(r"#\s*(value_type|type|description|des|optional|required|value_range|range)\s*[:：]", re.I)
_FIELD_ALIASES = {"type": "value_type", "des": "description", "range": "value_range"}
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
_TRUE, _FALSE = {"true", "yes", "1", "y", "是"}, {"false", "no", "0", "n", "否"}
# Cells that match neither are not parsed unless selected: no imports, no handle, no magic in them.
_NO_DEFAULT = object()



class Problems(list):
    def add(self, severity: str, message: str, cell: int | None, line: int | None) -> None:
        self.append({"severity": severity, "message": message, "cell": cell, "line": line})


# ----------------------------------------------------------------------------- comments and values

def comment_fields(comment: str) -> dict[str, str]:
    """``# value_type: float # description: a # b`` -> {value_type: float, description: 'a # b'}."""
    found = list(_FIELD.finditer(comment))
    out: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(comment)
        name = m.group(1).lower()
        out.setdefault(_FIELD_ALIASES.get(name, name), comment[m.end():end].strip())
    return out


def _comments(lines: list[str], start: int, end: int) -> dict[int, str]:
    """Line number -> the comment on it, for lines start..end (tokenize only; no code runs)."""
    out: dict[int, str] = {}
    reader = io.StringIO("".join(lines[start - 1:end])).readline
    try:
        for tok in tokenize.generate_tokens(reader):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0] + start - 1] = tok.string
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def _plain(value: Any) -> Any:
    """Tuples -> lists; anything YAML/JSON cannot hold plainly -> _NO_DEFAULT."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [_plain(v) for v in value]
        return _NO_DEFAULT if any(v is _NO_DEFAULT for v in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {k: _plain(v) for k, v in value.items()}
        return _NO_DEFAULT if any(v is _NO_DEFAULT for v in items.values()) else items
    return _NO_DEFAULT


def guess_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, str)):
        return {int: "int", float: "float", str: "str"}[type(value)]
    if isinstance(value, list) and value:
        kinds = {guess_type(v) for v in value}
        if kinds == {"int"}:
            return "[int]"
        if kinds <= {"int", "float"}:
            return "[float]"
        if kinds == {"str"}:
            return "[str]"
    return None


def _fits(value: Any, vtype: str) -> bool:
    if value is None:
        return True
    if vtype.startswith("["):
        return isinstance(value, list) and all(_fits(v, vtype[1:-1]) for v in value)
    if vtype == "bool":
        return isinstance(value, bool)
    if vtype in ("int", "float"):
        ok = (int,) if vtype == "int" else (int, float)
        return isinstance(value, ok) and not isinstance(value, bool)
    return isinstance(value, str)


def _norm_type(text: str) -> str:
    t = re.sub(r"\s+", "", text.strip().strip("'\"`")).lower()
    return _TYPE_ALIASES.get(t, t)


def _literal(node: ast.AST) -> Any:
    try:
        return _plain(ast.literal_eval(node))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NO_DEFAULT


# ----------------------------------------------------------------------------- the handle's body

class _Reader(ast.NodeVisitor):
    """Collects conf reads, legacy params[...] declarations and handle's own returns."""

    def __init__(self, name: str, problems: Problems, cell: int | None):
        self.name, self.problems, self.cell = name, problems, cell
        self.reads: list[dict] = []  # {key, line, end, default, optional}
        self.returns: list[ast.Return] = []
        self.depth = 0

    def _read(self, key_node, node, default=_NO_DEFAULT, optional=None):
        if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str):
            self.reads.append({"key": key_node.value, "line": node.lineno, "end": node.end_lineno,
                               "default": default, "optional": optional})
        else:
            self.problems.add("warning", f"{self.name}[...] with a key that is not a string literal: "
                              "it cannot be listed as an input", self.cell, node.lineno)

    def _is_conf(self, node) -> bool:
        return isinstance(node, ast.Name) and node.id == self.name

    def visit_Subscript(self, node):
        if self._is_conf(node.value) and isinstance(node.ctx, ast.Load):
            self._read(node.slice, node)
        self.generic_visit(node)

    def visit_Call(self, node):
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "get" and self._is_conf(f.value) and node.args:
            if len(node.args) > 1:
                default = _literal(node.args[1])
                if default is _NO_DEFAULT:
                    self.problems.add("warning", f"the default of {self.name}.get(...) is not a literal: "
                                      "left out of app_spec.yml", self.cell, node.lineno)
                # a None or non-literal default: the caller may leave the key out
                optional = True if default is None or default is _NO_DEFAULT else None
                self._read(node.args[0], node, _NO_DEFAULT if default is None else default, optional)
            else:
                self._read(node.args[0], node, optional=True)
        self.generic_visit(node)

    def visit_Assign(self, node):
        for target in node.targets:
            if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                    and target.value.id == "params" and self.name != "params"):
                default = _literal(node.value)
                self._read(target.slice, target, _NO_DEFAULT if default is None else default)
        self.generic_visit(node)

    def _nested(self, node, args: ast.arguments | None):
        names = {a.arg for a in (args.posonlyargs + args.args + args.kwonlyargs)} if args else set()
        names |= {a.arg for a in (args.vararg, args.kwarg) if a} if args else set()
        if self.name in names:
            return  # the name is rebound: that helper's reads are not conf's
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_FunctionDef(self, node):
        self._nested(node, node.args)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._nested(node, node.args)

    def visit_ClassDef(self, node):
        self._nested(node, None)

    def visit_Return(self, node):
        if self.depth == 0:
            self.returns.append(node)
        self.generic_visit(node)


def _type_of(fields: dict, what: str, problems: Problems, cell, line) -> str | None:
    raw = fields.get("value_type")
    if raw is None or raw.strip().lower() == "ignore":
        return None
    vtype = _norm_type(raw)
    if vtype not in TYPES:
        problems.add("error", f"{what}: unknown value_type '{raw}' (one of {', '.join(TYPES)})", cell, line)
        return None
    return vtype


def _input_param(key: str, reads: list[dict], comments: dict, problems: Problems, cell) -> dict:
    typed: list[tuple[str, int]] = []
    param: dict = {"name": key}
    default, optional, implied = _NO_DEFAULT, None, None
    for r in reads:
        fields = comment_fields(comments.get(r["line"]) or comments.get(r["end"]) or "")
        vtype = _type_of(fields, f"input '{key}'", problems, cell, r["line"])
        if vtype:
            typed.append((vtype, r["line"]))
        if fields.get("description") and "description" not in param:
            param["description"] = fields["description"]
        for name in ("optional", "required"):
            if name in fields:
                flag = fields[name].strip().lower()
                if flag in _TRUE | _FALSE:
                    optional = (flag in _TRUE) == (name == "optional")
                else:
                    problems.add("warning", f"input '{key}': {name} '{fields[name]}' is not true/false",
                                 cell, r["line"])
        if "value_range" in fields and "value_range" not in param:
            param["value_range"] = (fields["value_range"], r["line"])
        if r["default"] is not _NO_DEFAULT and default is _NO_DEFAULT:
            default = r["default"]
        if r["optional"]:
            implied = True
    line = reads[0]["line"]
    kinds = sorted({t for t, _ in typed})
    if len(kinds) > 1:
        where = " and ".join(f"{t} (line {n})" for t, n in typed)
        problems.add("error", f"input '{key}' is read with two types: {where}", cell, typed[1][1])
    if typed:
        param["value_type"] = typed[0][0]
    elif guess_type(default):
        param["value_type"] = guess_type(default)
        problems.add("warning", f"input '{key}': no value_type comment; guessed {param['value_type']} "
                     "from the default", cell, line)
    else:
        param["value_type"] = "str"
        problems.add("error", f"input '{key}': no value_type comment (add  # value_type: float  on its line); "
                     "str stands in", cell, line)
    if default is not _NO_DEFAULT:
        if not _fits(default, param["value_type"]):
            problems.add("warning", f"input '{key}': the default {cut(repr(default), 200)} is not a "
                         f"{param['value_type']}", cell, line)
        param["default_value"] = default
    optional = implied if optional is None else optional
    if optional is not None:
        param["optional"] = optional
    if "value_range" in param:
        raw, rline = param.pop("value_range")
        value = raw
        if raw[:1] in "[{":
            try:
                value = load_yaml_text(raw, "value_range", VALUE_LIMITS)  # bounded: a comment is input too
            except BadRequest:
                value = raw
        try:
            parse_range(value, param["value_type"], key)
            schemas.validate("app_spec#range", value)
            param["value_range"] = value
        except BadRequest as exc:
            problems.add("error", f"input '{key}': value_range {cut(repr(raw), 200)} is not a list, 'a-b', '>=a', '<=a' or "
                         f"{{min, max}} ({exc.message}); left out", cell, rline)
    return param


def _outputs(returns: list[ast.Return], comments: dict, problems: Problems, cell) -> dict:
    found: dict[str, list[tuple[dict, int]]] = {}

    def add(key: str, line: int, end: int):
        fields = comment_fields(comments.get(line) or comments.get(end) or "")
        vtype = _type_of(fields, f"output '{key}'", problems, cell, line)
        param = {"name": key, "value_type": vtype}
        if fields.get("description"):
            param["description"] = fields["description"]
        found.setdefault(key, []).append((param, line))

    for ret in returns:
        value, line = ret.value, ret.lineno
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            problems.add("warning", "a return without a dict: handle gives no outputs there", cell, line)
        elif isinstance(value, ast.Dict):
            for k, v in zip(value.keys, value.values):
                if k is None:
                    problems.add("warning", "return {**...}: the keys it unpacks are not known; add those "
                                 "outputs to app_spec.yml by hand", cell, v.lineno)
                elif isinstance(k, ast.Constant) and isinstance(k.value, str):
                    add(k.value, k.lineno, v.end_lineno)
                else:
                    problems.add("warning", "a returned key that is not a string literal is not listed as an "
                                 "output", cell, k.lineno)
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict" \
                and not value.args:
            for kw in value.keywords:
                if kw.arg is None:
                    problems.add("warning", "return dict(**...): the keys it unpacks are not known",
                                 cell, kw.value.lineno)
                else:
                    add(kw.arg, kw.value.lineno, kw.value.end_lineno)
        else:
            problems.add("warning", "handle returns something that is not a dict literal: its keys are not "
                         "known; add the outputs to app_spec.yml by hand", cell, line)
    out = {}
    for key, entries in found.items():
        typed = [(p["value_type"], n) for p, n in entries if p["value_type"]]
        if len({t for t, _ in typed}) > 1:
            where = " and ".join(f"{t} (line {n})" for t, n in typed)
            problems.add("error", f"output '{key}' is returned with two types: {where}", cell, typed[1][1])
        param = {"name": key, "value_type": typed[0][0] if typed else "str"}
        desc = next((p["description"] for p, _ in entries if p.get("description")), None)
        if desc:
            param["description"] = desc
        if not typed:
            problems.add("warning", f"output '{key}' has no value_type comment (add  # value_type: str  on "
                         "its line); str stands in", cell, entries[0][1])
        out[key] = param
    return out


def scan_handle(fn: ast.FunctionDef, lines: list[str], cell: int | None, problems: Problems) -> dict:
    """The app_spec ({input, output}) of one handle function node; problems are appended."""
    a = fn.args
    positional = a.posonlyargs + a.args
    if isinstance(fn, ast.AsyncFunctionDef):
        problems.add("error", "handle is 'async def': Mo calls handle(conf) as a plain function", cell, fn.lineno)
    if not positional:
        problems.add("error", "handle has no parameter: write def handle(conf):", cell, fn.lineno)
        return {"input": {}, "output": {}}
    required = len(positional) - len(a.defaults)
    if required > 1 or any(d is None for d in a.kw_defaults):
        problems.add("warning", "handle is called with one argument: its other parameters need defaults",
                     cell, fn.lineno)
    reader = _Reader(positional[0].arg, problems, cell)
    for stmt in fn.body:
        reader.visit(stmt)
    comments = _comments(lines, fn.lineno, fn.end_lineno)
    grouped: dict[str, list[dict]] = {}
    for r in reader.reads:
        grouped.setdefault(r["key"], []).append(r)
    spec: dict = {"input": {}, "output": {}}
    for key, reads in grouped.items():
        spec["input"][key] = _input_param(key, reads, comments, problems, cell)
    if not reader.returns:
        problems.add("warning", "handle has no return statement: the app has no outputs", cell, fn.lineno)
    spec["output"] = _outputs(reader.returns, comments, problems, cell)
    for side in ("input", "output"):
        for key in list(spec[side]):
            if not _KEY.match(key):
                problems.add("error", f"{side} '{key}': not a valid name (letters, digits and _, not starting "
                             "with a digit); left out", cell, fn.lineno)
                del spec[side][key]
    try:
        validate(spec)
    except BadRequest as exc:  # a guard: the checks above should make this unreachable
        problems.add("error", f"the spec does not validate: {exc.message}", cell, fn.lineno)
    return spec


# ----------------------------------------------------------------------------- sources and notebooks
