"""The one way mo_jupyter reads YAML and JSON that a file or a user wrote: bounded before anything
walks it.

YAML: a spec of a few hundred bytes can expand, through anchors and aliases (``&a [..]``, ``*a``
repeated), to billions of items; PyYAML builds the shared structure at once, and whatever walks it
then (the JSON conversion, a search index) runs out of memory. So a YAML text is first *parsed* into
events with PyYAML's safe parser (libyaml where available), counting what it would expand to, the
aliases used and how deep it nests, and refused past :class:`YamlLimits`; only then are Python
objects built, with the safe loader (no tag ever builds a Python object of a class). Parsing is a
loop over events, never recursive, so a text nested 100,000 deep is refused, not a stack overflow.
A number longer than :data:`MAX_NUMBER_CHARS` is refused in the same walk: PyYAML converts a
sexagesimal int (``1:59:59:...``, YAML 1.1) in time quadratic in its length (a 1 MiB one: ~25 s).

JSON: orjson, after a size check, then a depth check (iterative)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

import orjson
import yaml

from .errors import BadRequest, cut

# The C build of the *safe* loader when PyYAML has it (about 10x faster on a big catalog's scan).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True)
class YamlLimits:
    max_bytes: int = MiB  # the text itself
    max_nodes: int = 200_000  # scalars + lists + mappings, every alias counted as what it stands for
    max_chars: int = 4 * MiB  # characters of all scalars, aliases expanded
    max_aliases: int = 1_000
    max_depth: int = 64  # lists and mappings inside each other


SPEC_LIMITS = YamlLimits()
"""For spec files: module_spec.yml, dataset.yml, app_spec.yml."""

VALUE_LIMITS = YamlLimits(max_bytes=64 * KiB, max_nodes=10_000, max_chars=256 * KiB, max_aliases=100,
                          max_depth=16)
"""For one value written in a comment (a handle's ``# value_range: [..]``)."""

MAX_NUMBER_CHARS = 64
"""Longest scalar that is read as an int or a float (plain, or tagged ``!!int``/``!!float``)."""
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_RESOLVER = yaml.resolver.Resolver()  # the safe loaders' implicit types (int, float, bool, null...)

_START = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_END = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class _Counter:
    """What the event stream would expand to; refuses as soon as a limit is passed."""

    def __init__(self, limits: YamlLimits, what: str):
        self.limits, self.what = limits, what
        self.nodes = self.chars = self.aliases = 0
        self.anchors: dict[str, Optional[tuple[int, int]]] = {}  # None: still open (an alias to it recurses)
        self.stack: list[tuple[Optional[str], int, int]] = []  # (anchor, nodes, chars) at each open start

    def refuse(self, why: str):
        raise BadRequest(f"{self.what} {why}")

    def add(self, nodes: int, chars: int) -> None:
        self.nodes += nodes
        self.chars += chars
        if self.nodes > self.limits.max_nodes:
            self.refuse(f"expands to more than {self.limits.max_nodes:,} values (anchors and aliases "
                        "counted as what they repeat)")
        if self.chars > self.limits.max_chars:
            self.refuse(f"expands to more than {self.limits.max_chars:,} characters of text (anchors "
                        "and aliases counted as what they repeat)")

    def event(self, event) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            self.add(1, len(event.value))
            if len(event.value) > MAX_NUMBER_CHARS and _is_number(event):
                self.refuse(f"holds a number of more than {MAX_NUMBER_CHARS} characters "
                            f"({cut(event.value, 40)}); quote it to keep it as text")
            if event.anchor is not None:
                self.anchors[event.anchor] = (1, len(event.value))
        elif kind is yaml.AliasEvent:
            self.aliases += 1
            if self.aliases > self.limits.max_aliases:
                self.refuse(f"uses more than {self.limits.max_aliases:,} aliases (*name)")
            size = self.anchors.get(event.anchor, False)
            if size is None:
                self.refuse(f"has an alias *{cut(event.anchor, 60)} inside its own anchor (it would "
                            "repeat itself for ever)")
            if size is False:
                self.refuse(f"uses the alias *{cut(event.anchor, 60)} before or without its anchor")
            self.add(*size)
        elif kind in _START:
            if len(self.stack) >= self.limits.max_depth:
                self.refuse(f"nests lists and mappings more than {self.limits.max_depth} deep")
            self.stack.append((event.anchor, self.nodes, self.chars))
            if event.anchor is not None:
                self.anchors[event.anchor] = None
            self.add(1, 0)
        elif kind in _END:
            anchor, nodes, chars = self.stack.pop()
            if anchor is not None:
                self.anchors[anchor] = (self.nodes - nodes, self.chars - chars)


_LIBRARY_DEPTH = "exceeded maximum nesting depth"  # libyaml's scanner, past 1,000 levels


def _is_number(event) -> bool:
    """True when the loader would build an int or a float of this scalar (as its composer decides)."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    return tag in _NUMBER_TAGS


def _parse(text: Union[str, bytes], what: str, limits: YamlLimits) -> Any:
    if len(text) > limits.max_bytes:
        raise BadRequest(f"{what} is larger than {limits.max_bytes // KiB} KiB")
    counter = _Counter(limits, what)
    try:
        events = SafeLoader(text)
        try:
            while True:
                event = events.get_event()
                if type(event) is yaml.StreamEndEvent:
                    break
                counter.event(event)
        finally:
            events.dispose()
        loader = SafeLoader(text)  # safe: no tags that build Python objects
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        if _LIBRARY_DEPTH in str(exc):  # libyaml >= 0.2.5 stops at 1,000 while scanning ahead of us
            raise BadRequest(f"{what} nests lists and mappings more than {limits.max_depth} deep") from None
        raise BadRequest(f"{what} is not valid YAML: {cut(exc, 300)}") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. a timestamp out of range
        raise BadRequest(f"{what} holds a value that cannot be read: {cut(exc, 200)}") from None


def load_yaml_text(text: Union[str, bytes], what: str = "the YAML text",
                   limits: YamlLimits = SPEC_LIMITS) -> Any:
    """Safe YAML of at most ``limits``; BadRequest (naming ``what``) for anything else."""
    return _parse(text, what, limits)


def _read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``: never a fifo, a device or a folder."""
    name = cut(path.name, 100)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise BadRequest(f"{name} is missing") from None
    except OSError as exc:
        raise BadRequest(f"{name} cannot be read: {exc.strerror or 'error'}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # a folder or a fifo named like a spec: never read it
            raise BadRequest(f"{name} is not a regular file")
        if st.st_size > max_bytes:
            raise BadRequest(f"{name} is larger than {max_bytes // KiB} KiB")
        with open(fd, "rb", closefd=False) as f:
            raw = f.read(max_bytes + 1)
    except OSError as exc:
        raise BadRequest(f"{name} cannot be read: {exc.strerror or 'error'}") from None
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        raise BadRequest(f"{name} is larger than {max_bytes // KiB} KiB")
    return raw


def as_json_data(data: Any, what: str) -> Any:
    """``data`` as JSON can carry it (no !!binary, no dates, no non-string keys), or BadRequest."""
    try:
        return orjson.loads(orjson.dumps(data))
    except TypeError as exc:
        raise BadRequest(f"{what} holds a value JSON cannot carry: {cut(exc, 200)}") from None


def load_yaml_file(path: Union[Path, str], limits: YamlLimits = SPEC_LIMITS) -> Any:
    """A spec file: a regular file within ``limits``, safe YAML, returned as JSON-compatible data."""
    path = Path(path)
    what = cut(path.name, 100)
    return as_json_data(_parse(_read_regular(path, limits.max_bytes), what, limits), what)


# ---------------------------------------------------------------------------------------- JSON

MAX_JSON_BYTES = 16 * MiB
MAX_JSON_DEPTH = 64


def orjson_too_deep(exc: orjson.JSONDecodeError) -> bool:
    """Whether orjson refused the text for its own nesting bound (1,024 levels: "depth limit
    exceeded"; older releases: "recursion limit")."""
    text = str(exc)[:200]
    return "depth limit exceeded" in text or "recursion" in text


def json_depth_ok(data: Any, max_depth: int) -> bool:
    """True when lists and objects nest at most ``max_depth`` deep (an iterative walk)."""
    todo = [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > max_depth:
            return False
        todo.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))
    return True


def load_json_text(raw: Union[bytes, str], what: str = "the JSON text", max_bytes: int = MAX_JSON_BYTES,
                   max_depth: int = MAX_JSON_DEPTH) -> Any:
    if len(raw) > max_bytes:
        raise BadRequest(f"{what} is larger than {max_bytes // KiB} KiB")
    try:
        data = orjson.loads(raw)  # orjson parses without recursing: deep nesting is no crash
    except orjson.JSONDecodeError as exc:
        if orjson_too_deep(exc):
            raise BadRequest(f"{what} nests lists and objects more than {max_depth} deep") from None
        raise BadRequest(f"{what} is not valid JSON: {cut(exc, 200)}") from None
    if not json_depth_ok(data, max_depth):
        raise BadRequest(f"{what} nests lists and objects more than {max_depth} deep")
    return data


def load_json_file(path: Union[Path, str], max_bytes: int = MAX_JSON_BYTES,
                   max_depth: int = MAX_JSON_DEPTH) -> Any:
    path = Path(path)
    return load_json_text(_read_regular(path, max_bytes), cut(path.name, 100), max_bytes, max_depth)
