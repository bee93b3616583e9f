"""The Help menu's documents: both languages hold the same sections, and the dataset format standard
says what the format check (mo_jupyter/catalog/checks.py) enforces: each format's documented example
passes the check, and breaking each documented rule is a listed problem."""

from __future__ import annotations

import json
import re
import textwrap
import zipfile
from pathlib import Path

import pytest

from mo_jupyter.catalog.checks import CHECKS, check_dataset
from mo_jupyter.help import DOCS, HERE, document
from mo_jupyter.schemas import schema_path


def sections(text: str) -> list[str]:
    return re.findall(r"^## (.*)$", text, re.M)


@pytest.mark.parametrize("name", DOCS)
def test_both_languages_have_the_same_sections_and_code(name):
    en, zh = document(name, "en")["markdown"], document(name, "zh_CN")["markdown"]
    assert len(sections(en)) == len(sections(zh)) >= 4
    assert re.findall(r"`[a-z_]+`", " ".join(sections(en))) == re.findall(r"`[a-z_]+`", " ".join(sections(zh)))
    assert en.count("```") == zh.count("```") and en.count("```") % 2 == 0
    code = lambda t: [b for b in re.findall(r"```python\n(.*?)```", t, re.S)]  # noqa: E731
    for block in code(en):  # the examples are Python that compiles
        compile(textwrap.dedent(block), name, "exec")
    assert len(code(en)) == len(code(zh))
    assert sorted(p.name for p in HERE.glob("*/*.md")) == sorted([f"{d}.md" for d in DOCS] * 2)


def test_every_format_and_schema_value_is_documented():
    schema = json.loads(schema_path("dataset").read_text())
    formats = schema["properties"]["format"]["enum"]
    assert sorted(formats) == sorted(CHECKS)
    for lang in ("en", "zh_CN"):
        text = document("dataset-formats", lang)["markdown"]
        titles = " ".join(sections(text))
        assert all(f"`{f}`" in titles for f in formats), (lang, titles)
        for purpose in schema["properties"]["purpose"]["enum"]:
            assert f"`{purpose}`" in text, (lang, purpose)


def make(tmp: Path, files: dict) -> Path:
    for rel, content in files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir(parents=True)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp


def npz(members: dict) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


NPY = b"\x93NUMPY\x01\x00" + b"x" * 20
GOOD = {
    "dir": ({}, {"daisy/001.jpg": "x", "daisy/002.jpg": "x", "tulip/001.jpg": "x", "README.md": "r"}),
    "dir independent": ({"test_set": "independent"}, {"train/daisy/001.jpg": "x", "train/tulip/001.jpg": "x",
                                                      "test/daisy/101.jpg": "x", "test/tulip/101.jpg": "x"}),
    "npz": ({}, {"mnist.npz": npz({"x_train.npy": NPY, "y_train.npy": NPY})}),
    "csv": ({}, {"iris.csv": "sepal_length,sepal_width,petal_length,petal_width,species\n"
                             "5.1,3.5,1.4,0.2,setosa\n\n"}),
    "json": ({}, {"annotations.json": json.dumps({"image": "images/0001.jpg", "boxes": []}),
                  "more.jsonl": '{"a": 1}\n\n{"b": 2}\n'}),
    "single_text": ({}, {"reviews.tsv": "good\t1\n"}),
    "brat_ann": ({}, {"doc1.txt": "Mo Model is in Hangzhou.", "doc1.ann": "T1\tORG 0 8\tMo Model\n"}),
}
# each documented rule, broken: (format, extra meta, files, a word of the problem)
BROKEN = [
    ("dir", {}, {"daisy/001.jpg": "x"}, "at least 2"),
    ("dir", {}, {"daisy/001.jpg": "x", "tulip/001.jpg": "x", "loose.jpg": "x"}, "outside a class folder"),
    ("dir", {}, {"daisy/001.jpg": "x", "tulip/sub/a": "x", "rose/x/y": None}, "empty class folder(s): rose"),
    ("dir", {"test_set": "independent"}, {"train/daisy/1": "x", "train/tulip/1": "x"}, "test/: the folder is missing"),
    ("npz", {}, {"a.txt": "x"}, "no .npz"),
    ("npz", {}, {"bad.npz": b"not a zip"}, "not a valid .npz"),
    ("npz", {}, {"x.npz": npz({"evil.pkl": b"x"})}, "non-.npy"),
    ("npz", {}, {"e.npz": npz({})}, "holds no arrays"),
    ("csv", {}, {"a.txt": "x"}, "no .csv"),
    ("csv", {}, {"t.csv": "onlyone\n1\n"}, "at least 2 columns"),
    ("csv", {}, {"t.csv": "a,b\n1,2\n1,2,3\n"}, "3 columns, the header has 2"),
    ("csv", {}, {"t.csv": b"a,b\n\xff\xfe,1\n"}, "not UTF-8"),
    ("json", {}, {"a.txt": "x"}, "no .json"),
    ("json", {}, {"a.json": "{nope"}, "not valid JSON"),
    ("json", {}, {"a.jsonl": '{"a": 1}\n{bad\n'}, "not valid JSON"),
    ("single_text", {}, {"a.csv": "x"}, "no .txt"),
    ("brat_ann", {}, {"doc1.txt": "x"}, "no .ann"),
    ("brat_ann", {}, {"doc1.ann": "T1", "doc2.ann": "T1", "doc2.txt": "x"}, ".ann without its .txt: doc1.ann"),
]


@pytest.mark.parametrize("case", sorted(GOOD))
def test_the_documented_examples_pass(tmp_path, case):
    meta, files = GOOD[case]
    assert check_dataset(make(tmp_path, files), {"format": case.split()[0], **meta}) == []


@pytest.mark.parametrize("fmt, meta, files, word", BROKEN, ids=[f"{b[0]}-{b[3][:20]}" for b in BROKEN])
def test_each_documented_rule_is_enforced(tmp_path, fmt, meta, files, word):
    problems = check_dataset(make(tmp_path, files), {"format": fmt, **meta})
    assert any(word in p for p in problems), problems


def test_only_metadata_is_no_data(tmp_path):
    folder = make(tmp_path, {"dataset.yml": "x", "README.md": "x", "README.txt": "x", "LICENSE": "x", ".hidden": "x"})
    assert check_dataset(folder, {"format": "csv"}) == ["the dataset has no files yet: upload an archive"]
    text = document("dataset-formats", "en")["markdown"]
    assert all(f"`{n}`" in text for n in ("dataset.yml", "README.md", "README.txt", "LICENSE"))
    assert "the dataset has no files yet: upload an archive" in document("dataset-formats", "zh_CN")["markdown"]
