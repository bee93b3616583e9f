"""The bounded YAML and JSON loaders (mo_jupyter/loaders.py): what a text may expand to is counted on
the parser's events and refused before any Python object is built; normal specs load as before."""

from __future__ import annotations

import os
import time

import pytest
import yaml

from mo_jupyter import loaders
from mo_jupyter.errors import BadRequest
from mo_jupyter.handle.spec import load_app_spec
from mo_jupyter.loaders import YamlLimits, load_json_text, load_yaml_file, load_yaml_text


def anchor_bomb(levels: int = 9, width: int = 9) -> str:
    """The issue's spec: each level lists the previous one ``width`` times (9**9 items, < 600 bytes)."""
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ",".join(["x"] * width) + "]"]
    for prev, name in zip(names, names[1:]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n"


def refused(text, limits=loaders.SPEC_LIMITS) -> str:
    with pytest.raises(BadRequest) as err:
        load_yaml_text(text, "spec.yml", limits)
    return err.value.message


def test_the_anchor_bomb_is_refused_at_once():
    bomb = anchor_bomb()
    assert len(bomb) < 600
    t0 = time.perf_counter()
    message = refused(bomb)
    assert time.perf_counter() - t0 < 1.0
    assert message.startswith("spec.yml expands to more than 200,000 values"), message


def test_many_aliases_are_refused_even_when_small():
    text = "a: &a x\nb: [" + ",".join(["*a"] * 1500) + "]\n"
    assert "more than 1,000 aliases" in refused(text)


def test_aliases_of_a_long_text_count_its_characters():
    text = f"a: &a {'y' * 100_000}\nb: [" + ",".join(["*a"] * 50) + "]\n"  # 5 MB of text, 52 values
    assert "characters of text" in refused(text)


def test_an_alias_inside_its_own_anchor_is_refused():
    assert "inside its own anchor" in refused("a: &a [1, *a]\n")


def test_deep_nesting_is_refused_before_anything_recurses():
    # libyaml's composer recurses in C: 200,000 levels crash the interpreter without this check.
    assert "more than 64 deep" in refused("[" * 200_000, YamlLimits(max_bytes=10**6))
    assert "more than 64 deep" in refused("- " * 100 + "x\n")
    nested = "".join(" " * i + f"k{i}:\n" for i in range(80)) + " " * 80 + "v\n"
    assert "more than 64 deep" in refused(nested)


def test_size_is_checked_before_parsing():
    assert "larger than 1024 KiB" in refused("x" * (1024 * 1024 + 1))


def test_python_tags_build_nothing():
    assert "not valid YAML" in refused("a: !!python/object/apply:os.system [echo hi]\n")


def test_normal_yaml_loads_like_pyyaml_safe_load():
    text = ("defaults: &d {value_type: int, default_value: 1}\n"
            "input:\n  predict:\n    x: *d\n    y: {<<: *d, default_value: 2}\n"
            "tags: [a, b]\nwhen: 2024-01-02\nn: 1.5\nok: yes\nnothing: ~\n")
    assert load_yaml_text(text) == yaml.safe_load(text)
    assert load_yaml_text("") is None


def test_a_file_is_json_data_and_must_be_regular(tmp_path):
    spec = tmp_path / "module_spec.yml"
    spec.write_text("name: x\nwhen: 2024-01-02\n")
    assert load_yaml_file(spec) == {"name": "x", "when": "2024-01-02"}
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)
    t0 = time.perf_counter()
    with pytest.raises(BadRequest, match="not a regular file"):
        load_yaml_file(fifo)  # never blocks on a fifo with no writer
    assert time.perf_counter() - t0 < 1.0
    with pytest.raises(BadRequest, match="is missing"):
        load_yaml_file(tmp_path / "nope.yml")


def test_app_spec_goes_through_the_same_loader(tmp_path):
    spec = tmp_path / "app_spec.yml"
    spec.write_text(anchor_bomb())
    with pytest.raises(BadRequest, match="expands to more than"):
        load_app_spec(spec)


def test_yaml_errors_are_cut():
    message = refused("a: [" + "b" * 5000 + "\n" + "c: {" * 3)
    assert len(message) < 600


def test_json_depth_and_size():
    assert load_json_text(b'{"a": [1, {"b": 2}]}') == {"a": [1, {"b": 2}]}
    with pytest.raises(BadRequest, match="more than 64 deep"):
        load_json_text(b"[" * 100 + b"]" * 100)
    with pytest.raises(BadRequest, match="more than 64 deep"):
        load_json_text(b"[" * 100_000 + b"]" * 100_000)  # no recursion anywhere: an answer, no crash
    with pytest.raises(BadRequest, match="not valid JSON"):
        load_json_text(b"[1,")
    with pytest.raises(BadRequest, match="larger than"):
        load_json_text(b"[1]" * 10, max_bytes=20)


def test_a_long_number_is_refused_before_it_is_converted():
    # PyYAML builds a sexagesimal int (1:59:59:...) in quadratic time: 1 MiB of it took ~25 s.
    big = "description: 1" + ":59" * 330_000 + "\n"
    assert len(big) < loaders.SPEC_LIMITS.max_bytes
    for text in (big, "n: !!int '1" + ":59" * 1000 + "'", "x: 1" + "0" * 100 + ".5"):
        t0 = time.perf_counter()
        message = refused(text)
        assert time.perf_counter() - t0 < 1.0
        assert "holds a number of more than 64 characters" in message and "quote it" in message
        assert len(message) < 300


def test_long_text_and_ordinary_numbers_still_load():
    sexa = "1" + ":59" * 330_000
    assert load_yaml_text(f"a: '{sexa}'\nb: !!str {sexa[:999]}\n") == {"a": sexa, "b": sexa[:999]}
    prose = "word " * 100_000 + "1:59"
    assert load_yaml_text(f"a: {prose}")["a"] == prose.strip()
    assert load_yaml_text("a: 12345\nb: 1:30\nc: -2.5e+3\nd: 0x1F\ne: " + "9" * 64) == \
        {"a": 12345, "b": 90, "c": -2500.0, "d": 31, "e": int("9" * 64)}
